package workloads_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// fixtureDir is the folder of c's fixtures: testdata/<name>, the ID without its prefix.
func fixtureDir(c check.Check) string {
	return filepath.Join("testdata", strings.TrimPrefix(c.Meta().ID, "workloads:"))
}

// runFixtures runs c over its fixtures (see checktest.Run).
func runFixtures(t *testing.T, c check.Check, opts ...checktest.Option) []check.Result {
	t.Helper()
	return checktest.Run(t, c, fixtureDir(c), opts...)
}

// runCompleteFixture runs c over one fixture file loaded as manifests declared the whole
// cluster (inventory.WithCompleteInput), against the expectations annotated on it.
func runCompleteFixture(t *testing.T, c check.Check, path string) []check.Result {
	t.Helper()
	inv, err := inventory.LoadManifests(context.Background(), []string{path}, inventory.WithCompleteInput())
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	return checktest.RunInventory(t, c, inv)
}

// completeFixture is the file of c's fixtures that are loaded as manifests declared the whole
// cluster (see runCompleteFixture), if it has one.
func completeFixture(c check.Check) string {
	return filepath.Join("testdata", "complete", strings.TrimPrefix(c.Meta().ID, "workloads:")+".yaml")
}

// TestEveryControlHasFixtures: each control has a folder of fixtures, and between them and
// its complete-input fixture at least one object expected to pass and one expected to fail.
func TestEveryControlHasFixtures(t *testing.T) {
	for _, c := range workloads.Workloads().Checks {
		t.Run(c.Meta().ID, func(t *testing.T) {
			var all strings.Builder
			err := filepath.WalkDir(fixtureDir(c), func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(path)
				all.Write(b)
				return err
			})
			require.NoError(t, err, "fixtures in %s", fixtureDir(c))
			if b, err := os.ReadFile(completeFixture(c)); err == nil {
				all.Write(b)
			}
			for _, status := range []string{"pass", "fail"} {
				assert.Regexp(t, `kspm\.dev/expect(-cluster)?: `+status+`\b`, all.String(), "no fixture expects %s", status)
			}
		})
	}
}
