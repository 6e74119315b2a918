//go:build integration

package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// A PersistentVolumeClaim in namespace default, a kind the built-in lists do not hold, fails
// workloads:default-namespace on a real API server once the load lists default's other
// resources; without that listing, or for a user who may not list them, the check is not
// evaluated rather than passed.
func TestDefaultNamespaceSeesEveryResource(t *testing.T) {
	cs := adminClient(t)
	name := freshName("kspm-defns")
	_, err := cs.CoreV1().PersistentVolumeClaims(metav1.NamespaceDefault).Create(t.Context(), smallPVC(name), metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.CoreV1().PersistentVolumeClaims(metav1.NamespaceDefault).Delete(t.Context(), name, metav1.DeleteOptions{})
	})
	c := workloads.DefaultNamespace()
	results := func(t *testing.T, inv *inventory.Inventory) []check.Result {
		t.Helper()
		rs, err := kspm.Run(t.Context(), inv, []check.Check{c})
		require.NoError(t, err)
		for _, r := range rs {
			assert.NotEqual(t, check.StatusPass, r.Status, "%s", r.Message)
		}
		return rs
	}
	pvc := "PersistentVolumeClaim default/" + name
	failsPVC := func(rs []check.Result) bool {
		for _, r := range rs {
			if r.Status == check.StatusFail && r.Object != nil && r.Object.String() == pvc {
				return true
			}
		}
		return false
	}
	notEvaluated := func(rs []check.Result, words string) bool {
		for _, r := range rs {
			if r.Status == check.StatusNotEvaluated && r.Object == nil && strings.Contains(r.Message, words) {
				return true
			}
		}
		return false
	}

	t.Run("listed", func(t *testing.T) {
		// Loads with and without the listing, interleaved after a warm-up, for the cost.
		var base, with time.Duration
		var inv *inventory.Inventory
		for i := range 4 {
			start := time.Now()
			_, err := inventory.FromConfig(t.Context(), adminConfig())
			require.NoError(t, err)
			if i > 0 {
				base += time.Since(start)
			}
			start = time.Now()
			inv, err = inventory.FromConfig(t.Context(), adminConfig(), inventory.WithDefaultNamespaceListing())
			require.NoError(t, err)
			if i > 0 {
				with += time.Since(start)
			}
		}
		l := inv.DefaultNamespaceListing()
		require.NotNil(t, l)
		t.Logf("listing of default: %d resources, %d objects; load %.2fx the time of one without it (%s vs %s)",
			len(l.Resources()), len(l.Objects()), float64(with)/float64(base), with, base)
		assert.Empty(t, l.Unseen(), "the administrator lists every resource")
		rs := results(t, inv)
		assert.True(t, failsPVC(rs), "the PVC fails: %v", rs)
		for _, r := range rs {
			if r.Object != nil {
				assert.NotEqual(t, "Event", r.Object.Kind, "Events are not judged")
				assert.NotEqual(t, "kubernetes", r.Object.Name, "the API server's own objects pass: %s", r.Object)
			}
		}
	})
	t.Run("not listed", func(t *testing.T) {
		inv, err := inventory.FromConfig(t.Context(), adminConfig())
		require.NoError(t, err)
		rs := results(t, inv)
		assert.False(t, failsPVC(rs), "the built-in lists do not hold PVCs")
		assert.True(t, notEvaluated(rs, "WithDefaultNamespaceListing"), "%v", rs)
	})
	t.Run("forbidden", func(t *testing.T) {
		inv, err := inventory.FromConfig(t.Context(), lowPrivConfig(), inventory.WithDefaultNamespaceListing())
		require.NoError(t, err)
		require.NotNil(t, inv.DefaultNamespaceListing())
		require.NotEmpty(t, inv.DefaultNamespaceListing().Unseen())
		rs := results(t, inv)
		assert.True(t, notEvaluated(rs, "forbidden"), "%v", rs)
	})
}
