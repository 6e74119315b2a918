package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// maxDefaultNamespaceObjects bounds the objects kept of one resource of namespace default by
// WithDefaultNamespaceListing; a resource with more is Incomplete.
const maxDefaultNamespaceObjects = 10000

// WithDefaultNamespaceListing has the loader also list, as metadata only, every namespaced
// resource of namespace default that is not a built-in kind (see BuiltinKinds), so that a
// check about what namespace default holds can see all of it: PersistentVolumeClaims,
// Leases, custom resources... The result is Inventory.DefaultNamespaceListing.
//
// The loader asks the server's discovery for its namespaced resources at their preferred
// versions, then lists each one that can be listed and created in namespace default only:
// one list request per such resource type (more for pages of WithPageSize), concurrently
// (WithListParallelism), each request bounded by WithRequestTimeout and retried as
// WithRetries says. Objects are read through the metadata client (WithMetadataClient;
// FromConfig sets one), as PartialObjectMetadata: the listing keeps their names, UIDs,
// labels and owner references, never a body, an annotation or a Secret's value. Endpoints
// and EndpointSlices are the exception: they are read whole with the clientset, since the
// API server's own (those of the kubernetes Service) are recognised by their ports. Events
// (core and events.k8s.io) are not listed: they are records the kubelet and the controllers
// write about objects (into default for cluster-scoped ones such as Nodes), and expire.
// Resources nobody can create (no create verb: PodMetrics and other views an aggregated API
// computes from other objects) are not listed either.
//
// A discovery that fails for some groups, a resource the server forbids or whose list fails,
// and one with more than 10,000 objects in namespace default, are recorded in the listing
// (see DefaultNamespaceListing.Unseen); they are not load errors.
//
// A Watch lists them as well, once before its first inventory and again every
// WithDefaultNamespaceRefresh period (DefaultNamespaceRefresh by default): a listing that
// differs from the current one (objects created, deleted or relabelled, a resource forbidden
// or allowed) becomes a new snapshot, with no Change (its objects are not in the indexes).
func WithDefaultNamespaceListing() ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) { o.defaultNamespace = true })
}

// DefaultNamespaceRefresh is how often, by default, a Watch with WithDefaultNamespaceListing
// lists namespace default's other resources again.
const DefaultNamespaceRefresh = 10 * time.Minute

// WithDefaultNamespaceRefresh sets how often a Watch with WithDefaultNamespaceListing lists
// namespace default's other resources again (DefaultNamespaceRefresh by default): each time,
// one discovery of the server's namespaced resources and one list (a page of WithPageSize)
// per resource type. Zero or less keeps the default. One-shot loads ignore it.
func WithDefaultNamespaceRefresh(d time.Duration) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) {
		if d > 0 {
			o.defaultNamespaceEvery = d
		}
	})
}

// SetDefaultNamespaceListing makes l the inventory's DefaultNamespaceListing (nil: none), in
// place of the one it had. It adds or removes no object: the listing's objects are not in the
// inventory's indexes.
func SetDefaultNamespaceListing(l *DefaultNamespaceListing) Edit { return defaultNSEdit{l} }

type defaultNSEdit struct{ l *DefaultNamespaceListing }

func (e defaultNSEdit) apply(ed *editor) error {
	ed.inv.defaultNS = e.l
	return nil
}

// sameListing reports whether two listings of namespace default say the same: the same
// coverage of each resource and the same objects (kind, name, UID, labels, owner references;
// Endpoints and EndpointSlices whole).
func sameListing(a, b *DefaultNamespaceListing) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !slices.Equal(a.resources, b.resources) || len(a.objects) != len(b.objects) {
		return false
	}
	for i, o := range a.objects {
		p := b.objects[i]
		if o.gvk != p.gvk || o.namespace != p.namespace || o.name != p.name || o.uid != p.uid ||
			!equality.Semantic.DeepEqual(o.obj, p.obj) {
			return false
		}
	}
	return true
}

// ResourceCoverage records whether and how one resource of namespace default was listed
// (WithDefaultNamespaceListing).
type ResourceCoverage struct {
	// Group and Version are the resource's API group ("" for the core group) and the version
	// it was listed at.
	Group   string `json:"group,omitempty"`
	Version string `json:"version"`
	// Resource is the resource's name, e.g. "persistentvolumeclaims"; empty for an entry
	// about a whole group version whose discovery failed.
	Resource string `json:"resource,omitempty"`
	// Kind is the kind of the resource's objects.
	Kind string `json:"kind,omitempty"`
	// State is Listed, Forbidden, Failed or Incomplete (too many objects to keep).
	State State `json:"state"`
	// Count is the number of objects of the resource in the listing.
	Count int `json:"count"`
	// Reason says why the resource was not listed completely; empty when it was.
	Reason string `json:"reason,omitempty"`
}

