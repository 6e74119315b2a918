//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A --params or --baseline path that is a FIFO no one writes is refused at once: opening it
// to read would wait for a writer for ever.
func TestFIFOIsRefused(t *testing.T) {
	for _, flag := range []string{"--params", "--baseline"} {
		t.Run(flag, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "fifo")
			require.NoError(t, syscall.Mkfifo(fifo, 0o600))
			type result struct {
				code   int
				stderr string
			}
			done := make(chan result, 1)
			go func() {
				code, _, stderr := runScan(t, "", "-f", "../demo", "-b", "org", flag, fifo)
				done <- result{code, stderr}
			}()
			select {
			case r := <-done:
				assert.Equal(t, exitError, r.code)
				assert.Contains(t, r.stderr, "not a regular file")
				assert.Contains(t, r.stderr, fifo)
			case <-time.After(10 * time.Second):
				t.Fatalf("%s FIFO: still waiting for a writer after 10s", flag)
			}
		})
	}
}
