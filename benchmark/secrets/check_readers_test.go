package secrets_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestReadersFixtures(t *testing.T) {
	checktest.Run(t, secrets.Readers(), filepath.Join("testdata", "readers"))
}

// A subject the allowSubjects parameter names is not reported; a pattern may end in *.
func TestReadersAllowSubjects(t *testing.T) {
	c := secrets.Readers()
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("testdata", "readers", "cluster-wide")})
	require.NoError(t, err)
	for _, allow := range []string{"ServiceAccount backup/velero", "ServiceAccount backup/*"} {
		assertVerdicts(t, c, run(t, c, inv, map[string]any{"allowSubjects": []string{allow}}), []verdict{
			pass("Namespace backup", "only its own service accounts and the control plane"),
			pass("Namespace shop", "only its own service accounts and the control plane"),
		})
	}
	assertVerdicts(t, c, run(t, c, inv, map[string]any{"allowSubjects": "ServiceAccount backup/veler"}), []verdict{
		pass("Namespace backup", ""),
		fail("Namespace shop", "", "ServiceAccount backup/velero may get, list Secrets"),
	})
}
