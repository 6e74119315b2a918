// Package rbacdefaults holds the RBAC objects every cluster has by design, as data: the
// bootstrap policy kube-apiserver writes at startup (apiserver.yaml: the ClusterRoles,
// ClusterRoleBindings, Roles and RoleBindings it labels kubernetes.io/bootstrapping=
// rbac-defaults, Kubernetes 1.37 with default feature gates) and the objects kubeadm creates
// (kubeadm.yaml). Both files are embedded.
//
// A Policy recognises those objects in an inventory by their content, never by a name alone or
// by a label, since anyone who may create bindings can choose either: a binding is a default
// one only when its kind, namespace, name and role reference are those of a default binding,
// and only for the subjects that default binding names; what it grants counts as default only
// as far as the default role grants it, so a default role edited to grant more has its extra
// rules judged like any other.
//
// apiserver.yaml is written from a real API server by the integration test
// TestBootstrapPolicyMatchesServer (internal/integration, run with -update), which otherwise
// checks that the file still equals what the server creates. kubeadm.yaml is written by hand
// from kubeadm's source (cmd/kubeadm/app/phases: bootstraptoken, kubeconfig, uploadconfig,
// kubelet, copycerts, addons/proxy, addons/dns).
package rbacdefaults
