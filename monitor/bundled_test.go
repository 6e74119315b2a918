package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
)

// TestBundledChecksDeclareDependencies: every bundled check but the manual ones says what its
// results depend on (check.Dependencies), so that a monitor re-runs it only for the changes
// that can alter them; declarations are checked against each check's Kinds and Requires by
// check.Validate, and their exactness by the randomized tests of this package.
func TestBundledChecksDeclareDependencies(t *testing.T) {
	bs, err := kspm.SelectBenchmarks(kspm.BenchmarkNames())
	require.NoError(t, err)
	for _, b := range bs {
		require.NoError(t, b.Validate())
		for _, c := range b.Checks {
			m := c.Meta()
			if !m.Manual {
				assert.NotNil(t, m.Depends, "%s of %s declares no dependencies", m.ID, b.Name)
			}
		}
	}
}
