package inventory

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group-kinds of the built-in kinds the inventory holds as typed objects.
// They are values for use in comparisons and lookups; treat them as constants.
var (
	KindNamespace                        = schema.GroupKind{Kind: "Namespace"}
	KindPod                              = schema.GroupKind{Kind: "Pod"}
	KindReplicationController            = schema.GroupKind{Kind: "ReplicationController"}
	KindServiceAccount                   = schema.GroupKind{Kind: "ServiceAccount"}
	KindService                          = schema.GroupKind{Kind: "Service"}
	KindSecret                           = schema.GroupKind{Kind: "Secret"}
	KindConfigMap                        = schema.GroupKind{Kind: "ConfigMap"}
	KindNode                             = schema.GroupKind{Kind: "Node"}
	KindResourceQuota                    = schema.GroupKind{Kind: "ResourceQuota"}
	KindLimitRange                       = schema.GroupKind{Kind: "LimitRange"}
	KindDeployment                       = schema.GroupKind{Group: "apps", Kind: "Deployment"}
	KindReplicaSet                       = schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}
	KindStatefulSet                      = schema.GroupKind{Group: "apps", Kind: "StatefulSet"}
	KindDaemonSet                        = schema.GroupKind{Group: "apps", Kind: "DaemonSet"}
	KindJob                              = schema.GroupKind{Group: "batch", Kind: "Job"}
	KindCronJob                          = schema.GroupKind{Group: "batch", Kind: "CronJob"}
	KindRole                             = schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "Role"}
	KindClusterRole                      = schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}
	KindRoleBinding                      = schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}
	KindClusterRoleBinding               = schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}
	KindNetworkPolicy                    = schema.GroupKind{Group: "networking.k8s.io", Kind: "NetworkPolicy"}
	KindIngress                          = schema.GroupKind{Group: "networking.k8s.io", Kind: "Ingress"}
	KindValidatingWebhookConfiguration   = schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}
	KindMutatingWebhookConfiguration     = schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}
	KindValidatingAdmissionPolicy        = schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}
	KindValidatingAdmissionPolicyBinding = schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}
)

// KindInfo describes a kind the inventory knows: a built-in kind, held as a typed object, or
// one of OtherNetworkPolicyKinds, held as *unstructured.Unstructured.
type KindInfo struct {
	// GroupVersionKind is the preferred (stable) version of the kind.
	schema.GroupVersionKind
	// Resource is the plural resource name served by the API (e.g. "pods").
	Resource string
	// Namespaced reports whether objects of the kind live in a namespace.
	Namespaced bool

	newObject func() runtime.Object
}

// GroupKind returns the kind's group and kind.
func (k KindInfo) GroupKind() schema.GroupKind { return k.GroupVersionKind.GroupKind() }

// GroupVersionResource returns the resource the API serves the kind at.
func (k KindInfo) GroupVersionResource() schema.GroupVersionResource {
	return k.GroupVersion().WithResource(k.Resource)
}

// New returns a new, empty typed object of the kind.
func (k KindInfo) New() runtime.Object { return k.newObject() }

func kind(gv schema.GroupVersion, kind, resource string, namespaced bool, newObject func() runtime.Object) KindInfo {
	return KindInfo{GroupVersionKind: gv.WithKind(kind), Resource: resource, Namespaced: namespaced, newObject: newObject}
}

