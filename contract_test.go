package kspm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/pss"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// A different check that reuses the ID of a bundled one is an error, in either order; the
// controls that bundled benchmarks share run once.
func TestScanDuplicateIDAcrossBenchmarks(t *testing.T) {
	inv := pods(t, 2)
	restricted, err := pss.Restricted()
	require.NoError(t, err)
	mine := benchmark.Benchmark{Name: "mine", Title: "Mine", Checks: []check.Check{passAll("pss:privileged")}}

	for name, set := range map[string][]benchmark.Benchmark{
		"bundled first": {restricted, mine},
		"user first":    {mine, restricted},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := kspm.Scan(context.Background(), inv, set)
			require.ErrorIs(t, err, kspm.ErrInvalidChecks)
			assert.ErrorContains(t, err, "pss:privileged")
		})
	}

	t.Run("bundled benchmarks share controls", func(t *testing.T) {
		set, err := kspm.SelectBenchmarks([]string{pss.BaselineName, pss.RestrictedName})
		require.NoError(t, err)
		r, err := kspm.Scan(context.Background(), inv, set)
		require.NoError(t, err)
		n := 0
		for _, res := range r.Results {
			if res.CheckID == "pss:privileged" {
				n++
			}
		}
		assert.Equal(t, 2, n, "one result per pod: the shared control runs once")
	})

	t.Run("default set", func(t *testing.T) {
		set, err := kspm.Benchmarks()
		require.NoError(t, err)
		_, err = kspm.Scan(context.Background(), inv, set)
		require.NoError(t, err)
	})
}

// A run with no checks is an error: a scan of nothing is not a success.
func TestNoChecksIsAnError(t *testing.T) {
	inv := pods(t, 1)
	ctx := context.Background()
	_, err := kspm.Scan(ctx, inv, nil)
	assert.ErrorIs(t, err, kspm.ErrNoChecks)
	_, err = kspm.Scan(ctx, inv, []benchmark.Benchmark{{Name: "empty", Title: "Empty"}})
	assert.ErrorIs(t, err, kspm.ErrNoChecks)
	_, err = kspm.Run(ctx, inv, nil)
	assert.ErrorIs(t, err, kspm.ErrNoChecks)
}

// Parameters for a check that is not in the run are an error, not ignored.
func TestParamsForUnknownCheck(t *testing.T) {
	_, err := kspm.Run(context.Background(), pods(t, 1), []check.Check{passAll("t:a")},
		kspm.WithParams("t:typo", map[string]any{"x": 1}))
	require.ErrorIs(t, err, kspm.ErrUnknownCheck)
	assert.ErrorContains(t, err, "t:typo")
}

// A check that is not manual must have a run function.
func TestValidateRejectsCheckWithoutRun(t *testing.T) {
	err := check.Validate([]check.Check{check.New(meta("t:norun"), nil)})
	assert.ErrorContains(t, err, "t:norun")
	m := meta("t:manual")
	m.Manual = true
	assert.NoError(t, check.Validate([]check.Check{check.New(m, nil)}))
}