// String names the resource as kubectl does ("persistentvolumeclaims",
// "widgets.example.com"), or the group version whose discovery failed.
func (c ResourceCoverage) String() string {
	switch {
	case c.Resource == "":
		return schema.GroupVersion{Group: c.Group, Version: c.Version}.String()
	case c.Group == "":
		return c.Resource
	}
	return c.Resource + "." + c.Group
}

// DefaultNamespaceListing is what a cluster load saw, besides the built-in kinds, of namespace
// default (see WithDefaultNamespaceListing). It is immutable.
type DefaultNamespaceListing struct {
	objects   []*Object
	resources []ResourceCoverage

	indexOnce sync.Once
	byName    map[objKey]*Object
}

// Get returns the listed object of kind gk named name (in namespace default), or nil.
func (l *DefaultNamespaceListing) Get(gk schema.GroupKind, name string) *Object {
	l.indexOnce.Do(func() {
		l.byName = make(map[objKey]*Object, len(l.objects))
		for _, o := range l.objects {
			l.byName[objKey{o.GroupKind(), o.namespace, o.name}] = o
		}
	})
	return l.byName[objKey{gk, metav1.NamespaceDefault, name}]
}

// Listed reports whether the resource of kind gk was listed completely: its objects in
// namespace default are all among Objects.
func (l *DefaultNamespaceListing) Listed(gk schema.GroupKind) bool {
	for _, r := range l.resources {
		if r.Resource != "" && r.Group == gk.Group && r.Kind == gk.Kind {
			return r.State == Listed
		}
	}
	return false
}

// Objects returns the objects listed, in the order of Inventory.Objects: unstructured, with
// apiVersion, kind and metadata (name, namespace, UID, labels, owner references) only, but
// for Endpoints and EndpointSlices, which are whole. They are not in the inventory's indexes.
func (l *DefaultNamespaceListing) Objects() []*Object { return slices.Clone(l.objects) }

// Resources returns how each resource was listed, sorted by group and resource.
func (l *DefaultNamespaceListing) Resources() []ResourceCoverage { return slices.Clone(l.resources) }

// Unseen returns the resources (or group versions) not listed completely: forbidden, failed,
// too many objects, or not found by a discovery that failed.
func (l *DefaultNamespaceListing) Unseen() []ResourceCoverage {
	var out []ResourceCoverage
	for _, r := range l.resources {
		if r.State != Listed {
			out = append(out, r)
		}
	}
	return out
}

// DefaultNamespaceListing returns what the load listed of namespace default beyond the
// built-in kinds, or nil when it did not (manifests, or a cluster load without
// WithDefaultNamespaceListing).
func (inv *Inventory) DefaultNamespaceListing() *DefaultNamespaceListing { return inv.defaultNS }

// notListedInDefault reports whether a namespaced resource is left out of the listing of
// namespace default, and why not: built-in kinds are listed in full already; Events are
// records about objects; resources that cannot be listed or created hold no objects anyone
// placed there.
func notListedInDefault(group string, r metav1.APIResource) bool {
	if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "create") {
		return true
	}
	if r.Name == "events" && (group == "" || group == "events.k8s.io") {
		return true
	}
	_, builtin := LookupKind(schema.GroupKind{Group: group, Kind: r.Kind})
	return builtin
}

// listDefaultNamespace lists namespace default's namespaced resources that are not built-in
// kinds (WithDefaultNamespaceListing) into a DefaultNamespaceListing.
func (l *clusterLoader) listDefaultNamespace(ctx context.Context) *DefaultNamespaceListing {
	out := &DefaultNamespaceListing{}
	dctx, cancel := context.WithTimeout(ctx, l.requestTimeout)
	lists, err := discovery.ServerPreferredNamespacedResourcesWithContext(dctx, discovery.ToDiscoveryInterfaceWithContext(l.cs.Discovery()))
	cancel()
	var failed *discovery.ErrGroupDiscoveryFailed
	switch {
	case errors.As(err, &failed):
		for gv, gerr := range failed.Groups {
			out.resources = append(out.resources, ResourceCoverage{Group: gv.Group, Version: gv.Version,
				State: stateOf(gerr), Reason: "discovery of the group version failed: " + gerr.Error()})
		}
	case err != nil:
		out.resources = append(out.resources, ResourceCoverage{Version: "v1", State: stateOf(err),
			Reason: "discovery of the namespaced resources failed: " + err.Error()})
		sortResources(out.resources)
		return out
	}
	type task struct {
		gvr  schema.GroupVersionResource
		kind string
	}
	var tasks []task
	for _, rl := range lists {
		gv, err := schema.ParseGroupVersion(rl.GroupVersion)
		if err != nil {
			// Its resources cannot be listed: said, so that the checks do not pass without them.
			out.resources = append(out.resources, ResourceCoverage{Version: rl.GroupVersion, State: Failed,
				Reason: "discovery gave a group version that does not parse: " + err.Error()})
			continue
		}
		for _, r := range rl.APIResources {
			if r.Namespaced && !notListedInDefault(gv.Group, r) {
				tasks = append(tasks, task{gv.WithResource(r.Name), r.Kind})
			}
		}
	}
	results := make([]ResourceCoverage, len(tasks))
	objs := make([][]*Object, len(tasks))
	var g errgroup.Group
	g.SetLimit(l.parallelism)
	for i, t := range tasks {
		g.Go(func() error {
			objs[i], results[i] = l.listInDefault(ctx, t.gvr, t.kind)
			return nil
		})
	}
	_ = g.Wait() // tasks report through results
	out.resources = append(out.resources, results...)
	for _, o := range objs {
		out.objects = append(out.objects, o...)
	}
	sortResources(out.resources)
	out.objects = sortObjects(out.objects)
	return out
}

