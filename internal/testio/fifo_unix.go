//go:build unix

package testio

import (
	"os"
	"syscall"
	"testing"
)

// MakeFIFO creates a FIFO at path for a test, skipping the test where that cannot be done,
// and lets a read blocked on it return when the test ends.
func MakeFIFO(t testing.TB, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = f.Close()
		}
	})
}
