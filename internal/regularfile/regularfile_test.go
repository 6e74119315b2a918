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

// A path replaced by a FIFO between its check and its opening is refused at once, not waited
// on; a file larger than the limit is refused by its size, before it is read.
func TestReadReplacedAndLarge(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	require.NoError(t, os.WriteFile(regular, []byte("a: 1\n"), 0o644))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	regularInfo, err := os.Stat(regular)
	require.NoError(t, err)
	stat = func(string) (os.FileInfo, error) { return regularInfo, nil } // the check saw a regular file
	t.Cleanup(func() { stat = os.Stat })
	_, err = Read(fifo, 100)
	assert.ErrorContains(t, err, "not a regular file (mode p")
	stat = os.Stat

	huge := filepath.Join(dir, "huge.yaml")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(10<<30)) // 10 GiB, sparse: nothing is written
	require.NoError(t, f.Close())
	_, err = Read(huge, 1<<20)
	assert.ErrorContains(t, err, "larger than the limit of 1048576 bytes")
}
