package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check"
)

func TestBenchmarkValid(t *testing.T) {
	b := secrets.Secrets()
	require.NoError(t, b.Validate())
	assert.Equal(t, secrets.SecretsName, b.Name)
	for _, c := range b.Checks {
		m := c.Meta()
		assert.True(t, strings.HasPrefix(m.ID, "secrets:"), m.ID)
		assert.Equal(t, secrets.Section, m.Section, m.ID)
		assert.NotEmpty(t, m.Description, m.ID)
		assert.NotEmpty(t, m.References, m.ID)
		assert.NotEmpty(t, m.Kinds, m.ID)
	}
}

func TestBenchmarkIsFresh(t *testing.T) {
	a := secrets.Secrets()
	a.Checks[0] = nil
	b := secrets.Secrets()
	assert.NotNil(t, b.Checks[0])
}

func TestBenchmarkIsBundled(t *testing.T) {
	assert.Contains(t, kspm.DefaultBenchmarkNames(), secrets.SecretsName, "runs by default")
	bs, err := kspm.SelectBenchmarks([]string{secrets.SecretsName})
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Len(t, bs[0].Checks, len(secrets.Secrets().Checks))
}

// TestEveryControlHasFixtures: each control has fixtures in testdata/<name>, among them an
// object that passes and one that fails.
func TestEveryControlHasFixtures(t *testing.T) {
	// Where a control's failing case is not in its fixtures, the test that has it.
	failsElsewhere := map[string]string{
		"secrets:unreferenced": "TestUnreferencedComplete (it fails only for a whole inventory)",
	}
	for _, c := range secrets.Secrets().Checks {
		id := c.Meta().ID
		dir := filepath.Join("testdata", strings.TrimPrefix(id, "secrets:"))
		var text strings.Builder
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			text.Write(b)
			return err
		})
		require.NoError(t, err, "%s has no fixtures in %s", id, dir)
		assert.Contains(t, text.String(), "kspm.dev/expect: pass", "%s: no passing fixture", id)
		if _, ok := failsElsewhere[id]; !ok {
			assert.Contains(t, text.String(), "kspm.dev/expect: fail", "%s: no failing fixture", id)
		}
	}
}

// Every control runs on a pass made without the runner (no parameters resolved), as
// BenchmarkCheckGrowth makes them: the defaults apply.
func TestChecksRunWithoutResolvedParams(t *testing.T) {
	inv := clusterInventory(t, nil, &corev1.Secret{ObjectMeta: meta("shop", "s"), Type: corev1.SecretTypeServiceAccountToken})
	for _, c := range secrets.Secrets().Checks {
		var findings []check.Finding
		require.NoError(t, c.Run(context.Background(), check.NewPass(inv, c.Meta(), nil, func(f check.Finding) { findings = append(findings, f) })), c.Meta().ID)
		for _, f := range findings {
			assert.NotEqual(t, check.StatusError, f.Status, "%s: %s", c.Meta().ID, f.Message)
		}
	}
}
