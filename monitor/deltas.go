package monitor

import (
	"cmp"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// deltaSet applies a step's new results to the store, keeping each touched group as it was
// before the step, so that the deltas are those between the start and the end of the step
// however many times a group was replaced in between.
type deltaSet struct {
	// quiet, set for a first evaluation without previous results, keeps no deltas.
	quiet bool
	// gen stamps the records replace sets (see engine.runWhole).
	gen           uint32
	e             *engine
	before, after *inventory.Inventory
	orig          map[groupKey][]record
	order         []groupKey
	origNil       map[int][]record
}

// groupKey is a check and an object (nil: no object).
type groupKey struct {
	check int
	obj   key
	none  bool // about no object
}

func newDeltaSet(e *engine, before, after *inventory.Inventory) *deltaSet {
	return &deltaSet{e: e, before: before, after: after, orig: make(map[groupKey][]record),
		origNil: make(map[int][]record)}
}

func (d *deltaSet) touch(g groupKey, current []record) {
	if d.quiet {
		return
	}
	if _, ok := d.orig[g]; ok {
		return
	}
	d.orig[g] = slices.Clone(current)
	d.order = append(d.order, g)
	if _, ok := d.origNil[g.check]; !ok {
		d.origNil[g.check] = d.e.nilView(g.check)
	}
}

// replace makes recs (ordered as the runner orders them) the results of check i about k. Of
// the results there were, those recs lack are gone when the check evaluated k completely, and
// otherwise stay, as notEvaluated stand-ins, until it does (see Changed).
func (d *deltaSet) replace(i int, k key, recs []record) {
	st := &d.e.st
	old := st.group(i, k)
	view := recs
	if len(old) > len(recs) || len(old) > 0 && !sameIdentities(old, recs) {
		view = d.standIns(i, k, old, recs)
	}
	for j := range view {
		view[j].gen = d.gen
	}
	if sameRecords(old, view) {
		for j := range old {
			old[j].gen = d.gen // the group stays as it is
		}
		return
	}
	d.touch(groupKey{check: i, obj: k}, old)
	st.set(i, k, view)
}

// sameRecords reports whether a and b hold equal records in the same order.
func sameRecords(a, b []record) bool {
	return slices.EqualFunc(a, b, record.equal)
}

// standIns returns recs, the new results of check i about k, with a notEvaluated stand-in for
// each of old, the results there were, that recs lack, when check i did not evaluate k
// completely (see notEvaluated); recs as they are when it did.
func (d *deltaSet) standIns(i int, k key, old, recs []record) []record {
	reason := d.notEvaluated(i, k, recs)
	if reason == "" {
		return recs
	}
	return appendStandIns(recs, old, reason, d.ref(k, nil))
}

// sameIdentities reports whether a and b hold records of the same identities (see identity),
// in the same order.
func sameIdentities(a, b []record) bool {
	return slices.EqualFunc(a, b, func(x, y record) bool { return x.field == y.field })
}

// replaceNil makes recs, from a whole run, the results of check i about no object. Of the
// results there were, those recs lack are gone when the check evaluated everything, and
// otherwise (recs hold a notEvaluated result, the check could not run or failed) stay, as
// notEvaluated stand-ins, until it does: a check that no longer sees a kind may report one
// result where it reported several, and what it stopped reporting was not resolved.
func (d *deltaSet) replaceNil(i int, recs []record) {
	if old := d.e.st.nilRecs[i]; len(old) > len(recs) || len(old) > 0 && !sameIdentities(old, recs) {
		if reason := d.nilNotEvaluated(i, recs); reason != "" {
			recs = appendStandIns(recs, old, reason, nil)
		}
	}
	d.touch(groupKey{check: i, none: true}, nil)
	d.e.st.nilRecs[i] = recs
}

// nilNotEvaluated says why check i did not evaluate everything in its last whole run, whose
// results about no object are recs, or "".
func (d *deltaSet) nilNotEvaluated(i int, recs []record) string {
	for _, r := range recs {
		if r.status == check.StatusNotEvaluated && !r.standin {
			return "not evaluated: " + r.message
		}
	}
	switch e := d.e; {
	case e.blocked[i]:
		return "not evaluated: cannot be evaluated: " + d.after.Unseen(e.metas[i].Requires...)
	case e.failed[i] != "":
		return "not evaluated: the check failed: " + e.failed[i]
	}
	return ""
}

// appendStandIns returns recs with a notEvaluated stand-in, saying reason, for each of old
// that recs lack (by identity); ref is the stand-ins' object (nil: about no object).
func appendStandIns(recs, old []record, reason string, ref *inventory.Ref) []record {
	have := make(map[identity]bool, len(recs))
	for _, id := range identities(recs) {
		have[id] = true
	}
	view := slices.Clone(recs)
	for j, id := range identities(old) {
		if have[id] {
			continue
		}
		r := old[j]
		if !r.standin {
			r = record{check: r.check, status: check.StatusNotEvaluated, field: r.field, message: reason,
				standin: true, ref: ref}
		} else {
			r.message = reason
		}
		view = append(view, r)
	}
	return view
}

// notEvaluated says why check i did not evaluate object k completely in its last run, whose
// results about k are recs, or "": it says so about k, or says it could not see everything
// (a result about no object that is notEvaluated) and has nothing to say about k, which may
// then be what it could not see.
func (d *deltaSet) notEvaluated(i int, k key, recs []record) string {
	e := d.e
	for _, r := range recs {
		if r.status == check.StatusNotEvaluated {
			return "not evaluated: " + r.message
		}
	}
	if len(recs) == 0 {
		for _, r := range e.st.nilRecs[i] {
			if r.status == check.StatusNotEvaluated && !r.standin {
				return "not evaluated: " + r.message
			}
		}
	}
	switch {
	case e.blocked[i]:
		return "not evaluated: cannot be evaluated: " + d.after.Unseen(e.metas[i].Requires...)
	case e.failed[i] != "":
		return "not evaluated: the check failed: " + e.failed[i]
	case d.after.Get(k.gk, k.ns, k.name) == nil && d.after.Gap(k.gk) && !listedInDefault(d.after, k):
		return "not evaluated: " + d.after.Unseen(k.gk)
	}
	return ""
}

// ref returns the reference of object k, from after, else before, else r.
func (d *deltaSet) ref(k key, r *record) *inventory.Ref {
	for _, inv := range []*inventory.Inventory{d.after, d.before} {
		if inv == nil {
			continue
		}
		if o := lookup(inv, k); o != nil {
			ref := o.Ref()
			return &ref
		}
	}
	if r != nil && r.ref != nil {
		return r.ref
	}
	apiVersion := k.gk.Group + "/"
	if k.gk.Group == "" {
		apiVersion = ""
	}
	return &inventory.Ref{APIVersion: apiVersion, Kind: k.gk.Kind, Namespace: k.ns, Name: k.name}
}

// sorted returns the deltas of the step.
func (d *deltaSet) sorted() []Delta {
	var out []Delta
	add := func(i int, k *key, changes []change) {
		for _, c := range changes {
			dl := Delta{Key: Key{CheckID: d.e.metas[i].ID, Field: c.id.field, N: c.id.n}}
			if k != nil {
				dl.Key.Group, dl.Key.Kind, dl.Key.Namespace, dl.Key.Name = k.gk.Group, k.gk.Kind, k.ns, k.name
			}
			was := c.before != nil && IsFinding(c.before.status)
			is := c.after != nil && IsFinding(c.after.status)
			switch {
			case is && !was:
				dl.Kind = Opened
			case was && !is:
				dl.Kind = Resolved
			default:
				dl.Kind = Changed
			}
			if c.before != nil {
				r := d.e.result(i, *c.before, d.objRef(k, c.before))
				dl.Before = &r
			}
			if c.after != nil {
				r := d.e.result(i, *c.after, d.objRef(k, c.after))
				dl.After = &r
			}
			out = append(out, dl)
		}
	}
	nilDone := make(map[int]bool)
	for _, g := range d.order {
		if !nilDone[g.check] {
			nilDone[g.check] = true
			add(g.check, nil, diff(d.origNil[g.check], d.e.nilView(g.check)))
		}
		if g.none {
			continue
		}
		k := g.obj
		add(g.check, &k, diff(d.orig[g], d.e.st.group(g.check, g.obj)))
	}
	slices.SortStableFunc(out, func(a, b Delta) int {
		return cmp.Or(cmp.Compare(d.e.byID[a.Key.CheckID], d.e.byID[b.Key.CheckID]),
			cmp.Compare(a.Key.Group, b.Key.Group), cmp.Compare(a.Key.Kind, b.Key.Kind),
			cmp.Compare(a.Key.Namespace, b.Key.Namespace), cmp.Compare(a.Key.Name, b.Key.Name),
			cmp.Compare(a.Key.Field, b.Key.Field), cmp.Compare(a.Key.N, b.Key.N))
	})
	return out
}

func (d *deltaSet) objRef(k *key, r *record) *inventory.Ref {
	if k == nil {
		return nil
	}
	if r.ref != nil {
		return r.ref
	}
	return d.ref(*k, r)
}

// nilView returns check i's results about no object as the deltas see them: those of its last
// whole run (with the stand-ins of the results it stopped reporting, which the report leaves
// out), or the runner's NothingReported result when it has no result at all; none before it
// was first evaluated.
func (e *engine) nilView(i int) []record {
	switch recs := e.st.nilRecs[i]; {
	case !e.evaluated[i]:
		return recs
	case len(recs) > 0 || e.st.counts[i] > 0:
		return recs
	}
	return []record{{check: i, status: check.StatusNotApplicable, message: check.NothingReported}}
}

// result makes the typed result of record r of check i about the object ref refers to (nil:
// about no object).
func (e *engine) result(i int, r record, ref *inventory.Ref) check.Result {
	res := check.NewResult(e.metas[i], check.Finding{Status: r.status, Field: r.field, Message: r.message, Err: r.err})
	if ref != nil {
		cp := *ref
		res.Object = &cp
	}
	return res
}

// results returns every current result, ordered as kspm.Run orders them: by check, and within
// a check those about no object first, then by object.
func (e *engine) results() []check.Result {
	if e.inv == nil {
		return nil
	}
	perCheck := make([][]check.Result, len(e.checks))
	for i := range e.checks {
		for _, r := range e.nilView(i) {
			if !r.standin {
				perCheck[i] = append(perCheck[i], e.result(i, r, nil))
			}
		}
	}
	for _, o := range e.inv.Objects() {
		recs := e.st.byObject[keyOf(o)]
		if len(recs) == 0 {
			continue
		}
		ref := o.Ref()
		for _, r := range recs {
			if !r.standin {
				perCheck[r.check] = append(perCheck[r.check], e.result(r.check, r, &ref))
			}
		}
	}
	if l := e.inv.DefaultNamespaceListing(); l != nil {
		// Objects listed in namespace default beyond the inventory's (see listedInDefault).
		for _, o := range l.Objects() {
			k := keyOf(o)
			if e.inv.Get(k.gk, k.ns, k.name) != nil {
				continue
			}
			ref := o.Ref()
			for _, r := range e.st.byObject[k] {
				if !r.standin {
					perCheck[r.check] = append(perCheck[r.check], e.result(r.check, r, &ref))
				}
			}
		}
	}
	n := 0
	for _, rs := range perCheck {
		n += len(rs)
	}
	out := make([]check.Result, 0, n)
	for _, rs := range perCheck {
		out = append(out, rs...)
	}
	return out
}

// resultCount returns the number of current results (Report's).
func (e *engine) resultCount() int {
	if e.inv == nil {
		return 0
	}
	n := 0
	for i := range e.checks {
		n += e.st.counts[i]
		for _, r := range e.nilView(i) {
			if !r.standin {
				n++
			}
		}
	}
	return n
}

// lookup returns object k of inv: one of its objects, else one its listing of namespace
// default holds beyond them (inventory.WithDefaultNamespaceListing), or nil.
func lookup(inv *inventory.Inventory, k key) *inventory.Object {
	if o := inv.Get(k.gk, k.ns, k.name); o != nil {
		return o
	}
	if l := inv.DefaultNamespaceListing(); l != nil && k.ns == metav1.NamespaceDefault {
		return l.Get(k.gk, k.name)
	}
	return nil
}

// listedInDefault reports whether object k, of a kind inv does not hold, is in namespace
// default and of a resource inv's listing of it covered completely: when the listing lacks
// it, it is not there.
func listedInDefault(inv *inventory.Inventory, k key) bool {
	l := inv.DefaultNamespaceListing()
	return l != nil && k.ns == metav1.NamespaceDefault && l.Listed(k.gk)
}
