package admission

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"github.com/kspm-dev/kspm/inventory"
)

// A policy's rules name resources ("deployments"), an object has a kind ("Deployment"): the
// API server knows the resource of every kind it serves. Offline, resources come from the
// inventory's built-in kinds, the kinds client-go knows, and the CustomResourceDefinitions in
// the inventory; a resource found none of these ways is guessed from the kind, and a verdict
// that depends on the guess is notEvaluated.

// resourceInfo is what the API server would know about an object's resource.
type resourceInfo struct {
	gvr schema.GroupVersionResource
	// guessed: the resource name is a guess from the kind.
	guessed bool
	// equivalents are the same resource at other versions (or groups) the API server serves
	// it at, for matchPolicy Equivalent, with the kind at each.
	equivalents map[schema.GroupVersionResource]schema.GroupVersionKind
}

// resources maps kinds to resources for one inventory.
type resources struct {
	crds map[schema.GroupKind]inventory.CustomResource
}

func newResources(inv *inventory.Inventory) *resources {
	return &resources{crds: inventory.CustomResources(inv)}
}

// multiVersion lists the built-in resources a 1.37 API server serves, with its default API
// set, at more than one version or group, which matchPolicy Equivalent matches as one.
var multiVersion = [][]schema.GroupVersionKind{
	{
		{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"},
		{Group: "autoscaling", Version: "v1", Kind: "HorizontalPodAutoscaler"},
	},
	{
		{Group: "", Version: "v1", Kind: "Event"},
		{Group: "events.k8s.io", Version: "v1", Kind: "Event"},
	},
}

// resource returns the resource of gvk.
func (r *resources) resource(gvk schema.GroupVersionKind) resourceInfo {
	gk := gvk.GroupKind()
	if c, ok := r.crds[gk]; ok && c.Plural != "" {
		info := resourceInfo{gvr: gvk.GroupVersion().WithResource(c.Plural)}
		for _, v := range c.Served {
			if v != gvk.Version {
				info.addEquivalent(gk.WithVersion(v), c.Plural)
			}
		}
		return info
	}
	plural, known := builtinResource(gvk)
	info := resourceInfo{gvr: gvk.GroupVersion().WithResource(plural), guessed: !known}
	for _, set := range multiVersion {
		for _, k := range set {
			if k == gvk {
				for _, other := range set {
					if other != gvk {
						p, _ := builtinResource(other)
						info.addEquivalent(other, p)
					}
				}
			}
		}
	}
	return info
}

func (i *resourceInfo) addEquivalent(gvk schema.GroupVersionKind, plural string) {
	if i.equivalents == nil {
		i.equivalents = make(map[schema.GroupVersionResource]schema.GroupVersionKind)
	}
	i.equivalents[gvk.GroupVersion().WithResource(plural)] = gvk
}

// builtinResource returns the resource of a kind Kubernetes defines, and whether the kind is
// one (otherwise the name is a guess).
func builtinResource(gvk schema.GroupVersionKind) (string, bool) {
	if k, ok := inventory.LookupKind(gvk.GroupKind()); ok {
		return k.Resource, true
	}
	guess, _ := meta.UnsafeGuessKindToResource(gvk)
	if gvk.Group == "" && gvk.Kind == "Endpoints" { // the one built-in plural the guess gets wrong
		return "endpoints", true
	}
	return guess.Resource, clientgoscheme.Scheme.Recognizes(gvk)
}

// objectInterfaces gives the matcher the equivalents of one object's resource. Nothing is
// converted: a policy that matches an object only at another version is not evaluated (see
// evaluate), so the creator and convertor are never asked.
type objectInterfaces struct {
	info resourceInfo
	kind schema.GroupVersionKind
}

var _ admission.ObjectInterfaces = objectInterfaces{}

func (o objectInterfaces) GetObjectCreater() runtime.ObjectCreater     { return nil }
func (o objectInterfaces) GetObjectTyper() runtime.ObjectTyper         { return nil }
func (o objectInterfaces) GetObjectDefaulter() runtime.ObjectDefaulter { return nil }
func (o objectInterfaces) GetObjectConvertor() runtime.ObjectConvertor { return nil }
func (o objectInterfaces) GetEquivalentResourceMapper() runtime.EquivalentResourceMapper {
	return equivalents(o)
}

// equivalents is the runtime.EquivalentResourceMapper of one object's resource.
type equivalents objectInterfaces

func (e equivalents) EquivalentResourcesFor(resource schema.GroupVersionResource, subresource string) []schema.GroupVersionResource {
	if resource != e.info.gvr || subresource != "" {
		return nil
	}
	out := []schema.GroupVersionResource{e.info.gvr}
	for gvr := range e.info.equivalents {
		out = append(out, gvr)
	}
	// A fixed order, so that the first equivalent a rule matches is always the same.
	sortGVRs(out[1:])
	return out
}

func (e equivalents) KindFor(resource schema.GroupVersionResource, subresource string) schema.GroupVersionKind {
	if subresource != "" {
		return schema.GroupVersionKind{}
	}
	if resource == e.info.gvr {
		return e.kind
	}
	return e.info.equivalents[resource]
}

func sortGVRs(s []schema.GroupVersionResource) {
	slices.SortFunc(s, func(a, b schema.GroupVersionResource) int { return strings.Compare(a.String(), b.String()) })
}

// namespaced reports whether objects of gk live in namespaces, and whether that is known: for
// the kinds Kubernetes serves itself and the kinds of the inventory's CustomResourceDefinitions
// (inventory.ScopeOf), or from the objects of the kind in the inventory when they agree.
func (r *resources) namespaced(inv *inventory.Inventory, gk schema.GroupKind) (namespaced, known bool) {
	switch inventory.ScopeOf(gk, r.crds) {
	case inventory.ScopeNamespaced:
		return true, true
	case inventory.ScopeCluster:
		return false, true
	}
	objs := inv.ByKind(gk)
	if len(objs) == 0 {
		return true, false
	}
	ns := objs[0].Namespace() != ""
	for _, o := range objs[1:] {
		if (o.Namespace() != "") != ns {
			return true, false
		}
	}
	return ns, true
}
