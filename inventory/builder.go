package inventory

import (
	"fmt"
	goruntime "runtime"
	"slices"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Builder assembles an Inventory. Its methods are safe for concurrent use; Build may be called
// once, after which the Builder must not be used.
type Builder struct {
	mu       sync.Mutex
	mode     Mode
	sources  []string
	version  string
	objects  []*Object
	coverage map[schema.GroupKind]Coverage
	errs     []error
	warnings []error
	complete bool // manifests declared complete (WithCompleteInput)
	// defaultNS is the listing of namespace default (WithDefaultNamespaceListing).
	defaultNS *DefaultNamespaceListing
}

// NewBuilder returns an empty Builder for an inventory of the given mode.
func NewBuilder(mode Mode) *Builder {
	return &Builder{mode: mode, coverage: make(map[schema.GroupKind]Coverage)}
}

// AddSource records an input the inventory was read from (a path or a cluster address).
func (b *Builder) AddSource(s string) {
	b.mu.Lock()
	b.sources = append(b.sources, s)
	b.mu.Unlock()
}

// SetServerVersion records the Kubernetes version of the API server the objects came from,
// e.g. "v1.37.2".
func (b *Builder) SetServerVersion(v string) {
	b.mu.Lock()
	b.version = v
	b.mu.Unlock()
}

// Add adds one object read from src. Typed objects of built-in kinds are kept as they are;
// an *unstructured.Unstructured of a built-in kind is converted to its typed form. The object's
// kind comes from its TypeMeta, or from its Go type for typed built-in objects.
func (b *Builder) Add(obj runtime.Object, src Source) error {
	o, err := wrap(obj, src)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.objects = append(b.objects, o)
	b.mu.Unlock()
	return nil
}

// SetCoverage records how a kind was seen. Count is filled in by Build.
func (b *Builder) SetCoverage(c Coverage) {
	b.mu.Lock()
	b.coverage[c.GroupKind()] = c
	b.mu.Unlock()
}

// setDefaultNamespaceListing records the listing of namespace default.
func (b *Builder) setDefaultNamespaceListing(l *DefaultNamespaceListing) {
	b.mu.Lock()
	b.defaultNS = l
	b.mu.Unlock()
}

// AddError records a problem met while loading; the inventory reports it from Errors. A
// *SourceError is input that did not load, unless it wraps ErrUnknownField or ErrDuplicate,
// or is about a document that is no object (no kind, not a mapping): the kind its Object
// names ("Kind name"), or every kind when it names none, is then Incomplete (see
// Inventory.Coverage).
func (b *Builder) AddError(err error) {
	if err == nil {
		return
	}
	b.mu.Lock()
	b.errs = append(b.errs, err)
	b.mu.Unlock()
}

// AddWarning records a remark about input that was read: it loaded, with something the
// user should know (see Inventory.Warnings). A nil err is ignored.
func (b *Builder) AddWarning(err error) {
	if err == nil {
		return
	}
	b.mu.Lock()
	b.warnings = append(b.warnings, err)
	b.mu.Unlock()
}

// Build returns the inventory. Objects are ordered by group, kind, namespace and name, then by
// source (file, line, then render root). An object manifests define more than once (the same
// kind, namespace and name in two files, or twice in one) keeps every definition, each with
// its own Source, and gets one warning naming all its places (see Inventory.Warnings and
// View). In an inventory listed from an API server (ModeCluster), which holds each object
// once, the second of two such objects is dropped with an error that names both sources.
func (b *Builder) Build() *Inventory {
	b.mu.Lock()
	defer b.mu.Unlock()
	objs := b.objects
	b.objects = nil
	for i, o := range objs {
		o.cacheMeta()
		o.seq = int32(i)
		o.build = 0
	}
	build := builds.Add(1)
	// compareObjects ends on the order of Add, so this unstable sort gives the stable order.
	objs = sortObjects(objs)
	inv := &Inventory{
		mode:     b.mode,
		version:  b.version,
		sources:  b.sources,
		byKind:   make(map[schema.GroupKind][]*Object),
		byNSKind: make(map[nsKind][]*Object),
		byName:   make(map[objKey]*Object, len(objs)),
		byUID:    make(map[types.UID]*Object),
		coverage: b.coverage,
		errs:     b.errs,
		warnings: b.warnings,
		complete: b.complete,
	}
	inv.defaultNS = b.defaultNS
	inv.objects = make([]*Object, 0, len(objs))
	// run is where the objects of the identity under way start in inv.objects: the objects
	// of one identity are next to each other in this order.
	run := 0
	for _, o := range objs {
		k := objKey{o.GroupKind(), o.Namespace(), o.Name()}
		if prev, dup := inv.byName[k]; dup {
			if b.mode == ModeCluster {
				inv.errs = append(inv.errs, &SourceError{Source: o.source, Object: o.String(),
					Err: fmt.Errorf("%w: %s is already defined at %s", ErrDuplicate, o, describeSource(prev.source))})
				continue
			}
		} else {
			inv.endVariants(inv.objects[run:])
			run = len(inv.objects)
		}
		inv.byName[k] = o // the last definition: see Get
		o.build, o.rank = build, int32(len(inv.objects))
		if prev := len(inv.objects) - 1; prev >= 0 && compareIdentities(inv.objects[prev], o) == 0 {
			o.rank = inv.objects[prev].rank
		}
		inv.objects = append(inv.objects, o)
		inv.byKind[k.gk] = append(inv.byKind[k.gk], o)
		inv.byNSKind[nsKind{k.gk, k.ns}] = append(inv.byNSKind[nsKind{k.gk, k.ns}], o)
		if uid := o.uid; uid != "" {
			inv.byUID[uid] = o
		}
	}
	inv.endVariants(inv.objects[run:])
	for gk, c := range inv.coverage {
		c.Count = len(inv.byKind[gk])
		inv.coverage[gk] = c
	}
	inv.failures = failuresOf(inv.errs)
	inv.podTmpls = buildPodTemplates(inv)
	return inv
}

// builds numbers the calls of Build (see Object.build).
var builds atomic.Uint64

// sortObjects sorts objs by compareObjects, a total order, in parts on up to GOMAXPROCS
// goroutines that are then merged, and returns them sorted (in objs or in a new slice).
func sortObjects(objs []*Object) []*Object {
	parts := min(goruntime.GOMAXPROCS(0), len(objs)/4096)
	if parts < 2 {
		slices.SortFunc(objs, compareObjects)
		return objs
	}
	sorted := make([][]*Object, parts)
	var wg sync.WaitGroup
	for i := range sorted {
		sorted[i] = objs[i*len(objs)/parts : (i+1)*len(objs)/parts]
		wg.Go(func() { slices.SortFunc(sorted[i], compareObjects) })
	}
	wg.Wait()
	out := make([]*Object, 0, len(objs))
	for len(sorted) > 0 { // each step takes the least of the parts' first objects
		least := 0
		for i := 1; i < len(sorted); i++ {
			if compareObjects(sorted[i][0], sorted[least][0]) < 0 {
				least = i
			}
		}
		out = append(out, sorted[least][0])
		if sorted[least] = sorted[least][1:]; len(sorted[least]) == 0 {
			sorted = slices.Delete(sorted, least, least+1)
		}
	}
	return out
}

// endVariants records the definitions of one object, in inventory order, as its variants when
// there are several, and warns of them.
func (inv *Inventory) endVariants(defs []*Object) {
	if len(defs) < 2 {
		return
	}
	vs := slices.Clone(defs)
	for _, o := range vs {
		o.variant = &variant{defs: vs, place: newPlace(o.source.File, o.source.Root)}
	}
	inv.variantCount++
	inv.warnings = append(inv.warnings, variantsWarning(vs))
}

func describeSource(s Source) string {
	if s.File == "" {
		return "the API"
	}
	return s.String()
}

// wrap turns obj into an Object, converting unstructured built-in kinds to typed objects.
func wrap(obj runtime.Object, src Source) (*Object, error) {
	if obj == nil {
		return nil, fmt.Errorf("nil object")
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	if u, ok := obj.(*unstructured.Unstructured); ok {
		if gvk.Kind == "" {
			return nil, &SourceError{Source: src, Err: fmt.Errorf("object has no kind")}
		}
		if k, ok := LookupKind(gvk.GroupKind()); ok {
			typedObj := k.New()
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typedObj); err != nil {
				return nil, &SourceError{Source: src, Object: gvk.Kind + " " + u.GetName(), Err: err}
			}
			return newObject(typedObj, gvk, src)
		}
		return newObject(u, gvk, src)
	}
	if gvk.Kind == "" {
		k, ok := kindOfType(obj)
		if !ok {
			return nil, fmt.Errorf("%T: unknown kind; set its TypeMeta", obj)
		}
		gvk = k.GroupVersionKind
	}
	return newObject(obj, gvk, src)
}

var kindsByType = func() map[string]KindInfo {
	m := make(map[string]KindInfo)
	for _, k := range builtinKinds {
		m[fmt.Sprintf("%T", k.New())] = k
	}
	return m
}()

func kindOfType(obj runtime.Object) (KindInfo, bool) {
	k, ok := kindsByType[fmt.Sprintf("%T", obj)]
	return k, ok
}

// New returns an inventory in manifest mode holding objs, for tests and for callers that
// already have their objects. Objects with no source get none.
func New(objs ...runtime.Object) (*Inventory, error) {
	b := NewBuilder(ModeManifests)
	for _, o := range objs {
		if err := b.Add(o, Source{}); err != nil {
			return nil, err
		}
	}
	return b.Build(), nil
}
