package kspm_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

func meta(id string) check.Meta {
	return check.Meta{ID: id, Title: "Check " + id, Severity: check.Medium, Remediation: "Fix " + id + "."}
}

// passAll is a check that passes every object of the inventory.
func passAll(id string) check.Check {
	return check.New(meta(id), func(ctx context.Context, pass *check.Pass) error {
		for _, o := range pass.Inventory.Objects() {
			pass.Pass(o, "ok")
		}
		return nil
	})
}

func pods(t *testing.T, n int) *inventory.Inventory {
	t.Helper()
	objs := make([]runtime.Object, n)
	for i := range objs {
		objs[i] = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("ns-%d", i%3), Name: fmt.Sprintf("pod-%02d", i)}}
	}
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return inv
}

// brief is a result in short: "checkID status object: message".
func brief(r check.Result) string {
	obj := "-"
	if r.Object != nil {
		obj = r.Object.String()
	}
	return fmt.Sprintf("%s %s %s: %s", r.CheckID, r.Status, obj, r.Message)
}

func briefs(rs []check.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = brief(r)
	}
	return out
}

func TestRunPanickingCheck(t *testing.T) {
	inv := pods(t, 2)
	boom := check.New(meta("t:boom"), func(ctx context.Context, pass *check.Pass) error {
		pass.Fail(pass.Inventory.Objects()[1], "spec", "seen before the panic")
		var m map[string]int
		m["x"] = 1 // panics: assignment to entry in nil map
		return nil
	})
	results, err := kspm.Run(context.Background(), inv, []check.Check{passAll("t:before"), boom, passAll("t:after")},
		kspm.WithParallelism(1))
	require.NoError(t, err, "a panicking check does not fail the run")
	assert.Equal(t, []string{
		"t:before pass Pod ns-0/pod-00: ok",
		"t:before pass Pod ns-1/pod-01: ok",
		"t:boom fail Pod ns-1/pod-01: seen before the panic",
		"t:boom error -: check t:boom panicked: assignment to entry in nil map",
		"t:after pass Pod ns-0/pod-00: ok",
		"t:after pass Pod ns-1/pod-01: ok",
	}, briefs(results))
	errRes := results[3]
	assert.Equal(t, check.Medium, errRes.Severity)
	assert.Equal(t, "Check t:boom", errRes.Title)
	assert.Empty(t, errRes.Remediation, "an error result has no remediation")
}

func TestRunCheckReturningError(t *testing.T) {
	inv := pods(t, 3)
	failing := check.New(meta("t:err"), func(ctx context.Context, pass *check.Pass) error {
		objs := pass.Inventory.Objects()
		pass.Fail(objs[2], "", "third")
		pass.Fail(objs[0], "", "first")
		return fmt.Errorf("lookup failed: %w", errors.New("no such thing"))
	})
	results, err := kspm.Run(context.Background(), inv, []check.Check{failing, passAll("t:ok")})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"t:err fail Pod ns-0/pod-00: first",
		"t:err fail Pod ns-2/pod-02: third",
		"t:err error -: lookup failed: no such thing",
		"t:ok pass Pod ns-0/pod-00: ok",
		"t:ok pass Pod ns-1/pod-01: ok",
		"t:ok pass Pod ns-2/pod-02: ok",
	}, briefs(results))
}

func TestRunCheckTimeout(t *testing.T) {
	inv := pods(t, 1)
	waits := check.New(meta("t:waits"), func(ctx context.Context, pass *check.Pass) error {
		<-ctx.Done()
		return ctx.Err()
	})
	// A check that ignores its error but overran: the runner still says it timed out.
	overruns := check.New(meta("t:overruns"), func(ctx context.Context, pass *check.Pass) error {
		pass.Pass(pass.Inventory.Objects()[0], "partial")
		<-ctx.Done()
		return nil
	})
	start := time.Now()
	results, err := kspm.Run(context.Background(), inv, []check.Check{waits, passAll("t:quick"), overruns},
		kspm.WithCheckTimeout(20*time.Millisecond))
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Len(t, results, 4)
	assert.Equal(t, "t:waits", results[0].CheckID)
	assert.Equal(t, check.StatusError, results[0].Status)
	assert.Contains(t, results[0].Message, "check timed out after 20ms")
	assert.Contains(t, results[0].Message, context.DeadlineExceeded.Error())
	assert.Equal(t, "t:quick pass Pod ns-0/pod-00: ok", brief(results[1]))
	assert.Equal(t, "t:overruns pass Pod ns-0/pod-00: partial", brief(results[2]))
	assert.Equal(t, check.StatusError, results[3].Status)
	assert.Contains(t, results[3].Message, "check timed out after 20ms")
}

