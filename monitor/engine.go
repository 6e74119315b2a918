package monitor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// engine keeps the results of a set of checks current over a series of inventories: it is the
// monitor without the watches, driven by step.
type engine struct {
	checks []check.Check
	metas  []check.Meta
	// byID is the index of each check by its ID.
	byID map[string]int
	// params are each check's resolved parameters (runs for targets); userParams the caller's
	// (whole runs, through kspm.Run).
	params     []map[string]any
	userParams map[string]map[string]any
	runOpts    []kspm.Option
	timeout    time.Duration

	// byKind lists, per kind, the checks whose Depends.Kinds name it; always the checks that
	// depend on every kind (no Depends.Kinds); covKinds, per check, the kinds whose coverage
	// its results depend on; watched the union of covKinds.
	byKind   map[schema.GroupKind][]int
	anyKind  []int
	always   []int
	covKinds [][]schema.GroupKind
	watched  []schema.GroupKind

	inv *inventory.Inventory // the inventory the results are about; nil before the first step
	st  store
	// blocked marks the checks whose Meta.Requires are not completely known (not run); failed
	// holds the error message of each check's last whole run ("" for none).
	blocked []bool
	failed  []string
	// evaluated marks the checks that have results: run whole once, or given by seed;
	// seeded is set when seed gave results.
	evaluated []bool
	seeded    bool
	// gen counts the whole runs; the records a whole run gives carry its count.
	gen uint32
}

// newEngine validates checks and prepares to evaluate them.
func newEngine(checks []check.Check, userParams map[string]map[string]any, timeout time.Duration, runOpts []kspm.Option) (*engine, error) {
	if len(checks) == 0 {
		return nil, kspm.ErrNoChecks
	}
	if err := check.Validate(checks); err != nil {
		return nil, fmt.Errorf("%w: %w", kspm.ErrInvalidChecks, err)
	}
	e := &engine{checks: checks, userParams: userParams, timeout: timeout, runOpts: runOpts,
		metas: make([]check.Meta, len(checks)), params: make([]map[string]any, len(checks)),
		byKind: make(map[schema.GroupKind][]int), covKinds: make([][]schema.GroupKind, len(checks)),
		st: newStore(len(checks)), blocked: make([]bool, len(checks)), failed: make([]string, len(checks)),
		evaluated: make([]bool, len(checks)), byID: make(map[string]int, len(checks))}
	var paramErrs []error
	watched := make(map[schema.GroupKind]bool)
	for i, c := range checks {
		m := c.Meta()
		e.metas[i] = m
		e.byID[m.ID] = i
		p, err := check.ResolveParams(c, userParams[m.ID])
		if err != nil {
			paramErrs = append(paramErrs, err)
		}
		e.params[i] = p
		if m.Manual {
			continue
		}
		kinds := slices.Concat(m.Kinds, m.Requires)
		switch d := m.Depends; {
		case d != nil && len(d.Kinds) > 0:
			kinds = append(kinds, d.Kinds...)
			for _, gk := range d.Kinds {
				if !slices.Contains(e.byKind[gk], i) {
					e.byKind[gk] = append(e.byKind[gk], i)
				}
			}
		case d != nil && d.Affected != nil:
			e.anyKind = append(e.anyKind, i)
		default:
			e.always = append(e.always, i)
		}
		for _, gk := range kinds {
			if !slices.Contains(e.covKinds[i], gk) {
				e.covKinds[i] = append(e.covKinds[i], gk)
			}
			watched[gk] = true
		}
	}
	if len(paramErrs) > 0 {
		return nil, fmt.Errorf("%w: %w", kspm.ErrInvalidParams, errors.Join(paramErrs...))
	}
	for id := range userParams {
		if _, ok := e.byID[id]; !ok {
			return nil, fmt.Errorf("%w: parameters set for %s, not in the run", kspm.ErrUnknownCheck, id)
		}
	}
	for gk := range watched {
		e.watched = append(e.watched, gk)
	}
	slices.SortFunc(e.watched, func(a, b schema.GroupKind) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind))
	})
	return e, nil
}

