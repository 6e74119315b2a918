package inventory

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Snapshots: an inventory kept current (a cluster watched, see Watch) is a series of
// immutable inventories, each the one before with a few edits (With). A derived inventory
// does not copy its predecessor: it holds the flat inventory it derives from (its base),
// shared with every other snapshot of that base, and an overlay of the objects put or removed
// since, keyed by kind, namespace and name. Lookups by name and UID read the overlay, then the
// base. The ordered lists (ByKind, InNamespace, Objects, PodTemplates) of a kind or namespace
// the overlay does not touch are the base's own slices; those it touches are merged once, on
// first use, and kept by the snapshot. Objects themselves are shared, never copied. When the
// overlay grows past about twice the square root of the base's size (so that copying it at
// each edit and rebuilding the base now and then cost about the same per edit), With builds a
// new flat base holding every object once, in linear time.

// ErrVariants is wrapped by the error With returns for an inventory that defines an object in
// several places (see View): an edit by kind, namespace and name would not say which.
var ErrVariants = errors.New("inventory defines objects in several places")

// Change is an object that differs between two inventories, one derived from the other: Old
// in the one before (nil when the object was created), New in the one after (nil when it was
// deleted).
type Change struct{ Old, New *Object }

// Edit is one change With makes: Put, Remove or SetCoverage.
type Edit interface{ apply(*editor) error }

// Put adds obj, or puts it in place of the object of its kind, namespace and name. It is
// wrapped as Builder.Add wraps objects (an unstructured object of a built-in kind is converted
// to its typed form); it must not be modified afterwards.
func Put(obj runtime.Object) Edit { return putEdit{obj} }

// Remove removes the object of kind gk named name in namespace ("" for cluster-scoped kinds);
// removing an object the inventory does not hold does nothing.
func Remove(gk schema.GroupKind, namespace, name string) Edit {
	return removeEdit{objKey{gk, namespace, name}}
}

// SetCoverage records how the kind of c was seen (Coverage counts the objects itself: c.Count
// is ignored), and makes err the kind's load error in Errors in place of the one it had (a
// *ListError naming the kind), after the others, or leaves it none when err is nil. It adds or
// removes no object: a kind that could no longer be listed is emptied with Remove.
func SetCoverage(c Coverage, err error) Edit { return coverageEdit{c, err} }

type putEdit struct{ obj runtime.Object }

func (e putEdit) apply(ed *editor) error {
	o, err := wrap(e.obj, Source{})
	if err != nil {
		return err
	}
	ed.set(objKey{o.GroupKind(), o.namespace, o.name}, o)
	return nil
}

type removeEdit struct{ k objKey }

func (e removeEdit) apply(ed *editor) error {
	ed.set(e.k, nil)
	return nil
}

type coverageEdit struct {
	c   Coverage
	err error
}