func TestRunContextCancelled(t *testing.T) {
	inv := pods(t, 1)
	t.Run("before the run", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		results, err := kspm.Run(ctx, inv, []check.Check{passAll("t:a")})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, results)
	})
	t.Run("during the run", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var ran atomic.Int32
		checks := []check.Check{check.New(meta("t:cancels"), func(ctx context.Context, pass *check.Pass) error {
			cancel()
			return nil
		})}
		for i := range 20 {
			checks = append(checks, check.New(meta(fmt.Sprintf("t:later-%d", i)), func(ctx context.Context, pass *check.Pass) error {
				ran.Add(1)
				return ctx.Err()
			}))
		}
		results, err := kspm.Run(ctx, inv, checks, kspm.WithParallelism(1))
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "scan interrupted")
		assert.Nil(t, results, "no partial results that could be read as complete")
		assert.Less(t, int(ran.Load()), 20, "the run stops starting checks")
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		slow := check.New(meta("t:slow"), func(ctx context.Context, pass *check.Pass) error {
			<-ctx.Done()
			return ctx.Err()
		})
		_, err := kspm.Run(ctx, inv, []check.Check{slow})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestRunDeterministicOrder runs 50 checks that report on the objects in a random order, at
// random moments, with 8 at a time, many times: the results are the same every time, grouped
// by check in the order given and ordered by object within a check.
func TestRunDeterministicOrder(t *testing.T) {
	objs := []runtime.Object{}
	for i := range 6 {
		ns := fmt.Sprintf("ns-%d", 2-i%3)
		objs = append(objs,
			&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("p-%d", 9-i)}},
			&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("d-%d", i)}},
		)
	}
	objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns-0"}})
	inv, err := inventory.New(objs...)
	require.NoError(t, err)

	var running, maxRunning atomic.Int32
	var checks []check.Check
	for i := range 50 {
		checks = append(checks, check.New(meta(fmt.Sprintf("t:%02d", 49-i)), func(ctx context.Context, pass *check.Pass) error {
			n := running.Add(1)
			defer running.Add(-1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			all := pass.Inventory.Objects()
			for _, j := range rand.Perm(len(all)) {
				if rand.IntN(8) == 0 {
					time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
				}
				if j%3 == i%3 {
					pass.Fail(all[j], "", fmt.Sprintf("finding %d", j))
				} else {
					pass.Pass(all[j], "ok")
				}
			}
			if i%10 == 0 {
				pass.NotEvaluated(nil, "cluster-wide")
			}
			return nil
		}))
	}

	first, err := kspm.Run(context.Background(), inv, checks, kspm.WithParallelism(8))
	require.NoError(t, err)
	require.Len(t, first, 50*len(objs)+5)

	// Grouped by check in the order given; within a check, cluster-wide first, then objects by
	// group, kind, namespace, name.
	pos := make(map[string]int)
	for i, c := range checks {
		pos[c.Meta().ID] = i
	}
	objectKey := func(r check.Result) string {
		if r.Object == nil {
			return ""
		}
		gv, _ := schema.ParseGroupVersion(r.Object.APIVersion)
		return "\x01" + gv.Group + "\x00" + r.Object.Kind + "\x00" + r.Object.Namespace + "\x00" + r.Object.Name
	}
	assert.True(t, slices.IsSortedFunc(first, func(a, b check.Result) int {
		if d := pos[a.CheckID] - pos[b.CheckID]; d != 0 {
			return d
		}
		return strings.Compare(objectKey(a), objectKey(b))
	}), "results are ordered by check, then object")
	assert.Equal(t, "t:49 notEvaluated -: cluster-wide", brief(first[0]))
	assert.Equal(t, "t:49 fail Namespace ns-0: finding 0", brief(first[1]), "core kinds before apps, then by namespace and name")
	assert.Equal(t, "t:49 pass Pod ns-0/p-4: ok", brief(first[2]))

	for range 30 {
		again, err := kspm.Run(context.Background(), inv, checks, kspm.WithParallelism(8))
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
	assert.LessOrEqual(t, maxRunning.Load(), int32(8), "at most 8 checks at once")
	assert.Greater(t, maxRunning.Load(), int32(1), "checks ran concurrently")
}

// TestRunResultsShareObjectRefs: the results about one object point to one reference, the
// object's SharedRef, whatever check made them.
func TestRunResultsShareObjectRefs(t *testing.T) {
	inv := pods(t, 4)
	results, err := kspm.Run(context.Background(), inv, []check.Check{passAll("t:a"), passAll("t:b")})
	require.NoError(t, err)
	require.Len(t, results, 8)
	for i, o := range inv.Objects() {
		a, b := results[i], results[4+i]
		require.Equal(t, o.Ref(), *a.Object)
		assert.Same(t, o.SharedRef(), a.Object)
		assert.Same(t, a.Object, b.Object)
	}
}

// TestRunResultsShareRepeatedStrings: a message or field path a check formats again and
// again is held once by its results; every result keeps its own text.
func TestRunResultsShareRepeatedStrings(t *testing.T) {
	inv := pods(t, 300)
	c := check.New(meta("t:strings"), func(ctx context.Context, pass *check.Pass) error {
		for i, o := range pass.Inventory.Objects() {
			pass.Fail(o, fmt.Sprintf("spec.containers[%d].image", i%2), fmt.Sprintf("container %q runs as root (%d)", "app", i%3))
		}
		return nil
	})
	results, err := kspm.Run(context.Background(), inv, []check.Check{c})
	require.NoError(t, err)
	require.Len(t, results, 300)
	first := map[string]*byte{}
	for i, r := range results {
		require.Equal(t, fmt.Sprintf("container %q runs as root (%d)", "app", i%3), r.Message)
		require.Equal(t, fmt.Sprintf("spec.containers[%d].image", i%2), r.Field)
		for _, s := range []string{r.Message, r.Field} {
			if p, ok := first[s]; ok {
				assert.Same(t, p, unsafe.StringData(s), "result %d holds its own copy of %q", i, s)
			} else {
				first[s] = unsafe.StringData(s)
			}
		}
	}
	assert.Len(t, first, 5)
}

func TestRunManualCheck(t *testing.T) {
	inv := pods(t, 2)
	m := meta("t:manual")
	m.Manual = true
	m.Description = "Review the audit policy."
	var ran atomic.Bool
	withRun := check.New(m, func(ctx context.Context, pass *check.Pass) error {
		ran.Store(true)
		return nil
	})
	m2 := m
	m2.ID = "t:manual-nil"
	results, err := kspm.Run(context.Background(), inv, []check.Check{withRun, check.New(m2, nil)})
	require.NoError(t, err)
	require.Len(t, results, 2)
	for _, r := range results {
		assert.Equal(t, check.StatusManual, r.Status)
		assert.Nil(t, r.Object)
		assert.Contains(t, r.Message, "Review the audit policy.")
		assert.Equal(t, "Fix t:manual.", r.Remediation, "a manual result says what to review")
	}
	assert.False(t, ran.Load(), "a manual check is not run")
}

func TestRunRequiresUnseenKind(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeCluster)
	require.NoError(t, b.Add(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p"}}, inventory.Source{}))
	b.SetCoverage(inventory.Coverage{Kind: "Pod", State: inventory.Listed})
	b.SetCoverage(inventory.Coverage{Kind: "Secret", State: inventory.Forbidden, Reason: `User "scanner" cannot list secrets`})
	b.SetCoverage(inventory.Coverage{Group: "example.com", Kind: "Widget", State: inventory.NotServed})
	inv := b.Build()

	var ran atomic.Int32
	counting := func(id string, requires ...schema.GroupKind) check.Check {
		m := meta(id)
		m.Requires = requires
		return check.New(m, func(ctx context.Context, pass *check.Pass) error {
			ran.Add(1)
			pass.Pass(pass.Inventory.Objects()[0], "ran")
			return nil
		})
	}
	results, err := kspm.Run(context.Background(), inv, []check.Check{
		counting("t:secrets", inventory.KindSecret, inventory.KindPod),
		counting("t:pods", inventory.KindPod),
		counting("t:widgets", schema.GroupKind{Group: "example.com", Kind: "Widget"}),
	})
	require.NoError(t, err)
	assert.Equal(t, []string{
		`t:secrets notEvaluated -: cannot be evaluated: secrets forbidden: User "scanner" cannot list secrets`,
		"t:pods pass Pod a/p: ran",
		"t:widgets pass Pod a/p: ran",
	}, briefs(results))
	assert.Equal(t, int32(2), ran.Load(), "the check that needs secrets was not run")
}

func TestRunRejectsInvalidChecks(t *testing.T) {
	inv := pods(t, 1)
	noRemediation := meta("t:b")
	noRemediation.Remediation = ""
	tests := []struct {
		name   string
		checks []check.Check
		want   string
	}{
		{"duplicate IDs", []check.Check{passAll("t:a"), passAll("t:b"), passAll("t:a")}, "check t:a: duplicate ID"},
		{"no remediation", []check.Check{check.New(noRemediation, nil)}, "check t:b: empty remediation"},
		{"nil check", []check.Check{passAll("t:a"), nil}, "check #1 is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := kspm.Run(context.Background(), inv, tt.checks)
			require.Error(t, err)
			assert.ErrorIs(t, err, kspm.ErrInvalidChecks)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, results)
		})
	}
}

