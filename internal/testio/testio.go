// Package testio holds helpers for tests that feed the loaders hostile files or watch what
// reaches the process's standard error. It is imported by tests only.
package testio

import (
	"bytes"
	"io"
	"log"
	"os"
	"testing"
)

// CaptureStderr points os.Stderr and the log package's output at a pipe and a buffer while f
// runs, puts them back, and returns what was written to either. It changes process-wide
// state: a test that calls it must not run in parallel with others.
func CaptureStderr(t testing.TB, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	var logged bytes.Buffer
	origStderr, origLog := os.Stderr, log.Writer()
	os.Stderr = w
	log.SetOutput(&logged)
	read := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		read <- b
	}()
	func() {
		defer func() {
			os.Stderr = origStderr
			log.SetOutput(origLog)
			_ = w.Close()
		}()
		f()
	}()
	printed := <-read
	_ = r.Close()
	return string(printed) + logged.String()
}

// Sparse makes a file of size bytes at path without writing them (a file system that does
// not keep holes writes zeros).
func Sparse(t testing.TB, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