var builtinKinds = []KindInfo{
	kind(corev1.SchemeGroupVersion, "Namespace", "namespaces", false, func() runtime.Object { return &corev1.Namespace{} }),
	kind(corev1.SchemeGroupVersion, "Node", "nodes", false, func() runtime.Object { return &corev1.Node{} }),
	kind(corev1.SchemeGroupVersion, "Pod", "pods", true, func() runtime.Object { return &corev1.Pod{} }),
	kind(corev1.SchemeGroupVersion, "ReplicationController", "replicationcontrollers", true, func() runtime.Object { return &corev1.ReplicationController{} }),
	kind(corev1.SchemeGroupVersion, "ServiceAccount", "serviceaccounts", true, func() runtime.Object { return &corev1.ServiceAccount{} }),
	kind(corev1.SchemeGroupVersion, "Service", "services", true, func() runtime.Object { return &corev1.Service{} }),
	kind(corev1.SchemeGroupVersion, "Secret", "secrets", true, func() runtime.Object { return &corev1.Secret{} }),
	kind(corev1.SchemeGroupVersion, "ConfigMap", "configmaps", true, func() runtime.Object { return &corev1.ConfigMap{} }),
	kind(corev1.SchemeGroupVersion, "ResourceQuota", "resourcequotas", true, func() runtime.Object { return &corev1.ResourceQuota{} }),
	kind(corev1.SchemeGroupVersion, "LimitRange", "limitranges", true, func() runtime.Object { return &corev1.LimitRange{} }),
	kind(appsv1.SchemeGroupVersion, "Deployment", "deployments", true, func() runtime.Object { return &appsv1.Deployment{} }),
	kind(appsv1.SchemeGroupVersion, "ReplicaSet", "replicasets", true, func() runtime.Object { return &appsv1.ReplicaSet{} }),
	kind(appsv1.SchemeGroupVersion, "StatefulSet", "statefulsets", true, func() runtime.Object { return &appsv1.StatefulSet{} }),
	kind(appsv1.SchemeGroupVersion, "DaemonSet", "daemonsets", true, func() runtime.Object { return &appsv1.DaemonSet{} }),
	kind(batchv1.SchemeGroupVersion, "Job", "jobs", true, func() runtime.Object { return &batchv1.Job{} }),
	kind(batchv1.SchemeGroupVersion, "CronJob", "cronjobs", true, func() runtime.Object { return &batchv1.CronJob{} }),
	kind(rbacv1.SchemeGroupVersion, "Role", "roles", true, func() runtime.Object { return &rbacv1.Role{} }),
	kind(rbacv1.SchemeGroupVersion, "ClusterRole", "clusterroles", false, func() runtime.Object { return &rbacv1.ClusterRole{} }),
	kind(rbacv1.SchemeGroupVersion, "RoleBinding", "rolebindings", true, func() runtime.Object { return &rbacv1.RoleBinding{} }),
	kind(rbacv1.SchemeGroupVersion, "ClusterRoleBinding", "clusterrolebindings", false, func() runtime.Object { return &rbacv1.ClusterRoleBinding{} }),
	kind(networkingv1.SchemeGroupVersion, "NetworkPolicy", "networkpolicies", true, func() runtime.Object { return &networkingv1.NetworkPolicy{} }),
	kind(networkingv1.SchemeGroupVersion, "Ingress", "ingresses", true, func() runtime.Object { return &networkingv1.Ingress{} }),
	kind(admissionregistrationv1.SchemeGroupVersion, "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, func() runtime.Object { return &admissionregistrationv1.ValidatingWebhookConfiguration{} }),
	kind(admissionregistrationv1.SchemeGroupVersion, "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, func() runtime.Object { return &admissionregistrationv1.MutatingWebhookConfiguration{} }),
	kind(admissionregistrationv1.SchemeGroupVersion, "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false, func() runtime.Object { return &admissionregistrationv1.ValidatingAdmissionPolicy{} }),
	kind(admissionregistrationv1.SchemeGroupVersion, "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false, func() runtime.Object { return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{} }),
}

var builtinByGroupKind = func() map[schema.GroupKind]KindInfo {
	m := make(map[schema.GroupKind]KindInfo, len(builtinKinds))
	for _, k := range builtinKinds {
		m[k.GroupKind()] = k
	}
	return m
}()

// BuiltinKinds returns the kinds the inventory holds as typed objects, in a fixed order.
// The returned slice is a fresh copy.
func BuiltinKinds() []KindInfo {
	return append([]KindInfo(nil), builtinKinds...)
}

// LookupKind returns the built-in kind for gk, if the inventory knows it.
func LookupKind(gk schema.GroupKind) (KindInfo, bool) {
	k, ok := builtinByGroupKind[gk]
	return k, ok
}

// ParseGroupKind parses a kind as users write it: "Pod", "Deployment", "deployments.apps",
// "NetworkPolicy.networking.k8s.io" or "apps/Deployment". A bare kind name resolves to the
// built-in kind of that name when there is one; otherwise it is returned with an empty group.
func ParseGroupKind(s string) schema.GroupKind {
	if g, k, ok := cutLast(s, "/"); ok { // "apps/Deployment", "apps/v1/Deployment", "v1/Pod"
		return schema.GroupKind{Group: groupOnly(g), Kind: k}
	}
	kindName, group, _ := cutFirst(s, ".")
	if group == "" {
		for _, k := range builtinKinds {
			if equalFold(k.Kind, kindName) || equalFold(k.Resource, kindName) {
				return k.GroupKind()
			}
		}
		return schema.GroupKind{Kind: kindName}
	}
	for _, k := range builtinKinds {
		if k.Group == group && (equalFold(k.Kind, kindName) || equalFold(k.Resource, kindName)) {
			return k.GroupKind()
		}
	}
	return schema.GroupKind{Group: group, Kind: kindName}
}
