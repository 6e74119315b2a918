package check_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestCELOverRealManifests runs the example CEL checks over real projects' manifests: every
// selected object gets a verdict, none an evaluation error (which would mean the map form of
// real objects differs from what the expressions, written the documented way, expect).
func TestCELOverRealManifests(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus sweep skipped in -short mode")
	}
	corpus := filepath.Join("..", "..", "shared", "corpus", "real")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	inv, err := inventory.LoadManifests(context.Background(), []string{corpus})
	require.NoError(t, err)
	require.Positive(t, inv.Len())
	checks, err := check.LoadCELFile(filepath.Join("testdata", "checks.yaml"))
	require.NoError(t, err)
	for _, c := range checks {
		t.Run(c.Meta().ID, func(t *testing.T) {
			start := time.Now()
			got := mustRun(t, c, inv, nil)
			counts := map[check.Status]int{}
			for _, f := range got {
				counts[f.Status]++
				if f.Status == check.StatusError {
					t.Errorf("%s: %s", f.Object, f.Message)
				}
			}
			t.Logf("%d objects, %d results %v in %v", inv.Len(), len(got), counts, time.Since(start))
			assert.NotEmpty(t, got)
		})
	}
}
