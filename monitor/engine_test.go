package monitor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// clusterInventory builds the inventory FromClientset would list from a cluster holding the
// model's objects: every built-in kind listed but those forbidden, no CNI policy kinds served.
func clusterInventory(t testing.TB, m *model) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, o := range m.sorted(nil) {
		require.NoError(t, b.Add(o.DeepCopyObject(), inventory.Source{}))
	}
	for _, k := range inventory.BuiltinKinds() {
		gk := k.GroupKind()
		if _, forbidden := m.forbidden[gk]; forbidden {
			c, err := forbiddenCoverage(gk)
			b.SetCoverage(c)
			b.AddError(err)
			continue
		}
		b.SetCoverage(inventory.Coverage{Group: gk.Group, Kind: gk.Kind, State: inventory.Listed})
	}
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.NotServed,
			Reason: "the server does not serve the API group " + k.Group})
	}
	b.SetServerVersion("v1.37.2")
	return b.Build()
}

func forbiddenCoverage(gk schema.GroupKind) (inventory.Coverage, error) {
	reason := fmt.Sprintf("%s is forbidden: User \"kspm\" cannot list resource", gk.Kind)
	return inventory.Coverage{Group: gk.Group, Kind: gk.Kind, State: inventory.Forbidden, Reason: reason},
		&inventory.ListError{Kind: gk, State: inventory.Forbidden, Err: errors.New(reason)}
}

// applyOps derives from inv the inventory of the model after ops (which the model has
// applied), with the changes, as a watch would.
func applyOps(t testing.TB, inv *inventory.Inventory, m *model, ops []op) (*inventory.Inventory, []inventory.Change) {
	t.Helper()
	touched := map[key]bool{}
	var edits []inventory.Edit
	for _, o := range ops {
		switch {
		case o.put != nil:
			touched[modelKey(o.put)] = true
		case o.remove != nil:
			touched[*o.remove] = true
		case o.forbid != nil:
			for _, obj := range inv.ByKind(*o.forbid) {
				touched[keyOf(obj)] = true
			}
			c, err := forbiddenCoverage(*o.forbid)
			edits = append(edits, inventory.SetCoverage(c, err))
		case o.allow != nil:
			for k := range m.objs {
				if k.gk == *o.allow {
					touched[k] = true
				}
			}
			edits = append(edits, inventory.SetCoverage(inventory.Coverage{Group: o.allow.Group, Kind: o.allow.Kind,
				State: inventory.Listed}, nil))
		}
	}
	keys := slices.SortedFunc(mapKeys(touched), compareKeys)
	for _, k := range keys {
		if obj, ok := m.objs[k]; ok {
			edits = append(edits, inventory.Put(obj.DeepCopyObject()))
		} else {
			edits = append(edits, inventory.Remove(k.gk, k.ns, k.name))
		}
	}
	next, err := inv.With(edits...)
	require.NoError(t, err)
	var changes []inventory.Change
	for _, k := range keys {
		o, n := inv.Get(k.gk, k.ns, k.name), next.Get(k.gk, k.ns, k.name)
		if o != n {
			changes = append(changes, inventory.Change{Old: o, New: n})
		}
	}
	return next, changes
}

func defaultChecks(t testing.TB) []check.Check {
	t.Helper()
	bs, err := kspm.Benchmarks(kspm.WithClusterVersion("v1.37"))
	require.NoError(t, err)
	checks, _, err := kspm.Checks(bs)
	require.NoError(t, err)
	return checks
}

func brief(r check.Result) string {
	obj := "-"
	if r.Object != nil {
		obj = r.Object.String()
	}
	return fmt.Sprintf("%s %s %s %s: %s", r.CheckID, r.Status, obj, r.Field, r.Message)
}

func briefs(rs []check.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = brief(r)
	}
	return out
}

// streamState returns what the deltas so far describe: every result of the report, and the
// stand-ins, by key.
func (e *engine) streamState() map[Key]string {
	out := map[Key]string{}
	for i := range e.checks {
		recs := e.nilView(i)
		for j, id := range identities(recs) {
			out[Key{CheckID: e.metas[i].ID, Field: id.field, N: id.n}] = string(recs[j].status) + " " + recs[j].message
		}
	}
	for k, recs := range e.st.byObject {
		for i := range e.checks {
			group := e.st.group(i, k)
			for j, id := range identities(group) {
				out[Key{CheckID: e.metas[i].ID, Group: k.gk.Group, Kind: k.gk.Kind, Namespace: k.ns, Name: k.name,
					Field: id.field, N: id.n}] = string(group[j].status) + " " + group[j].message
			}
		}
		_ = recs
	}
	return out
}

