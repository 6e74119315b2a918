// Package flags parses the command lines of Kubernetes components (kube-apiserver,
// kube-controller-manager, kube-scheduler, etcd, kube-proxy, kubelet) as their own flag
// parsers read them: spf13/pflag for the Kubernetes components, Go's flag package for etcd.
// A flag that takes a value takes the next word whatever it looks like (--audit-log-path
// --profiling=false logs to a file named --profiling=false); a boolean never does. Which flags
// take a value comes from each component's own flag set (SpecFor); a flag the list does not
// know, followed by a word that looks like a flag, is read both ways and what depends on the
// reading is reported Unknown. Repeated flags (a scalar flag keeps its last value, a list flag
// accumulates), comma-separated lists and key=value maps are read as the components read them.
// The package also finds a component's flags inside a container's command and args,
// including shell wrappers (sh -c "exec kube-apiserver ..."), hyperkube-style multi-call
// binaries and $(VAR) references to the container's environment.
package flags
