package check

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
)

// shippedCELChecks returns every CEL check kspm ships: the workloads benchmark's and the
// examples', with the parameters they are meant to run with.
func shippedCELChecks(t testing.TB) ([]Check, map[string]map[string]any) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "examples", "cel-checks", "*.yaml"))
	require.NoError(t, err)
	files = append(files, filepath.Join("..", "benchmark", "workloads", "allowed_registries.yaml"))
	var checks []Check
	for _, f := range files {
		cs, err := LoadCELFile(f)
		require.NoError(t, err)
		checks = append(checks, cs...)
	}
	require.GreaterOrEqual(t, len(checks), 6)
	params := map[string]map[string]any{
		// The workloads benchmark passes its cleaned registries list.
		"workloads:allowed-registries": {"registries": []any{"registry.example.com", "ghcr.io/acme", "quay.io/prometheus"}},
	}
	return checks, params
}

// TestCELShippedChecksCostMargin measures what the shipped CEL checks cost on the demo
// manifests and on a synthetic inventory (20,000 objects; 100,000 with KSPM_BENCH_LARGE=1)
// and requires them to stay far within the default limits: the costliest evaluation under a
// hundredth of DefaultCELCostLimit, and a run under a fifth of DefaultCELScanCostLimit. The
// figures are logged (go test -v -run CostMargin ./check).
func TestCELShippedChecksCostMargin(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	checks, params := shippedCELChecks(t)
	demo, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("..", "examples", "demo")})
	require.NoError(t, err)
	n := 20_000
	if large, _ := strconv.ParseBool(os.Getenv("KSPM_BENCH_LARGE")); large {
		n = 100_000
	}
	synthetic, err := inventory.New(synth.Generate(1, n)...)
	require.NoError(t, err)
	for _, inv := range []struct {
		name string
		inv  *inventory.Inventory
	}{{"demo", demo}, {"synthetic-" + strconv.Itoa(n), synthetic}} {
		for _, c := range checks {
			id := c.Meta().ID
			var results, errs int
			pass := NewPass(inv.inv, c.Meta(), params[id], func(f Finding) {
				results++
				if f.Status == StatusError {
					errs++
				}
			})
			start := time.Now()
			r, err := c.(*celCheck).run(context.Background(), pass)
			elapsed := time.Since(start)
			require.NoError(t, err)
			assert.Zero(t, errs, "%s on %s: error results", id, inv.name)
			t.Logf("%-10s %-32s %6d evaluations, costliest %5d units (%5.0f× under the limit), run %9d units (%6.0f× under the budget), %v",
				inv.name, id, r.evals, r.most, float64(DefaultCELCostLimit)/float64(max(r.most, 1)),
				r.spent, float64(DefaultCELScanCostLimit)/float64(max(r.spent, 1)), elapsed.Round(time.Millisecond))
			assert.Less(t, r.most, DefaultCELCostLimit/100, "%s on %s: costliest evaluation", id, inv.name)
			assert.Less(t, r.spent, DefaultCELScanCostLimit/5, "%s on %s: run", id, inv.name)
		}
	}
}