// listInDefault lists one resource in namespace default.
func (l *clusterLoader) listInDefault(ctx context.Context, gvr schema.GroupVersionResource, kind string) ([]*Object, ResourceCoverage) {
	cov := ResourceCoverage{Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource, Kind: kind}
	gvk := gvr.GroupVersion().WithKind(kind)
	list := l.defaultNamespacePager(gvr, gvk)
	if list == nil {
		cov.State, cov.Reason = Failed, "no metadata client to list it with (WithMetadataClient)"
		return nil, cov
	}
	raw, err := l.listAllMax(ctx, list, maxDefaultNamespaceObjects)
	if err != nil && !errors.Is(err, errTooMany) {
		cov.State, cov.Reason = stateOf(err), err.Error()
		return nil, cov
	}
	cov.State = Listed
	if err != nil {
		cov.State, cov.Reason = Incomplete, err.Error()
	}
	objs := make([]*Object, 0, len(raw))
	for _, r := range raw {
		o, werr := wrap(r, Source{})
		if werr != nil {
			cov.State, cov.Reason = Failed, werr.Error()
			continue
		}
		objs = append(objs, o)
	}
	cov.Count = len(objs)
	return objs, cov
}

// defaultNamespacePager returns how one resource of namespace default is listed: Endpoints
// and EndpointSlices whole with the clientset, the others as metadata (nil without a
// metadata client). Each item comes as *unstructured.Unstructured of gvk.
func (l *clusterLoader) defaultNamespacePager(gvr schema.GroupVersionResource, gvk schema.GroupVersionKind) pageFunc {
	ns := metav1.NamespaceDefault
	switch {
	case gvr == corev1.SchemeGroupVersion.WithResource("endpoints"):
		list := func(ctx context.Context, opts metav1.ListOptions) (*corev1.EndpointsList, error) {
			return l.cs.CoreV1().Endpoints(ns).List(expectingDeprecation(ctx), opts)
		}
		return listPages(list, func(l *corev1.EndpointsList) []corev1.Endpoints { return l.Items }).asUnstructured(gvk)
	case gvr == discoveryv1.SchemeGroupVersion.WithResource("endpointslices"):
		return listPages(l.cs.DiscoveryV1().EndpointSlices(ns).List,
			func(l *discoveryv1.EndpointSliceList) []discoveryv1.EndpointSlice { return l.Items }).asUnstructured(gvk)
	case l.md == nil:
		return nil
	}
	return func(ctx context.Context, opts metav1.ListOptions, dst []runtime.Object) ([]runtime.Object, string, error) {
		pl, err := l.md.Resource(gvr).Namespace(ns).List(ctx, opts)
		if err != nil {
			return dst, "", err
		}
		for i := range pl.Items {
			m := &pl.Items[i].ObjectMeta
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			u.SetNamespace(m.Namespace)
			u.SetName(m.Name)
			u.SetUID(m.UID)
			u.SetLabels(m.Labels)
			u.SetOwnerReferences(m.OwnerReferences)
			dst = append(dst, u)
		}
		return dst, pl.Continue, nil
	}
}

// asUnstructured converts each typed item p lists to *unstructured.Unstructured of gvk.
func (p pageFunc) asUnstructured(gvk schema.GroupVersionKind) pageFunc {
	return func(ctx context.Context, opts metav1.ListOptions, dst []runtime.Object) ([]runtime.Object, string, error) {
		n := len(dst)
		dst, cont, err := p(ctx, opts, dst)
		if err != nil {
			return dst[:n], "", err
		}
		for i := n; i < len(dst); i++ {
			m, cerr := runtime.DefaultUnstructuredConverter.ToUnstructured(dst[i])
			if cerr != nil {
				return dst[:n], "", fmt.Errorf("convert %s: %w", gvk.Kind, cerr)
			}
			u := &unstructured.Unstructured{Object: m}
			u.SetGroupVersionKind(gvk)
			dst[i] = u
		}
		return dst, cont, nil
	}
}

// stateOf is the coverage state of a failed list or discovery.
func stateOf(err error) State {
	if apierrors.IsForbidden(err) {
		return Forbidden
	}
	return Failed
}

func sortResources(rs []ResourceCoverage) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Version < b.Version
	})
}
