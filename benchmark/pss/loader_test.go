package pss

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"
)

// loadFixture reads one manifest file through the project's manifest loader, which defaults
// objects as the API server would.
func loadFixture(t *testing.T, path string) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.LoadManifests(t.Context(), []string{path}, inventory.WithParallelism(1))
	require.NoError(t, err, path)
	require.Empty(t, inv.Errors(), path)
	return inv
}

// TestLoaderDefaultsVolumes checks that the manifest loader turns a volume with no source into
// an emptyDir, as the API server does before admission sees the pod.
func TestLoaderDefaultsVolumes(t *testing.T) {
	root := upstreamFixtureDir(t)
	inv := loadFixture(t, filepath.Join(root, "restricted", "v1.30", "pass", "restrictedvolumes0.yaml"))
	pods := inv.Pods()
	require.Len(t, pods, 1)
	require.NotEmpty(t, pods[0].Spec.Volumes)
	v := pods[0].Spec.Volumes[0]
	require.Equal(t, "volume0", v.Name)
	assert.NotNil(t, v.EmptyDir, "a volume with no source is an emptyDir")
}
