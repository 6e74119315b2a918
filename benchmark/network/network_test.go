package network_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/network"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestBenchmark validates the benchmark as a whole and each control: unique IDs of the
// network family, a title, a description that says what passes, a remediation, references,
// the kinds read, one section; one file per control with its test beside it and a top
// comment that names it and says what passes.
func TestBenchmark(t *testing.T) {
	b := network.Network()
	assert.Equal(t, network.NetworkName, b.Name)
	require.NoError(t, b.Validate())
	require.NoError(t, check.Validate(b.Checks))
	idPattern := regexp.MustCompile(`^network:[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	seen := make(map[string]bool)
	for _, c := range b.Checks {
		m := c.Meta()
		t.Run(m.ID, func(t *testing.T) {
			assert.Regexp(t, idPattern, m.ID)
			assert.False(t, seen[m.ID], "duplicate ID")
			seen[m.ID] = true
			assert.NotEmpty(t, m.Title)
			assert.Contains(t, m.Description, "Passes when", "the description says what passes")
			assert.True(t, m.Severity.Valid())
			assert.NotEmpty(t, m.Remediation)
			assert.NotEmpty(t, m.References)
			assert.NotEmpty(t, m.Kinds)
			assert.Equal(t, network.Section, m.Section)
			assert.Equal(t, m, c.Meta(), "Meta is stable")
			if len(m.Requires) > 0 {
				assert.Equal(t, inventory.KindNetworkPolicy, m.Requires[0])
			}

			base := "check_" + strings.ReplaceAll(strings.TrimPrefix(m.ID, "network:"), "-", "_")
			src, err := os.ReadFile(base + ".go")
			require.NoError(t, err, "the control lives in %s.go", base)
			top, _, _ := strings.Cut(string(src), "\n\npackage ")
			assert.True(t, strings.HasPrefix(top, "// "+m.ID+" inspects "), "%s.go starts with a comment on what %s inspects", base, m.ID)
			assert.Contains(t, top, "passes", "%s.go's top comment says what passes", base)
			_, err = os.Stat(base + "_test.go")
			assert.NoError(t, err, "the control has a test file %s_test.go", base)
		})
	}
}

// TestEveryCheckFileIsInTheBenchmark catches a control written but not listed.
func TestEveryCheckFileIsInTheBenchmark(t *testing.T) {
	ids := make(map[string]bool)
	for _, c := range network.Network().Checks {
		ids[c.Meta().ID] = true
	}
	files, err := filepath.Glob("check_*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		id := "network:" + strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(f, "check_"), ".go"), "_", "-")
		assert.True(t, ids[id], "%s defines %s, which Network does not list", f, id)
	}
}

// TestBenchmarkIsFresh: each call returns its own list, and its own engine cache.
func TestBenchmarkIsFresh(t *testing.T) {
	a := network.Network()
	a.Checks[0] = nil
	b := network.Network()
	assert.NotNil(t, b.Checks[0])
}

func TestBenchmarkIsBundled(t *testing.T) {
	bs, err := kspm.SelectBenchmarks([]string{network.NetworkName})
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Len(t, bs[0].Checks, len(network.Network().Checks))
	assert.Contains(t, kspm.DefaultBenchmarkNames(), network.NetworkName, "the benchmark runs by default")
}