// applyDeltas applies deltas to a stream state as a consumer would, failing on a delta that
// does not fit what came before (a result's Before is the state's) or whose kind does not say
// what happened to the finding.
func applyDeltas(t *testing.T, state map[Key]string, deltas []Delta) {
	t.Helper()
	for _, d := range deltas {
		had, ok := state[d.Key]
		if d.Before == nil {
			require.False(t, ok, "appeared twice: %+v", d.Key)
		} else {
			require.True(t, ok, "changed, never appeared: %+v", d.Key)
			require.Equal(t, string(d.Before.Status)+" "+d.Before.Message, had, "%+v", d.Key)
		}
		was := d.Before != nil && IsFinding(d.Before.Status)
		is := d.After != nil && IsFinding(d.After.Status)
		want := Changed
		if is && !was {
			want = Opened
		} else if was && !is {
			want = Resolved
		}
		require.Equal(t, want, d.Kind, "%+v", d)
		if d.After == nil {
			delete(state, d.Key)
		} else {
			state[d.Key] = string(d.After.Status) + " " + d.After.Message
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// TestEngineMatchesScan changes random clusters step by step and, after each step, compares
// the engine's results with those of kspm.Run over the same inventory, every check of the
// default benchmarks, result by result and in order; and checks that the deltas, applied by a
// consumer, give the engine's results (with its notEvaluated stand-ins), that no delta
// resolves a result when a kind only became forbidden, and that re-running a step's changes
// is cheap where the checks declare their dependencies. KSPM_MONITOR_SEEDS and
// KSPM_MONITOR_STEPS make it longer.
func TestEngineMatchesScan(t *testing.T) {
	seeds, steps := envInt("KSPM_MONITOR_SEEDS", 3), envInt("KSPM_MONITOR_STEPS", 40)
	ctx := context.Background()
	checks := defaultChecks(t)
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			m := newModel(seed, 300)
			inv := clusterInventory(t, m)
			e, err := newEngine(checks, nil, 0, nil)
			require.NoError(t, err)
			deltas, _, err := e.step(ctx, inv, nil, false, false)
			require.NoError(t, err)
			assert.Empty(t, deltas, "a first evaluation without previous results has no deltas: its results are the report")
			state := e.streamState()
			compareWithRun(t, e, inv, checks, "initial")
			for step := range steps {
				ops := m.step()
				next, changes := applyOps(t, inv, m, ops)
				deltas, _, err := e.step(ctx, next, changes, false, false)
				require.NoError(t, err)
				compareWithRun(t, e, next, checks, fmt.Sprintf("step %d: %s", step, describeOps(ops)))
				applyDeltas(t, state, deltas)
				require.Equal(t, e.streamState(), state, "step %d: the deltas do not give the results", step)
				if onlyForbids(ops) {
					for _, d := range deltas {
						assert.NotEqual(t, Resolved, d.Kind, "step %d (%s): a kind made forbidden resolved %+v", step, describeOps(ops), d.Key)
					}
				}
				inv = next
			}
		})
	}
}

func onlyForbids(ops []op) bool {
	for _, o := range ops {
		if o.forbid == nil {
			return false
		}
	}
	return len(ops) > 0
}

func describeOps(ops []op) string {
	var s []string
	for _, o := range ops {
		switch {
		case o.put != nil:
			s = append(s, "put "+fmt.Sprint(modelKey(o.put)))
		case o.remove != nil:
			s = append(s, "remove "+fmt.Sprint(*o.remove))
		case o.forbid != nil:
			s = append(s, "forbid "+o.forbid.String())
		case o.allow != nil:
			s = append(s, "allow "+o.allow.String())
		}
	}
	return fmt.Sprint(s)
}

// compareWithRun compares the engine's results with those of kspm.Run over inv, with checks
// built afresh: the caches of the checks the engine runs (RBAC and reachability engines, kept
// from one inventory to the next) play no part in the results it compares with.
func compareWithRun(t *testing.T, e *engine, inv *inventory.Inventory, _ []check.Check, msg string) {
	t.Helper()
	want, err := kspm.Run(context.Background(), inv, defaultChecks(t))
	require.NoError(t, err)
	got := e.results()
	if !slices.Equal(briefs(want), briefs(got)) {
		w, g := briefs(want), briefs(got)
		var missing, extra []string
		for _, s := range w {
			if !slices.Contains(g, s) {
				missing = append(missing, s)
			}
		}
		for _, s := range g {
			if !slices.Contains(w, s) {
				extra = append(extra, s)
			}
		}
		if len(missing) > 10 {
			missing = missing[:10]
		}
		if len(extra) > 10 {
			extra = extra[:10]
		}
		require.Fail(t, "the engine's results differ from kspm.Run's", "%s\nmissing: %q\nextra: %q", msg, missing, extra)
	}
}
