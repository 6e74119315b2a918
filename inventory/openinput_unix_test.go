//go:build unix

package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pipedPod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: piped\n  namespace: ns\n"

// A named FIFO given as a path is refused at once, naming it, and the rest loads; a pipe
// passed as one of the process's descriptors (what -f <(command) is) is read, even when its
// writer is slow; a descriptor whose writer never writes is abandoned when ctx is done, and
// the error names it.
func TestLoadManifestsPipes(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "plain.yaml")
	require.NoError(t, os.WriteFile(plain, []byte(pipedPod), 0o600))

	t.Run("named FIFO with no writer", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo.yaml")
		MakeFIFO(t, fifo)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		inv, err := LoadManifests(ctx, []string{fifo, plain})
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 5*time.Second, "the FIFO was waited on")
		assert.Equal(t, 1, inv.Len(), "the other input loads")
		require.Len(t, inv.Errors(), 1)
		assert.ErrorIs(t, inv.Errors()[0], ErrNotRead)
		assert.Contains(t, inv.Errors()[0].Error(), fifo)
		assert.Contains(t, inv.Errors()[0].Error(), "named pipe")
	})

	for _, prefix := range []string{"/dev/fd/", "/proc/self/fd/"} {
		t.Run("slow writer through "+prefix, func(t *testing.T) {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			defer r.Close()
			path := fmt.Sprintf("%s%d", prefix, r.Fd())
			if _, err := os.Stat(path); err != nil {
				w.Close()
				t.Skipf("no %s here: %v", prefix, err)
			}
			go func() {
				defer w.Close()
				time.Sleep(100 * time.Millisecond) // the read starts before anything is written
				_, _ = w.WriteString(pipedPod)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			inv, err := LoadManifests(ctx, []string{path})
			require.NoError(t, err)
			assert.Empty(t, inv.Errors())
			assert.Equal(t, 1, inv.Len())
		})
	}

	t.Run("descriptor with a writer that never writes", func(t *testing.T) {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		defer r.Close()
		defer w.Close()
		path := fmt.Sprintf("/dev/fd/%d", r.Fd())
		if _, err := os.Stat(path); err != nil {
			t.Skipf("no /dev/fd here: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = LoadManifests(ctx, []string{path})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), path, "the error names the input it gave up on")
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}
