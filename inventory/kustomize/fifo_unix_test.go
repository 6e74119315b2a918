//go:build unix

package kustomize_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/kustomize"
)

// A kustomization file that is a FIFO is no kustomization (Detect does not wait for a
// writer); the walk then reports it as a file it did not read.
func TestDetectKustomizationFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "kustomization.yaml"), 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	d, err := kustomize.New().Detect(dir)
	require.NoError(t, err)
	assert.Equal(t, inventory.NotRoot, d)
	inv, err := inventory.LoadManifests(context.Background(), []string{dir}, inventory.WithRenderer(kustomize.New()))
	require.NoError(t, err)
	require.Len(t, inv.Errors(), 1)
	assert.ErrorIs(t, inv.Errors()[0], inventory.ErrNotRead)
}