func TestRunProgress(t *testing.T) {
	inv := pods(t, 1)
	var checks []check.Check
	for i := range 12 {
		checks = append(checks, passAll(fmt.Sprintf("t:%d", i)))
	}
	var (
		mu    sync.Mutex
		calls []kspm.Progress
	)
	_, err := kspm.Run(context.Background(), inv, checks, kspm.WithParallelism(4), kspm.WithProgress(func(p kspm.Progress) {
		mu.Lock()
		calls = append(calls, p)
		mu.Unlock()
	}))
	require.NoError(t, err)
	require.Len(t, calls, len(checks))
	seen := make(map[string]bool)
	for i, p := range calls {
		assert.Equal(t, i+1, p.Done, "Done counts up one by one")
		assert.Equal(t, len(checks), p.Total)
		assert.False(t, seen[p.CheckID], "each check reported once")
		seen[p.CheckID] = true
	}
	assert.Len(t, seen, len(checks))
}

func TestRunParams(t *testing.T) {
	inv := pods(t, 1)
	var got map[string]any
	m := meta("t:params")
	m.Params = []check.Param{{Name: "limit", Type: check.ParamInt, Default: 1}, {Name: "names", Type: check.ParamStringList}}
	c := check.New(m, func(ctx context.Context, pass *check.Pass) error {
		got = pass.Params
		return nil
	})
	_, err := kspm.Run(context.Background(), inv, []check.Check{c},
		kspm.WithParams("t:params", map[string]any{"limit": 3.0, "names": " a, ,b "}))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"limit": 3, "names": []string{"a", "b"}}, got)

	// A Go check that declares no parameters takes none.
	undeclared := check.New(meta("t:none"), func(ctx context.Context, pass *check.Pass) error { return nil })
	_, err = kspm.Run(context.Background(), inv, []check.Check{undeclared},
		kspm.WithParams("t:none", map[string]any{"limit": 3}))
	require.ErrorIs(t, err, kspm.ErrInvalidParams)
	assert.ErrorContains(t, err, "check t:none: takes no parameters (set: limit)")
}

