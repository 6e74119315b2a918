//go:build unix

package regularfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	require.NoError(t, os.WriteFile(small, []byte("a: 1\n"), 0o644))
	data, err := Read(small, 5)
	require.NoError(t, err)
	assert.Equal(t, "a: 1\n", string(data))

	_, err = Read(small, 4)
	assert.ErrorContains(t, err, "larger than the limit of 4 bytes", "over the limit is an error, not a cut file")

	_, err = Read(dir, 100)
	assert.ErrorContains(t, err, "not a regular file")

	fifo := filepath.Join(dir, "Chart.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	_, err = Read(fifo, 100) // returns at once: a FIFO with no writer is not opened
	assert.ErrorContains(t, err, "not a regular file")

	_, err = Read(filepath.Join(dir, "missing"), 100)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
