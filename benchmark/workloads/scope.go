package workloads

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kspm-dev/kspm/inventory"
)

// Whether objects of a kind live in a namespace.
type scope int

const (
	scopeUnknown scope = iota
	scopeNamespaced
	scopeCluster
)

// clusterKinds are the cluster-scoped kinds the Kubernetes API server serves itself, beyond
// the inventory's built-in kinds (whose KindInfo says). Every other kind of those API groups
// is namespaced.
var clusterKinds = map[schema.GroupKind]bool{
	{Kind: "Namespace"}: true, {Kind: "Node"}: true, {Kind: "PersistentVolume"}: true, {Kind: "ComponentStatus"}: true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "networking.k8s.io", Kind: "ClusterCIDR"}:                                 true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
	{Group: "resource.k8s.io", Kind: "DeviceTaintRule"}:                               true,
	{Group: "resource.k8s.io", Kind: "ResourceClass"}:                                 true,
	{Group: "storagemigration.k8s.io", Kind: "StorageVersionMigration"}:               true,
	{Group: "internal.apiserver.k8s.io", Kind: "StorageVersion"}:                      true,
	{Group: "policy", Kind: "PodSecurityPolicy"}:                                      true,
	{Group: "admissionregistration.k8s.io", Kind: "InitializerConfiguration"}:         true,
	{Group: "extensions", Kind: "PodSecurityPolicy"}:                                  true,
	{Group: "authentication.k8s.io", Kind: "TokenReview"}:                             true,
	{Group: "authentication.k8s.io", Kind: "SelfSubjectReview"}:                       true,
	{Group: "authorization.k8s.io", Kind: "SubjectAccessReview"}:                      true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectAccessReview"}:                  true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectRulesReview"}:                   true,
}

// apiServerGroups are API groups the API server serves itself that client-go's scheme does
// not register.
var apiServerGroups = map[string]bool{"apiextensions.k8s.io": true, "apiregistration.k8s.io": true}

// kindCRD is the kind of a CustomResourceDefinition.
var kindCRD = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

// scopes tells the scope of a kind: from the inventory's built-in kinds, from the API
// server's own kinds, or from a CustomResourceDefinition in the inventory.
type scopes struct {
	crds map[schema.GroupKind]scope
}

func newScopes(inv *inventory.Inventory) scopes {
	s := scopes{crds: map[schema.GroupKind]scope{}}
	for _, o := range inv.ByKind(kindCRD) {
		u, ok := o.Object().(*unstructured.Unstructured)
		if !ok {
			continue
		}
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		switch sc, _, _ := unstructured.NestedString(u.Object, "spec", "scope"); sc {
		case "Namespaced":
			s.crds[schema.GroupKind{Group: group, Kind: kind}] = scopeNamespaced
		case "Cluster":
			s.crds[schema.GroupKind{Group: group, Kind: kind}] = scopeCluster
		}
	}
	return s
}

func (s scopes) of(gk schema.GroupKind) scope {
	if k, ok := inventory.LookupKind(gk); ok {
		if k.Namespaced {
			return scopeNamespaced
		}
		return scopeCluster
	}
	if clusterKinds[gk] {
		return scopeCluster
	}
	if gk.Group == "" || apiServerGroups[gk.Group] || scheme.Scheme.IsGroupRegistered(gk.Group) {
		return scopeNamespaced
	}
	return s.crds[gk]
}
