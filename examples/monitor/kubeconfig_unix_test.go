//go:build unix

package main

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A --kubeconfig that is a FIFO no one writes is refused at once, naming it, rather than
// waited on in open() (the monitor would hang before its first scan).
func TestKubeconfigFIFOIsRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan error, 1)
	go func() {
		_, err := restConfig(context.Background(), &options{kubeconfig: fifo})
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), fifo)
		assert.Contains(t, err.Error(), "named pipe")
	case <-time.After(10 * time.Second):
		t.Fatal("still waiting for a writer after 10s")
	}
}
