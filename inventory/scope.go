package inventory

import (
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// Scope tells whether the objects of a kind live in namespaces.
type Scope int

const (
	// ScopeUnknown: neither Kubernetes nor a CustomResourceDefinition of the inventory says.
	ScopeUnknown Scope = iota
	// ScopeNamespaced: objects of the kind live in a namespace.
	ScopeNamespaced
	// ScopeCluster: objects of the kind are cluster-scoped.
	ScopeCluster
)

// KindCustomResourceDefinition is the kind of CustomResourceDefinitions.
var KindCustomResourceDefinition = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

// CustomResource is what the CustomResourceDefinitions of an inventory say of the kind they
// define.
type CustomResource struct {
	// Plural is spec.names.plural, the resource's name; "" when the definitions do not give
	// one (or give different ones).
	Plural string
	// Scope is spec.scope; ScopeUnknown when it is neither Namespaced nor Cluster, or when
	// the definitions of the kind (variants) disagree.
	Scope Scope
	// Served are the versions served (spec.versions[].served) by every definition of the kind.
	Served []string
}

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

// CustomResources returns the kinds the inventory's CustomResourceDefinitions define. Where
// the input defines a kind in several places (variants) and they disagree on its plural or
// scope, that part is left unknown rather than taken from one of them.
func CustomResources(inv *Inventory) map[schema.GroupKind]CustomResource {
	out := make(map[schema.GroupKind]CustomResource)
	for _, o := range inv.ByKind(KindCustomResourceDefinition) {
		u, ok := o.Object().(*unstructured.Unstructured)
		if !ok {
			continue
		}
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		if kind == "" {
			continue
		}
		plural, _, _ := unstructured.NestedString(u.Object, "spec", "names", "plural")
		c := CustomResource{Plural: plural}
		switch sc, _, _ := unstructured.NestedString(u.Object, "spec", "scope"); sc {
		case "Namespaced":
			c.Scope = ScopeNamespaced
		case "Cluster":
			c.Scope = ScopeCluster
		}
		versions, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
		for _, v := range versions {
			m, _ := v.(map[string]any)
			name, _ := m["name"].(string)
			if served, _ := m["served"].(bool); served && name != "" {
				c.Served = append(c.Served, name)
			}
		}
		gk := schema.GroupKind{Group: group, Kind: kind}
		if prev, seen := out[gk]; seen { // another definition of the kind
			if prev.Plural != c.Plural {
				c.Plural = ""
			}
			if prev.Scope != c.Scope {
				c.Scope = ScopeUnknown
			}
			c.Served = slices.DeleteFunc(c.Served, func(v string) bool { return !slices.Contains(prev.Served, v) })
		}
		out[gk] = c
	}
	return out
}

// ScopeOf returns the scope of kind gk: from the inventory's built-in kinds, from the kinds the
// API server serves itself (every kind of its own API groups but the cluster-scoped ones is
// namespaced), or else from crs (see CustomResources).
func ScopeOf(gk schema.GroupKind, crs map[schema.GroupKind]CustomResource) Scope {
	if k, ok := LookupKind(gk); ok {
		if k.Namespaced {
			return ScopeNamespaced
		}
		return ScopeCluster
	}
	if clusterKinds[gk] {
		return ScopeCluster
	}
	if gk.Group == "" || apiServerGroups[gk.Group] || scheme.Scheme.IsGroupRegistered(gk.Group) {
		return ScopeNamespaced
	}
	return crs[gk].Scope
}
