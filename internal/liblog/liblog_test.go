package liblog

import (
	"bytes"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// withLogOutput points the log package at a buffer for the test, and puts log back after.
func withLogOutput(t *testing.T, flags int, prefix string) *syncBuffer {
	t.Helper()
	out := &syncBuffer{}
	w, f, p, l := log.Writer(), log.Flags(), log.Prefix(), slog.Default()
	log.SetOutput(out)
	log.SetFlags(flags)
	log.SetPrefix(prefix)
	t.Cleanup(func() {
		slog.SetDefault(l)
		log.SetOutput(w)
		log.SetFlags(f)
		log.SetPrefix(p)
	})
	return out
}

func TestCapture(t *testing.T) {
	for _, tt := range []struct {
		name   string
		flags  int
		prefix string
	}{
		{"standard flags", log.LstdFlags, ""},
		{"every header field", log.LstdFlags | log.Lmicroseconds | log.Lshortfile | log.LUTC, "lib: "},
		{"prefix before the message", log.Ldate | log.Lmsgprefix, "lib: "},
		{"no header", 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := withLogOutput(t, tt.flags, tt.prefix)
			got := Capture(func() {
				log.Printf("warning: skipped value for %s: Not a table.", "a.b")
				log.Print("second")
				slog.Warn("returned non-bool value", "path", "sub.enabled", "chart", "my chart")
				slog.Info("an info")
				slog.Debug("not shown")
				slog.Default().WithGroup("g").With("k", 1).Warn("grouped", "x", "")
			})
			assert.Equal(t, []string{
				"warning: skipped value for a.b: Not a table.",
				"second",
				`returned non-bool value path=sub.enabled chart="my chart"`,
				"an info",
				`grouped g.k=1 g.x=""`,
			}, got)
			assert.Empty(t, out.String(), "nothing captured reaches the log output")
			log.Print("after")
			assert.Contains(t, out.String(), "after", "the log output is back")
			assert.Equal(t, tt.flags, log.Flags())
		})
	}
}

// What other goroutines log while a capture runs goes where it went before, with the
// header log gave it; parallel captures each get their own messages only.
func TestCaptureOtherGoroutines(t *testing.T) {
	out := withLogOutput(t, log.Lmsgprefix, "prog: ")
	started, release := make(chan struct{}), make(chan struct{})
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = Capture(func() {
			close(started)
			<-release
			log.Print("from the library")
		})
	}()
	<-started
	log.Print("from the program")
	slog.Warn("program slog", "n", 2)
	close(release)
	<-done
	assert.Equal(t, []string{"from the library"}, got)
	assert.Contains(t, out.String(), "prog: from the program\n")
	assert.Contains(t, out.String(), "prog: WARN program slog n=2\n")
	assert.NotContains(t, out.String(), "from the library")

	var wg sync.WaitGroup
	results := make([][]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = Capture(func() {
				for j := range 50 {
					log.Printf("render %d message %d", i, j)
					slog.Warn("render", "i", i)
				}
			})
		}()
	}
	wg.Wait()
	for i, r := range results {
		require.Len(t, r, MaxMessages, "render %d", i)
		for _, m := range r {
			assert.True(t, strings.HasPrefix(m, fmt.Sprintf("render %d message", i)) || m == fmt.Sprintf("render i=%d", i), m)
		}
	}
}

// A program whose slog default is its own handler keeps getting its records and log lines.
func TestCaptureCustomHandler(t *testing.T) {
	withLogOutput(t, log.LstdFlags, "")
	var records syncBuffer
	slog.SetDefault(slog.New(slog.NewTextHandler(&records, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}})))
	custom := slog.Default()
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		Capture(func() { close(started); <-release; slog.Warn("library") })
	}()
	<-started
	slog.Warn("program", "k", "v")
	log.Print("program log")
	close(release)
	<-done
	assert.Contains(t, records.String(), `level=WARN msg=program k=v`)
	assert.Contains(t, records.String(), `level=INFO msg="program log"`)
	assert.NotContains(t, records.String(), "library")
	assert.Same(t, custom, slog.Default(), "the program's logger is back")
}

func TestCaptureBounds(t *testing.T) {
	withLogOutput(t, 0, "")
	got := Capture(func() {
		log.Print(strings.Repeat("é", MaxMessageBytes))
		for range MaxMessages + 5 {
			log.Print("x")
		}
	})
	require.Len(t, got, MaxMessages+1)
	assert.LessOrEqual(t, len(got[0]), MaxMessageBytes+len("…"))
	assert.True(t, strings.HasSuffix(got[0], "é…"), "cut on a character boundary")
	assert.Equal(t, "and 6 more messages", got[MaxMessages])
}

func TestStderr(t *testing.T) {
	orig := os.Stderr
	got, err := Stderr(func() {
		fmt.Fprintf(os.Stderr, "%v\n", "# Warning: 'bases' is deprecated.")
		fmt.Fprint(os.Stderr, strings.Repeat("y", 3*MaxMessageBytes)+"\nlast without newline")
	})
	require.NoError(t, err)
	assert.Same(t, orig, os.Stderr)
	require.Len(t, got, 3)
	assert.Equal(t, "# Warning: 'bases' is deprecated.", got[0])
	assert.Equal(t, strings.Repeat("y", MaxMessageBytes)+"…", got[1])
	assert.Equal(t, "last without newline", got[2])

	assert.Panics(t, func() { _, _ = Stderr(func() { panic("boom") }) })
	assert.Same(t, orig, os.Stderr, "put back after a panic")
}
