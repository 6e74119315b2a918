// Package flags parses the command lines of Kubernetes components (kube-apiserver,
// kube-controller-manager, kube-scheduler, etcd, kube-proxy, kubelet) as their own flag
// parsers read them: --flag=value, --flag value, bare boolean flags, repeated flags (a scalar
// flag keeps its last value, a list flag accumulates), comma-separated lists and key=value
// maps. It also finds a component's flags inside a container's command and args, including
// shell wrappers (sh -c "exec kube-apiserver ..."), hyperkube-style multi-call binaries and
// $(VAR) references to the container's environment.
package flags
