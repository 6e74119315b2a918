// Package nodefs reads, from a node's filesystem mounted at a root (e.g. /host), the files
// that the CIS Kubernetes Benchmark's node controls name: their mode, owner and type, and, for
// a few configuration files, the settings the controls judge (never secret material: key
// files and kubeconfigs are only stat'ed, and an encryption configuration is reduced to its
// provider names).
//
// Paths are resolved inside the root: a symbolic link's absolute target is read relative to
// the root, so nothing outside it is reached.
package nodefs
