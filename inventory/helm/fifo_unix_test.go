//go:build unix

package helm_test

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory/helm"
)

// A Chart.yaml that is a FIFO is an error naming it, and Detect does not wait for a writer.
func TestDetectChartFileFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "Chart.yaml"), 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	r, err := helm.New()
	require.NoError(t, err)
	_, err = r.Detect(dir)
	assert.ErrorContains(t, err, "not a regular file")
}
