package inventory

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Variants: repositories keep the same object in several places (per environment, per
// provider, HA and non-HA installs), so manifests may define one kind, namespace and name more
// than once. Every definition stays in the inventory with its own Source and is evaluated; a
// reference from one object to another (a pod's Namespace and ServiceAccount, a binding's role,
// the NetworkPolicies of a namespace) goes through a View, which resolves it to the definition
// nearest the referring object. An API server holds each object once: inventories listed from
// one have no variants.

// nearestSameUnit is the score of a definition read from the same file as the view's object
// (or, for rendered objects, from the same render): above any count of common directories.
const nearestSameUnit = 1 << 30

// View is the inventory as a reference from one object sees it (see Inventory.From). Where the
// input defines an object in several places (variants), a lookup through a View gives the
// definition nearest the object viewed from:
//
//  1. one from the same file, or for an object a Renderer produced, from the same render (the
//     same Source.Root);
//  2. else one whose file (or render root) shares the most leading directories with the
//     object's;
//  3. among definitions still tied, the last in inventory order (file path, line, then render
//     root), which is the one applying the input in that order would leave.
//
// So the answer depends on where the objects were read from, never on the order the input was
// given or loaded in. Objects defined once are found as Inventory's own lookups find them.
//
// A View is a small value, safe for concurrent use. Two Views are equal (==) when every lookup
// gives the same answer through both: viewed from the same file or render, or from anywhere in
// an inventory without variants. A View can therefore key a cache of what was looked up through
// it.
type View struct {
	inv        *Inventory
	file, root string
}

// From returns the inventory as seen from o, for the lookups of what o references. A nil o,
// an object without a source, and any object of an inventory without variants give the view
// from nowhere in particular, where each lookup of a defined-many-times object gives the last
// definition in inventory order (as Inventory.Get does).
func (inv *Inventory) From(o *Object) View {
	switch {
	case o == nil || !inv.HasVariants():
		return View{inv: inv}
	case o.source.Root != "":
		return View{inv: inv, root: o.source.Root} // a render is one place, whatever its files
	}
	return View{inv: inv, file: o.source.File}
}

// Inventory returns the inventory the view looks at.
func (v View) Inventory() *Inventory { return v.inv }

// Get returns the object of kind gk named name in namespace ("" for cluster-scoped kinds) as
// the view sees it: the only definition, or the nearest of several (see View); nil when the
// inventory holds none.
func (v View) Get(gk schema.GroupKind, namespace, name string) *Object {
	o := v.inv.lookup(objKey{gk, namespace, name})
	if o == nil || o.variant == nil {
		return o
	}
	return nearest(newPlace(v.file, v.root), o.variant.defs)
}

// InNamespace returns the objects of kind gk in namespace as the view sees them, ordered by
// name: each object once, in its nearest definition. The slice may be shared: do not modify it.
func (v View) InNamespace(gk schema.GroupKind, namespace string) []*Object {
	return v.Nearest(v.inv.InNamespace(gk, namespace))
}

// ByKind returns the objects of kind gk as the view sees them, ordered by namespace and name:
// each object once, in its nearest definition. The slice may be shared: do not modify it.
func (v View) ByKind(gk schema.GroupKind) []*Object {
	return v.Nearest(v.inv.ByKind(gk))
}

// Nearest returns the objects of objs (objects of the view's inventory) as the view sees them:
// an object the input defines in several places is kept only in its definition nearest the
// view, in the place that definition has in objs; other objects are kept as they are. When
// nothing is left out, it returns objs itself.
func (v View) Nearest(objs []*Object) []*Object {
	if !v.inv.HasVariants() {
		return objs
	}
	var from *place // computed once, when a variant is met
	seen := func(o *Object) bool {
		if o.variant == nil {
			return true
		}
		if from == nil {
			p := newPlace(v.file, v.root)
			from = &p
		}
		return nearest(*from, o.variant.defs) == o
	}
	first := -1
	for i, o := range objs {
		if !seen(o) {
			first = i
			break
		}
	}
	if first < 0 {
		return objs
	}
	out := make([]*Object, first, len(objs)-1)
	copy(out, objs[:first])
	for _, o := range objs[first+1:] {
		if seen(o) {
			out = append(out, o)
		}
	}
	return out
}

// nearest returns the definition of vs, the variants of one object in inventory order, that
// an object read from the place from sees (see View).
func nearest(from place, vs []*Object) *Object {
	best, bestScore := vs[0], -1
	for _, c := range vs {
		if s := from.score(c.variant.place); s >= bestScore { // >=: the later definition wins a tie
			best, bestScore = c, s
		}
	}
	return best
}

// Variants returns every definition of the object of kind gk named name in namespace, in
// inventory order (by source): more than one when the input defines it in several places, one
// when it defines it once, nil when the inventory holds none. A check that asks about all
// definitions of an object rather than the one a reference means reads them here. The slice
// is shared: do not modify it.
func (inv *Inventory) Variants(gk schema.GroupKind, namespace, name string) []*Object {
	o := inv.lookup(objKey{gk, namespace, name})
	switch {
	case o == nil:
		return nil
	case o.variant != nil:
		return o.variant.defs
	}
	return []*Object{o}
}

// HasVariants reports whether the input defines any object (kind, namespace and name) in more
// than one place. Inventories listed from an API server never do.
func (inv *Inventory) HasVariants() bool { return inv.variantCount > 0 }

// variant is what an object defined more than once knows of its definitions.
type variant struct {
	defs  []*Object // every definition, itself included, in inventory order; shared
	place place     // where it was read from
}

// place is where an object was read from, as the nearest rule compares places: its unit (the
// file, or a rendered object's root) and the directories of that unit from the top.
type place struct {
	unit string
	dirs []string
}

func newPlace(file, root string) place {
	if root != "" {
		_, dir, ok := strings.Cut(root, ":")
		if !ok {
			dir = root
		}
		return place{unit: "root\x00" + root, dirs: splitDirs(dir)}
	}
	if file == "" {
		return place{}
	}
	return place{unit: "file\x00" + file, dirs: splitDirs(path.Dir(filepath.ToSlash(file)))}
}

func splitDirs(dir string) []string {
	dir = path.Clean(filepath.ToSlash(dir))
	if dir == "." || dir == "" {
		return nil
	}
	return strings.Split(dir, "/")
}

// score rates how near c is to p: nearestSameUnit for the same file or render, else the
// number of leading directories they share.
func (p place) score(c place) int {
	if p.unit != "" && p.unit == c.unit {
		return nearestSameUnit
	}
	n := 0
	for n < len(p.dirs) && n < len(c.dirs) && p.dirs[n] == c.dirs[n] {
		n++
	}
	return n
}

// variantsWarning is the warning about an object the input defines in several places: it
// names the first place and the object, then every other place, once.
func variantsWarning(vs []*Object) error {
	others := make([]string, 0, len(vs)-1)
	for _, o := range vs[1:] {
		others = append(others, describePlace(o.source))
	}
	return &SourceError{Source: vs[0].source, Object: vs[0].String(),
		Err: fmt.Errorf("%w: defined %d times, also at %s; each definition is evaluated, and a reference to the object "+
			"resolves to the definition nearest the referring object", ErrDuplicate, len(vs), strings.Join(others, ", "))}
}

// describePlace names where an object was read from, for the variants warning.
func describePlace(s Source) string {
	if w := s.String(); w != "" {
		return w
	}
	return "an input without a name"
}
