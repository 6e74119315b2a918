package kspm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestRunFindingsRead: reading any range of a run's results gives the results Run makes,
// across checks and the chunks their findings are kept in.
func TestRunFindingsRead(t *testing.T) {
	objs := make([]runtime.Object, 3000)
	for i := range objs {
		objs[i] = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: fmt.Sprintf("cm-%04d", i)}}
	}
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	var checks []check.Check
	// Checks of no finding (their one notApplicable result), one, a chunk's worth and
	// several chunks' worth.
	for i, n := range []int{0, 1, 16, 17, 100, 3000, 0, 2, 4096 - 16, 1} {
		checks = append(checks, check.New(check.Meta{ID: fmt.Sprintf("t:%d", i), Title: "T", Severity: check.Low, Remediation: "R"},
			func(ctx context.Context, pass *check.Pass) error {
				for j, o := range pass.Inventory.Objects()[:min(n, 3000)] {
					if j%7 == 0 {
						pass.Fail(o, "data", fmt.Sprintf("finding %d", j))
					} else {
						pass.Pass(o, "ok")
					}
				}
				return nil
			}))
	}
	want, err := Run(context.Background(), inv, checks)
	require.NoError(t, err)
	rs, err := run(context.Background(), inv, checks, newConfig(nil))
	require.NoError(t, err)
	require.Equal(t, len(want), rs.len())

	read := func(lo, hi int) []check.Result {
		var got []check.Result
		rs.read(lo, hi, func(r *check.Result) { got = append(got, *r) })
		return got
	}
	require.Equal(t, want, read(0, len(want)))
	require.Empty(t, read(len(want), len(want)+5))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		lo := rng.IntN(len(want))
		hi := lo + rng.IntN(min(len(want)-lo, 5000)+1)
		if got := read(lo, hi); hi > lo {
			require.Equal(t, want[lo:hi], got, "results %d to %d", lo, hi)
		} else {
			require.Empty(t, got)
		}
	}
}

// TestRunKeepsRareFindingParts: what few findings carry (an error, the admission binding that
// judged) reaches their results, each on its own finding, through the runner's compact
// records.
func TestRunKeepsRareFindingParts(t *testing.T) {
	objs := []runtime.Object{
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "a"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "b"}},
	}
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	boom := fmt.Errorf("boom")
	c := check.New(check.Meta{ID: "t:rare", Title: "T", Severity: check.Low, Remediation: "R"},
		func(ctx context.Context, pass *check.Pass) error {
			a, b := pass.Inventory.Objects()[0], pass.Inventory.Objects()[1]
			pass.Report(check.Finding{Object: a, Status: check.StatusFail, Message: "denied", Admission: &check.Admission{Binding: "deny-b", ValidationActions: []string{"Deny"}}})
			pass.Report(check.Finding{Object: a, Status: check.StatusFail, Message: "denied", Admission: &check.Admission{Binding: "audit-b", ValidationActions: []string{"Audit"}}})
			pass.Pass(b, "ok")
			pass.Error(b, boom)
			return nil
		})
	got, err := Run(context.Background(), inv, []check.Check{c})
	require.NoError(t, err)
	require.Len(t, got, 4)
	var bindings []string
	for _, r := range got[:2] {
		require.NotNil(t, r.Admission)
		bindings = append(bindings, r.Admission.Binding)
		require.NoError(t, r.Err)
	}
	require.ElementsMatch(t, []string{"deny-b", "audit-b"}, bindings)
	require.Nil(t, got[2].Admission)
	require.Nil(t, got[3].Admission)
	var errs int
	for _, r := range got[2:] {
		if r.Err != nil {
			require.ErrorIs(t, r.Err, boom)
			errs++
		}
	}
	require.Equal(t, 1, errs)
	require.LessOrEqual(t, unsafe.Sizeof(finding{}), uintptr(40), "the record a scan keeps per finding grew")
}