// A Go check gets the coverage rule a CEL check gets: when a kind it declares in Meta.Kinds
// was not seen completely, the run says so with one notEvaluated result, so that "no
// failures" is not read as a pass.
func TestGoCheckKindsNotSeen(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeCluster)
	require.NoError(t, b.Add(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p"}}, inventory.Source{}))
	b.SetCoverage(inventory.Coverage{Kind: "Pod", State: inventory.Listed})
	b.SetCoverage(inventory.Coverage{Group: "apps", Kind: "Deployment", State: inventory.Forbidden, Reason: "RBAC"})
	inv := b.Build()

	goMeta := meta("t:go")
	goMeta.Kinds = []schema.GroupKind{inventory.KindDeployment, inventory.KindPod}
	goCheck := check.New(goMeta, func(ctx context.Context, pass *check.Pass) error {
		for _, o := range pass.Inventory.ByKind(inventory.KindDeployment) {
			pass.Fail(o, "", "bad")
		}
		for _, o := range pass.Inventory.ByKind(inventory.KindPod) {
			pass.Pass(o, "ok")
		}
		return nil
	})
	celMeta := meta("t:cel")
	celMeta.Kinds = goMeta.Kinds
	celCheck, err := check.CEL(check.CELSpec{Meta: celMeta, Expression: "true"})
	require.NoError(t, err)
	podsMeta := meta("t:pods")
	podsMeta.Kinds = []schema.GroupKind{inventory.KindPod}
	podsOnly := check.New(podsMeta, func(ctx context.Context, pass *check.Pass) error {
		for _, o := range pass.Inventory.ByKind(inventory.KindPod) {
			pass.Pass(o, "ok")
		}
		return nil
	})

	results, err := kspm.Run(context.Background(), inv, []check.Check{goCheck, celCheck, podsOnly})
	require.NoError(t, err)
	const gap = "objects of kinds not completely seen were not evaluated: deployments forbidden: RBAC"
	assert.Equal(t, []string{
		"t:go notEvaluated -: " + gap,
		"t:go pass Pod a/p: ok",
		"t:cel notEvaluated -: " + gap,
		"t:cel pass Pod a/p: " + "",
		"t:pods pass Pod a/p: ok",
	}, briefs(results))
}

// A failing check's result carries the error value: errors.As finds the PanicError, with the
// value and the stack, and errors.Is the error a check returned or the timeout.
func TestErrorResultsCarryTheError(t *testing.T) {
	inv := pods(t, 1)
	errLookup := errors.New("lookup failed")
	boom := check.New(meta("t:boom"), func(ctx context.Context, pass *check.Pass) error { panic("boom") })
	failing := check.New(meta("t:err"), func(ctx context.Context, pass *check.Pass) error {
		return fmt.Errorf("reading: %w", errLookup)
	})
	slow := check.New(meta("t:slow"), func(ctx context.Context, pass *check.Pass) error {
		<-ctx.Done()
		return ctx.Err()
	})
	results, err := kspm.Run(context.Background(), inv, []check.Check{boom, failing, slow, passAll("t:ok")},
		kspm.WithCheckTimeout(20*time.Millisecond))
	require.NoError(t, err)
	require.Len(t, results, 4)

	var pe *check.PanicError
	require.ErrorAs(t, results[0].Err, &pe)
	assert.Equal(t, "t:boom", pe.CheckID)
	assert.Equal(t, "boom", pe.Value)
	assert.Contains(t, string(pe.Stack), "panic")
	assert.Equal(t, pe.Error(), results[0].Message)

	assert.ErrorIs(t, results[1].Err, errLookup)
	assert.ErrorIs(t, results[2].Err, context.DeadlineExceeded)
	assert.NoError(t, results[3].Err, "a pass carries no error")

	// An error a check reports through Pass.Error is carried the same way.
	reported := check.New(meta("t:reported"), func(ctx context.Context, pass *check.Pass) error {
		pass.Error(nil, fmt.Errorf("decoding: %w", errLookup))
		return nil
	})
	results, err = kspm.Run(context.Background(), inv, []check.Check{reported})
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.ErrorIs(t, results[0].Err, errLookup)
}

// A Go check declares its parameters (name, type, default) as a CEL check does: the pass holds
// the defaults overridden by the caller's values, and a misspelt or mistyped parameter is an
// error before anything runs, for Go and CEL checks alike.
func TestGoCheckDeclaredParams(t *testing.T) {
	inv := pods(t, 1)
	m := meta("t:limits")
	m.Params = []check.Param{
		{Name: "max", Type: check.ParamInt, Default: 3, Description: "Most containers allowed."},
		{Name: "exempt", Type: check.ParamStringList, Description: "Namespaces not checked."},
		{Name: "strict", Type: check.ParamBool, Default: false},
	}
	var got map[string]any
	c := check.New(m, func(ctx context.Context, pass *check.Pass) error {
		got = pass.Params
		return nil
	})
	celMeta := meta("t:cel")
	celCheck, err := check.CEL(check.CELSpec{Meta: celMeta, Expression: "params.max > 0", Params: map[string]any{"max": 1}})
	require.NoError(t, err)

	_, err = kspm.Run(context.Background(), inv, []check.Check{c},
		kspm.WithParams("t:limits", map[string]any{"max": float64(5), "exempt": []any{"kube-system"}}))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"max": 5, "exempt": []string{"kube-system"}, "strict": false}, got,
		"defaults overridden key by key, values of the declared types")

	_, err = kspm.Run(context.Background(), inv, []check.Check{c})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"max": 3, "strict": false}, got, "defaults alone")

	for name, tc := range map[string]struct {
		id     string
		params map[string]any
		want   string
	}{
		"misspelt Go":  {"t:limits", map[string]any{"mxa": 1}, `check t:limits: unknown parameter "mxa" (known: exempt, max, strict)`},
		"mistyped Go":  {"t:limits", map[string]any{"max": "5"}, `check t:limits: parameter "max": want int, got string`},
		"fraction Go":  {"t:limits", map[string]any{"max": 2.5}, `check t:limits: parameter "max": want int, got 2.5`},
		"misspelt CEL": {"t:cel", map[string]any{"mxa": 1}, `check t:cel: unknown parameter "mxa"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := kspm.Run(context.Background(), inv, []check.Check{c, celCheck}, kspm.WithParams(tc.id, tc.params))
			require.ErrorIs(t, err, kspm.ErrInvalidParams)
			assert.ErrorContains(t, err, tc.want)
		})
	}

	t.Run("invalid declaration", func(t *testing.T) {
		bad := meta("t:bad")
		bad.Params = []check.Param{{Name: "n", Type: check.ParamInt, Default: "three"}, {Name: "n", Type: "float"}}
		err := check.Validate([]check.Check{check.New(bad, func(context.Context, *check.Pass) error { return nil })})
		assert.ErrorContains(t, err, `parameter "n": default: want int, got string`)
		assert.ErrorContains(t, err, `parameter "n": declared twice`)
		assert.ErrorContains(t, err, `invalid type "float"`)
	})
}