func (e coverageEdit) apply(ed *editor) error {
	gk := e.c.GroupKind()
	if gk.Kind == "" {
		return errors.New("SetCoverage: no kind")
	}
	e.c.Count = 0
	ed.inv.coverage[gk] = e.c
	errs := ed.inv.errs[:0:0]
	for _, err := range ed.inv.errs {
		var le *ListError
		if errors.As(err, &le) && le.Kind == gk {
			continue
		}
		errs = append(errs, err)
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	ed.inv.errs = errs
	return nil
}

// overlay is what a derived inventory adds to its base.
type overlay struct {
	base *Inventory // flat: its own overlay is nil
	// objs holds every key put or removed since base: the object now, or nil when removed.
	objs map[objKey]*Object
	// uids indexes by UID the objects of objs.
	uids map[types.UID]*Object
	// touched are the kinds and the (kind, namespace) pairs objs has keys of.
	touched   map[schema.GroupKind]bool
	touchedNS map[nsKind]bool
	// counts are the objects per kind, of every kind that has any; n is their sum.
	counts map[schema.GroupKind]int
	n      int

	mu       sync.Mutex // guards the merged lists below
	byKind   map[schema.GroupKind][]*Object
	byNSKind map[nsKind][]*Object
	objects  []*Object
	merged   bool // objects is set
}

// editor applies edits to a new inventory being derived.
type editor struct {
	inv *Inventory
	ov  *overlay
}

func (ed *editor) set(k objKey, o *Object) {
	ov := ed.ov
	prev := ov.current(k)
	if prev != nil {
		ov.counts[k.gk]--
		if ov.counts[k.gk] == 0 {
			delete(ov.counts, k.gk)
		}
		ov.n--
		if prev.uid != "" && ov.uids[prev.uid] == prev {
			delete(ov.uids, prev.uid)
		}
	}
	if o != nil {
		ov.counts[k.gk]++
		ov.n++
		if o.uid != "" {
			ov.uids[o.uid] = o
		}
	}
	ov.objs[k] = o
	ov.touched[k.gk] = true
	ov.touchedNS[nsKind{k.gk, k.ns}] = true
}

// current returns the object of key k in the inventory being edited, or nil.
func (ov *overlay) current(k objKey) *Object {
	if o, ok := ov.objs[k]; ok {
		return o
	}
	return ov.base.byName[k]
}

// With returns a new inventory: inv with edits applied in order. inv itself does not change,
// and the two share every object and index the edits leave alone (see the package's notes on
// snapshots). An edit that fails (a Put of an object with no kind or metadata) is reported in
// the error, naming the object, and the others are applied. An inventory that defines an
// object in several places (HasVariants) cannot be edited: With returns an error wrapping
// ErrVariants, and no inventory.
func (inv *Inventory) With(edits ...Edit) (*Inventory, error) {
	if inv.HasVariants() {
		return nil, fmt.Errorf("inventory.With: %w", ErrVariants)
	}
	base, prev := inv, (*overlay)(nil)
	if inv.ov != nil {
		base, prev = inv.ov.base, inv.ov
	}
	next := &Inventory{mode: inv.mode, sources: inv.sources, version: inv.version,
		coverage: make(map[schema.GroupKind]Coverage, len(inv.coverage)+1),
		errs:     inv.errs, warnings: inv.warnings, complete: inv.complete, defaultNS: inv.defaultNS}
	for gk, c := range inv.coverage {
		next.coverage[gk] = c
	}
	ov := &overlay{base: base}
	if prev != nil {
		ov.objs = cloneMap(prev.objs, 1)
		ov.uids = cloneMap(prev.uids, 1)
		ov.touched = cloneMap(prev.touched, 1)
		ov.touchedNS = cloneMap(prev.touchedNS, 1)
		ov.counts = cloneMap(prev.counts, 1)
		ov.n = prev.n
	} else {
		ov.objs = make(map[objKey]*Object)
		ov.uids = make(map[types.UID]*Object)
		ov.touched = make(map[schema.GroupKind]bool)
		ov.touchedNS = make(map[nsKind]bool)
		ov.counts = make(map[schema.GroupKind]int, len(base.byKind))
		for gk, objs := range base.byKind {
			ov.counts[gk] = len(objs)
		}
		ov.n = len(base.objects)
	}
	next.ov = ov
	ed := &editor{inv: next, ov: ov}
	var errs []error
	for _, e := range edits {
		if e == nil {
			continue
		}
		if err := e.apply(ed); err != nil {
			errs = append(errs, err)
		}
	}
	next.failures = failuresOf(next.errs)
	if len(ov.objs) > compactAt(base.Len()) {
		next = next.flatten()
	}
	return next, errors.Join(errs...)
}

// compactAt is the overlay size past which With builds a new flat base for an inventory of n
// objects: copying the overlay costs about its size at each edit, rebuilding the base about n
// once every so many edits; twice the square root of n keeps both alike and small.
func compactAt(n int) int {
	return max(64, int(2*math.Sqrt(float64(n))))
}

func cloneMap[K comparable, V any](m map[K]V, extra int) map[K]V {
	out := make(map[K]V, len(m)+extra)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// flatten returns inv as a flat inventory: the same objects, coverage and errors, with
// indexes of its own.
func (inv *Inventory) flatten() *Inventory {
	objs := inv.Objects()
	flat := &Inventory{mode: inv.mode, sources: inv.sources, version: inv.version,
		objects:  objs,
		byKind:   make(map[schema.GroupKind][]*Object, len(inv.ov.counts)),
		byNSKind: make(map[nsKind][]*Object),
		byName:   make(map[objKey]*Object, len(objs)),
		byUID:    make(map[types.UID]*Object, len(objs)),
		coverage: inv.coverage, errs: inv.errs, warnings: inv.warnings, failures: inv.failures,
		complete: inv.complete, defaultNS: inv.defaultNS}
	for gk := range inv.ov.counts {
		flat.byKind[gk] = inv.ByKind(gk)
	}
	start := 0
	for i, o := range objs {
		k := objKey{o.GroupKind(), o.namespace, o.name}
		flat.byName[k] = o
		if o.uid != "" {
			flat.byUID[o.uid] = o
		}
		if i+1 == len(objs) || objs[i+1].namespace != o.namespace || objs[i+1].GroupKind() != k.gk {
			flat.byNSKind[nsKind{k.gk, k.ns}] = objs[start : i+1 : i+1]
			start = i + 1
		}
	}
	return flat
}

// lookup returns the object of key k, or nil.
func (inv *Inventory) lookup(k objKey) *Object {
	if inv.ov != nil {
		return inv.ov.current(k)
	}
	return inv.byName[k]
}

// count returns the number of objects of kind gk.
func (inv *Inventory) count(gk schema.GroupKind) int {
	if inv.ov != nil {
		return inv.ov.counts[gk]
	}
	return len(inv.byKind[gk])
}

func (ov *overlay) byUID(uid types.UID) *Object {
	if o, ok := ov.uids[uid]; ok {
		return o
	}
	o := ov.base.byUID[uid]
	if o == nil {
		return nil
	}
	if _, changed := ov.objs[objKey{o.GroupKind(), o.namespace, o.name}]; changed {
		return nil // replaced or removed: a replacement with the same UID is in uids
	}
	return o
}

func (ov *overlay) kind(gk schema.GroupKind) []*Object {
	if !ov.touched[gk] {
		return ov.base.byKind[gk]
	}
	return mergedOnce(ov, &ov.byKind, gk, ov.base.byKind[gk], func(k objKey) bool { return k.gk == gk })
}

func (ov *overlay) inNamespace(gk schema.GroupKind, ns string) []*Object {
	nk := nsKind{gk, ns}
	if !ov.touchedNS[nk] {
		return ov.base.byNSKind[nk]
	}
	return mergedOnce(ov, &ov.byNSKind, nk, ov.base.byNSKind[nk], func(k objKey) bool { return k.gk == gk && k.ns == ns })
}

// mergedOnce returns the list of key k in cache, merging it (see merge) on first use.
func mergedOnce[K comparable](ov *overlay, cache *map[K][]*Object, k K, base []*Object, in func(objKey) bool) []*Object {
	ov.mu.Lock()
	defer ov.mu.Unlock()
	if objs, ok := (*cache)[k]; ok {
		return objs
	}
	objs := ov.merge(base, in)
	if *cache == nil {
		*cache = make(map[K][]*Object)
	}
	(*cache)[k] = objs
	return objs
}

// merge returns base (objects in inventory order) without the keys of the overlay, plus the
// objects of the overlay whose key is in (the overlay's part of the same list), in order.
func (ov *overlay) merge(base []*Object, in func(objKey) bool) []*Object {
	var added []*Object
	for k, o := range ov.objs {
		if o != nil && in(k) {
			added = append(added, o)
		}
	}
	slices.SortFunc(added, compareObjects)
	out := make([]*Object, 0, len(base)+len(added))
	i := 0
	for _, o := range base {
		if _, changed := ov.objs[objKey{o.GroupKind(), o.namespace, o.name}]; changed {
			continue
		}
		for i < len(added) && compareObjects(added[i], o) < 0 {
			out = append(out, added[i])
			i++
		}
		out = append(out, o)
	}
	out = append(out, added[i:]...)
	if len(out) == 0 {
		return nil
	}
	return out
}

// all returns every object, in inventory order.
func (ov *overlay) all(inv *Inventory) []*Object {
	ov.mu.Lock()
	done := ov.merged
	ov.mu.Unlock()
	if done {
		return ov.objects
	}
	kinds := inv.Kinds()
	objs := make([]*Object, 0, ov.n)
	for _, gk := range kinds {
		objs = append(objs, ov.kind(gk)...)
	}
	ov.mu.Lock()
	defer ov.mu.Unlock()
	if !ov.merged {
		ov.objects, ov.merged = objs, true
	}
	return ov.objects
}

// OverlaySize returns the number of objects, put or removed, that inv holds apart from the
// flat inventory it derives from (see With): 0 for an inventory that is not derived, or was
// just rebuilt flat. Everything else is shared.
func (inv *Inventory) OverlaySize() int {
	if inv.ov == nil {
		return 0
	}
	return len(inv.ov.objs)
}

// SameKind reports whether a and b hold the very same objects of kind gk, with the same
// coverage: true when one derives from the other (With), or both from one inventory, without
// an edit of gk. It may answer false for inventories that merely hold equal objects. A cache of
// what was computed from one kind's objects can be kept from a to b when it is true.
func SameKind(a, b *Inventory, gk schema.GroupKind) bool {
	if a == b {
		return true
	}
	x, y := a.ByKind(gk), b.ByKind(gk)
	ca, cb := a.Coverage(gk), b.Coverage(gk)
	return len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0]) && ca.State == cb.State && ca.Reason == cb.Reason
}
