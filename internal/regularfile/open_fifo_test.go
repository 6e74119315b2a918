//go:build unix

package regularfile_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/regularfile"
)

// A FIFO given as a check file is refused at once, naming it, instead of being waited on for
// a writer that never comes; a regular file opens.
func TestOpenRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "checks.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan error, 3)
	go func() {
		_, err := regularfile.Open(fifo)
		done <- err
		_, err = check.LoadCELFile(fifo)
		done <- err
		_, _, err = admission.LoadFile(fifo)
		done <- err
	}()
	for range 3 {
		select {
		case err := <-done:
			require.Error(t, err)
			assert.Contains(t, err.Error(), fifo)
			assert.Contains(t, err.Error(), "not a regular file")
		case <-time.After(10 * time.Second):
			t.Fatal("a FIFO was waited on")
		}
	}
	plain := filepath.Join(dir, "plain.yaml")
	require.NoError(t, os.WriteFile(plain, []byte("x"), 0o600))
	f, err := regularfile.Open(plain)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