func TestScan(t *testing.T) {
	inv := pods(t, 3)
	var sharedRuns atomic.Int32
	shared := check.New(meta("t:shared"), func(ctx context.Context, pass *check.Pass) error {
		sharedRuns.Add(1)
		objs := pass.Inventory.Objects()
		pass.Fail(objs[0], "spec", "bad")
		pass.Pass(objs[1], "ok")
		pass.Pass(objs[2], "ok")
		return nil
	})
	highMeta := meta("t:high")
	highMeta.Severity = check.High
	high := check.New(highMeta, func(ctx context.Context, pass *check.Pass) error {
		pass.Fail(pass.Inventory.Objects()[2], "", "worse")
		pass.NotEvaluated(nil, "no nodes")
		return nil
	})
	a := benchmark.Benchmark{Name: "a", Title: "A", Checks: []check.Check{shared, passAll("t:a-only")}}
	b := benchmark.Benchmark{Name: "b", Title: "B", Checks: []check.Check{high, shared}}

	before := time.Now().UTC()
	r, err := kspm.Scan(context.Background(), inv, []benchmark.Benchmark{a, b}, kspm.WithParallelism(2))
	require.NoError(t, err)
	assert.Equal(t, int32(1), sharedRuns.Load(), "a check in two benchmarks runs once")

	assert.Equal(t, report.SchemaVersion, r.SchemaVersion)
	assert.Equal(t, report.Tool{Name: "kspm", Version: kspm.Version}, r.Tool)
	assert.Equal(t, []string{"a", "b"}, r.Benchmarks)
	assert.False(t, r.GeneratedAt.Before(before.Add(-time.Second)))
	assert.Equal(t, inventory.ModeManifests, r.Inventory.Mode)
	assert.Equal(t, 3, r.Inventory.Objects)
	assert.NotEmpty(t, r.Inventory.Coverage)

	assert.Equal(t, []string{
		"t:shared fail Pod ns-0/pod-00: bad",
		"t:shared pass Pod ns-1/pod-01: ok",
		"t:shared pass Pod ns-2/pod-02: ok",
		"t:a-only pass Pod ns-0/pod-00: ok",
		"t:a-only pass Pod ns-1/pod-01: ok",
		"t:a-only pass Pod ns-2/pod-02: ok",
		"t:high notEvaluated -: no nodes",
		"t:high fail Pod ns-2/pod-02: worse",
	}, briefs(r.Results), "checks in benchmark order, each once")

	assert.Equal(t, report.Summary{
		Total:            8,
		ByStatus:         map[check.Status]int{check.StatusFail: 2, check.StatusPass: 5, check.StatusNotEvaluated: 1},
		FailedBySeverity: map[check.Severity]int{check.Medium: 1, check.High: 1},
	}, r.Summary)
	assert.Equal(t, check.High, r.MaxFailedSeverity())
}

