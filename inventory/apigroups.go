package inventory

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kspm-dev/kspm/internal/spell"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// servedElsewhereKinds are kinds of API groups the Kubernetes API server serves itself that
// client-go's scheme does not register: the groups of the API server's extension and
// aggregation layers, and kinds that API versions now removed served (a manifest may still
// hold them; they are not typos).
var servedElsewhereKinds = []schema.GroupKind{
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"},
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinitionList"},
	{Group: "apiregistration.k8s.io", Kind: "APIService"},
	{Group: "apiregistration.k8s.io", Kind: "APIServiceList"},
	{Group: "policy", Kind: "PodSecurityPolicy"}, // policy/v1beta1, removed in 1.25
	{Group: "policy", Kind: "PodSecurityPolicyList"},
	{Group: "admissionregistration.k8s.io", Kind: "InitializerConfiguration"}, // v1alpha1, removed in 1.14
	{Group: "admissionregistration.k8s.io", Kind: "InitializerConfigurationList"},
	{Group: "extensions", Kind: "PodSecurityPolicy"}, // extensions/v1beta1, removed in 1.16
	{Group: "extensions", Kind: "PodSecurityPolicyList"},
	{Group: "networking.k8s.io", Kind: "ClusterCIDR"}, // networking.k8s.io/v1alpha1, removed in 1.29
	{Group: "networking.k8s.io", Kind: "ClusterCIDRList"},
	{Group: "resource.k8s.io", Kind: "ResourceClass"}, // resource.k8s.io/v1alpha2, removed in 1.31
	{Group: "resource.k8s.io", Kind: "ResourceClassList"},
	{Group: "resource.k8s.io", Kind: "PodSchedulingContext"},
	{Group: "resource.k8s.io", Kind: "PodSchedulingContextList"},
	{Group: "resource.k8s.io", Kind: "ResourceClaimParameters"},
	{Group: "resource.k8s.io", Kind: "ResourceClaimParametersList"},
	{Group: "resource.k8s.io", Kind: "ResourceClassParameters"},
	{Group: "resource.k8s.io", Kind: "ResourceClassParametersList"},
}

// builtinGroupKinds returns, for each API group the Kubernetes API server serves itself
// (core "", apps, batch, rbac.authorization.k8s.io, ...), the kinds it has: those client-go
// registers for the group in any version, less the request option kinds every group
// registers (ListOptions, WatchEvent, ...), plus servedElsewhereKinds.
var builtinGroupKinds = sync.OnceValue(func() map[string]map[string]bool {
	meta := runtime.NewScheme()
	metav1.AddToGroupVersion(meta, schema.GroupVersion{Group: "meta.kspm.dev", Version: "v1"})
	notKinds := make(map[string]bool)
	for gvk := range meta.AllKnownTypes() {
		notKinds[gvk.Kind] = true
	}
	groups := make(map[string]map[string]bool)
	add := func(gk schema.GroupKind) {
		if groups[gk.Group] == nil {
			groups[gk.Group] = make(map[string]bool)
		}
		groups[gk.Group][gk.Kind] = true
	}
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if !notKinds[gvk.Kind] {
			add(gvk.GroupKind())
		}
	}
	for _, gk := range servedElsewhereKinds {
		add(gk)
	}
	for _, k := range builtinKinds {
		add(k.GroupKind())
	}
	return groups
})

// unknownBuiltinKind returns an error wrapping ErrUnknownKind when gvk's group is served by
// the API server itself and has no such kind; nil otherwise (a custom resource's group is
// not known, so neither are its kinds).
func unknownBuiltinKind(gvk schema.GroupVersionKind) error {
	groups := builtinGroupKinds()
	kinds, builtin := groups[gvk.Group]
	if !builtin || kinds[gvk.Kind] {
		return nil
	}
	where := fmt.Sprintf("API group %q", gvk.Group)
	if gvk.Group == "" {
		where = "the core API group"
	}
	err := fmt.Errorf("%w %q in %s (apiVersion %s)", ErrUnknownKind, gvk.Kind, where, gvk.GroupVersion().String())
	if s := suggestKind(kinds, gvk.Kind); s != "" {
		return fmt.Errorf("%w; did you mean %q?", err, s)
	}
	var others []string
	for g, ks := range groups {
		if ks[gvk.Kind] {
			others = append(others, g)
		}
	}
	if len(others) == 0 {
		return err
	}
	slices.Sort(others)
	if k, ok := LookupKind(schema.GroupKind{Group: others[0], Kind: gvk.Kind}); ok && len(others) == 1 {
		if k.Group == "" {
			return fmt.Errorf("%w; %s is a kind of the core API group (apiVersion %s)", err, gvk.Kind, k.GroupVersion().String())
		}
		return fmt.Errorf("%w; %s is a kind of API group %q (apiVersion %s)", err, gvk.Kind, k.Group, k.GroupVersion().String())
	}
	for i, g := range others {
		if g == "" {
			others[i] = "core"
		}
	}
	return fmt.Errorf("%w; %s is a kind of API groups %s", err, gvk.Kind, strings.Join(others, ", "))
}

// suggestKind returns the kind of kinds that kind is most likely a misspelling of (see
// spell.Closest; names of four letters or fewer only in another case), or "".
func suggestKind(kinds map[string]bool, kind string) string {
	candidates := make([]string, 0, len(kinds))
	for k := range kinds {
		if len(kind) > 4 || strings.EqualFold(k, kind) {
			candidates = append(candidates, k)
		}
	}
	slices.Sort(candidates)
	return spell.Closest(kind, candidates)
}
