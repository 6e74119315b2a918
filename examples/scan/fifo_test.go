//go:build unix

package main

import (
	"fmt"
	"os"
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

// -f FIFO with no writer is reported at once, naming the FIFO, and the scan goes on with the
// other inputs (it is incomplete: exit code of an error); -f /dev/fd/N, what the shell passes
// for -f <(helm template ...), is read.
func TestManifestFIFO(t *testing.T) {
	t.Run("named FIFO", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo.yaml")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		done := make(chan string, 1)
		go func() {
			_, _, stderr := runScan(t, "", "-f", fifo, "-f", "../demo", "-b", "org")
			done <- stderr
		}()
		select {
		case stderr := <-done:
			assert.Contains(t, stderr, fifo)
			assert.Contains(t, stderr, "named pipe")
		case <-time.After(10 * time.Second):
			t.Fatal("-f FIFO: still waiting for a writer after 10s")
		}
	})
	t.Run("process substitution", func(t *testing.T) {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		defer r.Close()
		path := fmt.Sprintf("/dev/fd/%d", r.Fd())
		if _, err := os.Stat(path); err != nil {
			w.Close()
			t.Skipf("no /dev/fd here: %v", err)
		}
		go func() {
			defer w.Close()
			time.Sleep(50 * time.Millisecond)
			_, _ = w.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: piped, namespace: ns}\nspec:\n  containers:\n  - {name: c, image: i, securityContext: {privileged: true}}\n")
		}()
		code, rep, stderr := scanJSON(t, "", "-f", path, "-b", "workloads")
		assert.NotEqual(t, exitError, code, stderr)
		found := false
		for _, res := range rep.Results {
			if res.Object != nil && res.Object.Name == "piped" {
				found = true
			}
		}
		assert.True(t, found, "the pod read through %s is scanned; stderr: %s", path, stderr)
	})
}