// seed takes results as the current ones, so that the first step reports only what differs
// from them (a restart: the results a previous monitor published).
func (e *engine) seed(results []check.Result) {
	e.seeded = true
	groups := make(map[key]map[int][]record)
	for _, r := range results {
		i, ok := e.byID[r.CheckID]
		if !ok {
			continue
		}
		e.evaluated[i] = true
		rec := record{check: i, status: r.Status, field: r.Field, message: r.Message}
		if r.Object == nil {
			if !(r.Status == check.StatusNotApplicable && r.Message == check.NothingReported) {
				e.st.nilRecs[i] = append(e.st.nilRecs[i], rec)
			}
			continue
		}
		k := keyOfRef(r.Object)
		if groups[k] == nil {
			groups[k] = make(map[int][]record)
		}
		groups[k][i] = append(groups[k][i], rec)
	}
	for k, byCheck := range groups {
		for _, i := range slices.Sorted(mapKeys(byCheck)) {
			recs := byCheck[i]
			slices.SortStableFunc(recs, compareRecords)
			e.st.set(i, k, recs)
		}
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// stepStats says what a step did.
type stepStats struct {
	whole    []string
	targeted int
	coverage []inventory.Coverage
}

// step moves the results to next, whose objects differ from the current inventory's by
// changes (every object created, updated or deleted), and returns the deltas. force, when
// set, re-runs every check whole (the first step, a periodic resync); clock re-runs whole the
// checks whose results depend on the time.
func (e *engine) step(ctx context.Context, next *inventory.Inventory, changes []inventory.Change, force, clock bool) ([]Delta, stepStats, error) {
	before := e.inv
	var stats stepStats
	whole := make([]bool, len(e.checks))
	targets := make([]map[key]bool, len(e.checks))
	if before == nil {
		force = true
	}
	// A new listing of namespace default's other resources (inventory.Watch lists them now
	// and then; it is no Change) re-runs the checks that read it.
	listing := before != nil && before.DefaultNamespaceListing() != next.DefaultNamespaceListing()
	for i, m := range e.metas {
		switch {
		case force:
			whole[i] = true
		case m.Manual:
		case clock && m.Depends != nil && m.Depends.Clock:
			whole[i] = true
		case listing && m.Depends != nil && m.Depends.DefaultNamespace:
			whole[i] = true
		}
	}
	if before != nil {
		for _, gk := range e.watched {
			b, a := before.Coverage(gk), next.Coverage(gk)
			if b.State == a.State && b.Reason == a.Reason {
				continue
			}
			stats.coverage = append(stats.coverage, a)
			for i, kinds := range e.covKinds {
				if slices.Contains(kinds, gk) {
					whole[i] = true
				}
			}
		}
		// A check that declares no dependencies is re-run on every change: an object's, the
		// coverage of any kind (one that reads every kind reads their coverage too), or the
		// listing of namespace default.
		if len(changes) > 0 || listing || (len(e.always) > 0 && coverageChanged(before, next)) {
			for _, i := range e.always {
				whole[i] = true
			}
		}
		e.plan(before, next, changes, whole, targets)
	}

	deltas := newDeltaSet(e, before, next)
	deltas.quiet = before == nil && !e.seeded
	var wholeRun []int
	for i := range e.checks {
		if whole[i] {
			wholeRun = append(wholeRun, i)
		}
	}
	if err := e.runWhole(ctx, next, wholeRun, deltas); err != nil {
		return nil, stats, err
	}
	again, n, err := e.runTargets(ctx, next, whole, targets, deltas)
	if err != nil {
		return nil, stats, err
	}
	stats.targeted = n - len(again)
	if len(again) > 0 {
		if err := e.runWhole(ctx, next, again, deltas); err != nil {
			return nil, stats, err
		}
		wholeRun = append(wholeRun, again...)
		slices.Sort(wholeRun)
	}
	for _, i := range wholeRun {
		stats.whole = append(stats.whole, e.metas[i].ID)
	}
	// An object deleted keeps no result: those still there belong to checks whose
	// dependencies missed it (a contract the randomized tests hold the bundled checks to).
	for _, ch := range changes {
		if ch.New != nil {
			continue
		}
		k := keyOf(ch.Old)
		for _, r := range slices.Clone(e.st.byObject[k]) {
			if len(e.st.group(r.check, k)) > 0 {
				deltas.replace(r.check, k, nil)
			}
		}
	}
	e.inv = next
	return deltas.sorted(), stats, nil
}

// coverageChanged reports whether the coverage (state or reason) of any kind differs between
// two inventories.
func coverageChanged(before, next *inventory.Inventory) bool {
	b, a := before.CoverageAll(), next.CoverageAll()
	if len(b) != len(a) {
		return true
	}
	for i := range b {
		if b[i].GroupKind() != a[i].GroupKind() || b[i].State != a[i].State || b[i].Reason != a[i].Reason {
			return true
		}
	}
	return false
}

// plan decides, for each change, which checks re-run whole and which for some objects only.
func (e *engine) plan(before, next *inventory.Inventory, changes []inventory.Change, whole []bool, targets []map[key]bool) {
	type memoKey struct {
		d     *check.Dependencies
		o     *inventory.Object
		after bool
	}
	type answer struct {
		targets []*inventory.Object
		whole   bool
	}
	memo := make(map[memoKey]answer)
	affected := func(d *check.Dependencies, inv *inventory.Inventory, o *inventory.Object, after bool) answer {
		k := memoKey{d, o, after}
		if a, ok := memo[k]; ok {
			return a
		}
		ts, w := d.Affected(inv, o)
		a := answer{ts, w}
		memo[k] = a
		return a
	}
	for _, ch := range changes {
		o := cmp.Or(ch.New, ch.Old)
		for _, i := range slices.Concat(e.byKind[o.GroupKind()], e.anyKind) {
			if whole[i] || e.blocked[i] {
				continue // a blocked check stays so while its Requires' coverage is unchanged
			}
			d := e.metas[i].Depends
			if d.Affected == nil {
				whole[i] = true
				continue
			}
			for _, side := range []struct {
				inv   *inventory.Inventory
				o     *inventory.Object
				after bool
			}{{before, ch.Old, false}, {next, ch.New, true}} {
				if side.o == nil {
					continue
				}
				a := affected(d, side.inv, side.o, side.after)
				if a.whole {
					whole[i] = true
					break
				}
				if targets[i] == nil {
					targets[i] = make(map[key]bool)
				}
				for _, t := range a.targets {
					targets[i][keyOf(t)] = true
				}
			}
		}
	}
}

// runWhole runs checks over the whole of inv through kspm.Run, which gives them the runner's
// guarantees (coverage, panics, timeouts, NothingReported), and takes their results.
func (e *engine) runWhole(ctx context.Context, inv *inventory.Inventory, idx []int, deltas *deltaSet) error {
	if len(idx) == 0 {
		return nil
	}
	checks := make([]check.Check, len(idx))
	opts := slices.Clone(e.runOpts)
	for j, i := range idx {
		checks[j] = e.checks[i]
		if p, ok := e.userParams[e.metas[i].ID]; ok {
			opts = append(opts, kspm.WithParams(e.metas[i].ID, p))
		}
	}
	if e.timeout > 0 {
		opts = append(opts, kspm.WithCheckTimeout(e.timeout))
	}
	results, err := kspm.Run(ctx, inv, checks, opts...)
	if err != nil {
		return err
	}
	index := make(map[string]int, len(idx))
	for _, i := range idx {
		index[e.metas[i].ID] = i
		e.blocked[i] = !e.metas[i].Manual && inv.Unseen(e.metas[i].Requires...) != ""
		e.failed[i] = ""
	}
	// Results about no object first: whether the check saw everything decides whether what
	// it no longer reports is resolved (see deltaSet.notEvaluated).
	nils := make(map[int][]record, len(idx))
	for _, r := range results {
		if r.Object != nil {
			continue
		}
		i := index[r.CheckID]
		if r.Status == check.StatusError && e.failed[i] == "" {
			e.failed[i] = r.Message
		}
		if r.Status == check.StatusNotApplicable && r.Message == check.NothingReported {
			continue
		}
		nils[i] = append(nils[i], record{check: i, status: r.Status, field: r.Field, message: r.Message, err: r.Err})
	}
	for _, i := range idx {
		deltas.replaceNil(i, nils[i])
	}
	// Then each check's results about each object, which come in runs, object by object;
	// the groups replaced are stamped, so that those left unstamped are the ones the checks
	// no longer report about.
	e.gen++
	deltas.gen = e.gen
	keys := keyCache{}
	var group []record
	var gk key
	flush := func(i int) {
		if len(group) > 0 {
			deltas.replace(i, gk, group)
			group = nil
		}
	}
	prev := -1
	for _, r := range results {
		if r.Object == nil {
			continue
		}
		i := index[r.CheckID]
		k := keys.of(r.Object)
		if i != prev || k != gk {
			flush(prev)
			prev, gk = i, k
		}
		group = append(group, record{check: i, status: r.Status, field: r.Field, message: r.Message, err: r.Err})
	}
	flush(prev)
	scan := false
	rerun := make(map[int]bool, len(idx))
	for _, i := range idx {
		rerun[i] = true
		scan = scan || e.st.counts[i] > 0 || e.st.standins[i] > 0
		e.evaluated[i] = true
	}
	if !scan {
		return nil
	}
	// Results of these checks about objects they no longer report on: every object's
	// results are looked at.
	var gone []groupKey
	for k, recs := range e.st.byObject {
		for j, r := range recs {
			if rerun[r.check] && r.gen != e.gen && (j == 0 || recs[j-1].check != r.check) {
				gone = append(gone, groupKey{check: r.check, obj: k})
			}
		}
	}
	for _, g := range gone {
		deltas.replace(g.check, g.obj, nil)
	}
	return nil
}

// keyCache turns result references into keys, parsing each API version once.
type keyCache map[string]string

func (c keyCache) of(r *inventory.Ref) key {
	group, ok := c[r.APIVersion]
	if !ok {
		gv, _ := schema.ParseGroupVersion(r.APIVersion)
		group = gv.Group
		c[r.APIVersion] = group
	}
	return key{schema.GroupKind{Group: group, Kind: r.Kind}, r.Namespace, r.Name}
}

// runTargets runs each check that has targets for those only, and returns the checks to
// re-run whole instead: a run that failed, reported about an object that was not a target,
// or whose results about objects came to nothing or stopped being nothing.
func (e *engine) runTargets(ctx context.Context, inv *inventory.Inventory, whole []bool, targets []map[key]bool, deltas *deltaSet) ([]int, int, error) {
	type tmpl struct {
		t  inventory.PodTemplate
		ok bool
	}
	tmpls := make(map[*inventory.Object]tmpl)
	var again []int
	n := 0
	for i, ts := range targets {
		if whole[i] || len(ts) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, n, err
		}
		n++
		keys := slices.SortedFunc(mapKeys(ts), compareKeys)
		var objs []*inventory.Object
		var pts []inventory.PodTemplate
		in := make(map[*inventory.Object]bool, len(keys))
		for _, k := range keys {
			o := inv.Get(k.gk, k.ns, k.name)
			if o == nil {
				continue
			}
			objs = append(objs, o)
			in[o] = true
			t, ok := tmpls[o]
			if !ok {
				t.t, t.ok = inv.PodTemplateOf(o)
				tmpls[o] = t
			}
			if t.ok {
				pts = append(pts, t.t)
			}
		}
		var found []check.Finding
		pass := check.NewPassFor(inv, e.metas[i], e.params[i], objs, pts, func(f check.Finding) { found = append(found, f) })
		if err := e.runOne(ctx, i, pass); err != nil {
			again = append(again, i)
			continue
		}
		fresh := make(map[key][]record, len(keys))
		foreign := false
		for _, f := range found {
			if f.Object == nil {
				continue // the last whole run's stand (see check.Dependencies)
			}
			if !in[f.Object] {
				foreign = true
				break
			}
			k := keyOf(f.Object)
			fresh[k] = append(fresh[k], record{check: i, status: f.Status, field: f.Field, message: f.Message, err: f.Err})
		}
		if foreign {
			again = append(again, i)
			continue
		}
		wasEmpty := e.st.counts[i] == 0
		for _, k := range keys {
			recs := fresh[k]
			slices.SortStableFunc(recs, compareRecords)
			deltas.replace(i, k, recs)
		}
		if wasEmpty != (e.st.counts[i] == 0) {
			again = append(again, i)
		}
	}
	return again, n, nil
}

// runOne runs check i through pass as the runner would: within the check timeout, a panic
// or an error returned being a failure (the caller then runs the check whole, through the
// runner, which reports it).
func (e *engine) runOne(ctx context.Context, i int, pass *check.Pass) (err error) {
	if e.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	defer func() {
		if v := recover(); v != nil {
			err = &check.PanicError{CheckID: e.metas[i].ID, Value: v, Stack: debug.Stack()}
		}
	}()
	if err := e.checks[i].Run(ctx, pass); err != nil {
		return err
	}
	return ctx.Err()
}
