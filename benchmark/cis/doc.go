// Package cis is the CIS Kubernetes Benchmark: all 131 controls of v1.12 (V112)
// and of v2.0 (V20, the same controls with 5.2.9 at level 2).
//
// Each control reads what the inventory can show:
//
//   - Control plane (sections 1.2 to 1.4, 2, and 3.2.1, 5.5.1): the command lines of the
//     kube-apiserver, kube-controller-manager, kube-scheduler and etcd pods (the mirror pods
//     of kubeadm's static pods, or the static pod manifests themselves), one result per
//     component pod. A flag that is not set is judged by the component's own default.
//     Without such pods (a managed control plane) the controls are notEvaluated: the
//     components run, but their configuration cannot be read.
//   - Kubelet (4.2): KubeletConfiguration objects (the live /configz of each node, fetched
//     by inventory.FetchKubeletConfigs; a node scan's configuration file with its drop-ins
//     and the kubelet's command-line flags applied over it, or a kubelet's command-line
//     defaults when it runs without --config; or files given as manifests), else kubeadm's
//     kubelet-config ConfigMap. Without any, notEvaluated.
//   - Policies (4.3.1, section 5): API objects; "who can" questions are answered from the
//     bound RBAC rules.
//   - Node files (1.1, 4.1, 1.2.28, 4.2.7): NodeFiles objects written by a node scanner
//     (inventory.ReadNodeFiles; see examples/node-scan). Without them, notEvaluated.
//
// Controls that need a person's judgement (3.1.x, 5.3.1, 5.4.2, 5.6.1, 3.2.2) report
// manual. Each check's Description says what it inspects and what passes, and whether the
// CIS document marks the control Automated or Manual.
package cis
