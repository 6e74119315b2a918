package inventory

import (
	"fmt"
	"slices"
	"strings"
	"sync"

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

// suggestKind returns the kind of kinds that kind is most likely a misspelling of: the same
// name in another case, or one at most two edits away (for names of more than four letters);
// "" when there is none or no single best.
func suggestKind(kinds map[string]bool, kind string) string {
	best, bestDist, tie := "", 3, false
	for k := range kinds {
		if strings.EqualFold(k, kind) {
			return k
		}
		if len(kind) <= 4 {
			continue
		}
		switch d := editDistance(strings.ToLower(k), strings.ToLower(kind)); {
		case d < bestDist:
			best, bestDist, tie = k, d, false
		case d == bestDist:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// editDistance returns the Damerau-Levenshtein distance (optimal string alignment) of a and
// b, counting bytes: insertions, deletions, substitutions and swaps of adjacent letters.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
