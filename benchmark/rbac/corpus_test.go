package rbac

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestRealCorpus runs the benchmark over real manifests: no check errors, and every finding
// names its object.
func TestRealCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "real")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real corpus not present at %s", dir)
	}
	inv, err := inventory.LoadManifests(context.Background(), []string{dir})
	require.NoError(t, err)
	counts := map[string]map[check.Status]int{}
	for _, c := range RBAC().Checks {
		id := c.Meta().ID
		counts[id] = map[check.Status]int{}
		for _, f := range run(t, c, inv, nil) {
			counts[id][f.Status]++
			require.NotEqual(t, check.StatusError, f.Status, "%s: %s", id, f.Message)
			if f.Status == check.StatusFail {
				require.NotNil(t, f.Object, "%s: %s", id, f.Message)
			}
			if testing.Verbose() {
				fmt.Printf("%s %s [%s] %s\n", id, f.Status, refOf(f), f.Message)
			}
		}
	}
	t.Logf("%d objects; results by check: %v", inv.Len(), counts)
}