func TestScanSameControlWithOtherDependencies(t *testing.T) {
	// A control built twice (each benchmark builds its own copy) has two Dependencies
	// values with functions that never compare equal: it is still one control.
	build := func() check.Check {
		m := meta("t:shared")
		m.Depends = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindPod},
			Affected: func(_ *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
				return []*inventory.Object{o}, false
			}}
		return check.New(m, func(ctx context.Context, pass *check.Pass) error { return nil })
	}
	a := benchmark.Benchmark{Name: "a", Checks: []check.Check{build()}}
	b := benchmark.Benchmark{Name: "b", Checks: []check.Check{build()}}
	r, err := kspm.Scan(context.Background(), pods(t, 1), []benchmark.Benchmark{a, b})
	require.NoError(t, err)
	assert.Len(t, r.Checks, 1)
	checks, names, err := kspm.Checks([]benchmark.Benchmark{a, b})
	require.NoError(t, err)
	assert.Len(t, checks, 1)
	assert.Equal(t, []string{"a", "b"}, names)
}

func TestScanRejectsInvalidChecks(t *testing.T) {
	bad := benchmark.Benchmark{Name: "bad", Checks: []check.Check{check.New(check.Meta{ID: "t:x"}, nil)}}
	_, err := kspm.Scan(context.Background(), pods(t, 1), []benchmark.Benchmark{bad})
	assert.ErrorIs(t, err, kspm.ErrInvalidChecks)
}
