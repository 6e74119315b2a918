//go:build unix

package kustomize_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/internal/testio"
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

// A resource or patch that is a FIFO, a link to a device or too large fails the build at
// once, with an error naming it, instead of hanging it or reading without end.
func TestBuildHostileFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"FIFO resource", func(t *testing.T, dir string) { testio.MakeFIFO(t, filepath.Join(dir, "app.yaml")) },
			"app.yaml: not a regular file (mode p"},
		{"link to /dev/zero (kustomize's load restrictor refuses it first)", func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "app.yaml")))
		}, "app.yaml' is not in or below"},
		{"10 GiB resource", func(t *testing.T, dir string) { testio.Sparse(t, filepath.Join(dir, "app.yaml"), 10<<30) },
			"app.yaml: larger than the limit of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("resources: [app.yaml]\n"), 0o644))
			tt.setup(t, dir)
			done := make(chan error, 1)
			go func() {
				_, err := kustomize.New().Render(context.Background(), dir)
				done <- err
			}()
			select {
			case err := <-done:
				assert.ErrorContains(t, err, filepath.Join(dir, tt.want))
			case <-time.After(10 * time.Second):
				t.Fatal("the build did not return: it waits on the file")
			}
		})
	}
}
