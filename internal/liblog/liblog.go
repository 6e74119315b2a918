// Package liblog turns what the libraries kspm runs print (Helm and kustomize, while they
// render a chart or build a kustomization) into messages the caller reports as warnings of
// that render, instead of lines on the standard error of the program that embeds kspm.
//
// Neither library has a hook of its own (kustomize issue #5452). Helm logs through the default
// loggers of the log and log/slog packages; kustomize through log, and writes its notes on
// deprecated fields with fmt.Fprintf on os.Stderr. All three are process-wide, so:
//   - Capture installs, while at least one capture runs, a log writer and a slog handler that
//     route what a goroutine logs to the capture that goroutine runs, and pass what any other
//     goroutine logs on to where it went before (the previous writer or handler), so that
//     renders running in parallel do not mix their messages and the program's own logging is
//     left as it was. The previous writer, flags and handler are put back when the last capture
//     ends. A library's log calls from goroutines it starts itself are not captured (neither
//     Helm's rendering nor kustomize's build starts any).
//   - Stderr replaces os.Stderr (the variable) with a pipe while f runs, one call at a time in
//     the process, and returns every line written to it meanwhile: os.Stderr cannot tell its
//     writers apart, so what other goroutines of the program write through the variable in
//     that time is returned too. A goroutine that reads the variable os.Stderr while Stderr
//     runs races with it (the race detector reports it): it is meant for libraries that write
//     to os.Stderr directly, and used only around kustomize's builds.
//
// Messages are bounded: at most MaxMessages per call, each cut at MaxMessageBytes.
package liblog

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

const (
	// MaxMessages is the most messages a call keeps; a last message says how many more were
	// left out.
	MaxMessages = 100
	// MaxMessageBytes is the longest message kept; a longer one is cut.
	MaxMessageBytes = 4096
)

// collector gathers the messages of one call.
type collector struct {
	mu      sync.Mutex
	msgs    []string
	dropped int
}

func (c *collector) add(msg string) {
	msg = strings.TrimRight(msg, "\n")
	if msg == "" {
		return
	}
	if len(msg) > MaxMessageBytes {
		cut := MaxMessageBytes
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) >= MaxMessages {
		c.dropped++
		return
	}
	c.msgs = append(c.msgs, msg)
}

func (c *collector) messages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.msgs
	if c.dropped > 0 {
		out = append(out, fmt.Sprintf("and %d more messages", c.dropped))
	}
	return out
}

// previous is what the log and slog defaults were when the captures began.
type previous struct {
	writer  io.Writer
	flags   int
	prefix  string
	logger  *slog.Logger
	direct  *log.Logger // writes to writer as the log default did, for records passed on
	builtin bool        // logger's handler is slog's built-in one, which writes through log
}

var (
	mu     sync.Mutex // guards users and the installing and restoring of the defaults
	users  int
	prev   atomic.Pointer[previous]
	active sync.Map // goroutine id → *collector
)

// Capture runs f and returns what the goroutine running it logged meanwhile through the
// standard log package (without log's prefix, date and file) and through log/slog's default
// logger at level Info and above ("message key=value ..."), one message per call. See the
// package documentation for what other goroutines log meanwhile.
func Capture(f func()) []string {
	c := &collector{}
	id := goroutineID()
	acquire()
	before, nested := active.Load(id)
	active.Store(id, c)
	defer func() {
		if nested {
			active.Store(id, before)
		} else {
			active.Delete(id)
		}
		release()
	}()
	f()
	return c.messages()
}

// acquire installs the capturing writer and handler for the first capture.
func acquire() {
	mu.Lock()
	defer mu.Unlock()
	users++
	if users > 1 {
		return
	}
	p := &previous{writer: log.Writer(), flags: log.Flags(), prefix: log.Prefix(), logger: slog.Default()}
	p.direct = log.New(p.writer, p.prefix, p.flags)
	p.builtin = isBuiltin(p.logger.Handler())
	prev.Store(p)
	// slog.SetDefault points log's output at the new handler and clears log's flags; log's
	// output is then pointed at the capturing writer, with its flags as they were.
	slog.SetDefault(slog.New(&handler{}))
	log.SetOutput(logWriter{})
	log.SetFlags(p.flags)
}

// release puts the defaults back after the last capture.
func release() {
	mu.Lock()
	defer mu.Unlock()
	users--
	if users > 0 {
		return
	}
	p := prev.Load()
	slog.SetDefault(p.logger)
	log.SetOutput(p.writer)
	log.SetFlags(p.flags)
}

// isBuiltin reports whether h is log/slog's built-in default handler, which writes through
// the log package (and so through logWriter while captures run).
func isBuiltin(h slog.Handler) bool { return fmt.Sprintf("%T", h) == "*slog.defaultHandler" }

// current returns the collector of the calling goroutine, or nil.
func current() *collector {
	if c, ok := active.Load(goroutineID()); ok {
		return c.(*collector)
	}
	return nil
}

// goroutineID returns the id of the calling goroutine, read from the first line of its stack
// trace ("goroutine 12 [running]:"): Go offers no other way, and the line's form has not
// changed since Go 1.
func goroutineID() uint64 {
	var buf [64]byte
	s := buf[:runtime.Stack(buf[:], false)]
	s = bytes.TrimPrefix(s, []byte("goroutine "))
	if i := bytes.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	id, _ := strconv.ParseUint(string(s), 10, 64)
	return id
}

// logWriter is the log package's output while captures run.
type logWriter struct{}

func (logWriter) Write(b []byte) (int, error) {
	p := prev.Load()
	if c := current(); c != nil {
		c.add(stripHeader(string(b), p.prefix, p.flags))
		return len(b), nil
	}
	return p.writer.Write(b)
}

// stripHeader returns the message of a line the log package wrote with prefix and flags.
func stripHeader(s, prefix string, flags int) string {
	if flags&log.Lmsgprefix == 0 {
		s = strings.TrimPrefix(s, prefix)
	}
	skip := 0
	if flags&log.Ldate != 0 {
		skip += len("2006/01/02 ")
	}
	if flags&(log.Ltime|log.Lmicroseconds) != 0 {
		skip += len("15:04:05 ")
		if flags&log.Lmicroseconds != 0 {
			skip += len(".000000")
		}
	}
	s = s[min(skip, len(s)):]
	if flags&(log.Lshortfile|log.Llongfile) != 0 {
		if _, after, ok := strings.Cut(s, ": "); ok {
			s = after
		}
	}
	if flags&log.Lmsgprefix != 0 {
		s = strings.TrimPrefix(s, prefix)
	}
	return s
}

// handler is log/slog's default handler while captures run. It keeps the attributes and
// groups it was given, to write them in captured messages, and the previous handler
// derived with them, to pass other goroutines' records on.
type handler struct {
	attrs []slog.Attr // with their group prefix in the key
	group string      // "a.b." for WithGroup("a").WithGroup("b")
	next  slog.Handler
}

// prevHandler returns the previous default handler, derived with h's attributes and groups.
func (h *handler) prevHandler() (slog.Handler, *previous) {
	p := prev.Load()
	if h.next != nil {
		return h.next, p
	}
	return p.logger.Handler(), p
}

// Enabled reports whether records of level l are handled: from Info up for a goroutine that
// captures, as the previous handler says for another.
func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	if current() != nil {
		return l >= slog.LevelInfo
	}
	next, _ := h.prevHandler()
	return next.Enabled(ctx, l)
}

// Handle captures r for a goroutine that captures, and passes it on for another.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if c := current(); c != nil {
		c.add(h.format(r, false))
		return nil
	}
	next, p := h.prevHandler()
	if !p.builtin {
		return next.Handle(ctx, r)
	}
	// slog's built-in handler writes through log's default logger, whose output is this
	// very handler for an instant while captures begin (calling it then would deadlock on
	// log's lock): write as it would, directly.
	return p.direct.Output(0, h.format(r, true))
}

// format writes r as "message key=value ...", after its level for a record passed on.
func (h *handler) format(r slog.Record, level bool) string {
	var b strings.Builder
	if level {
		b.WriteString(r.Level.String())
		b.WriteByte(' ')
	}
	b.WriteString(r.Message)
	attr := func(a slog.Attr) bool {
		a.Value = a.Value.Resolve()
		if a.Equal(slog.Attr{}) {
			return true
		}
		v := a.Value.String()
		if strings.ContainsAny(v, " \t\n\"=") || v == "" {
			v = strconv.Quote(v)
		}
		b.WriteString(" " + a.Key + "=" + v)
		return true
	}
	for _, a := range h.attrs {
		attr(a)
	}
	r.Attrs(func(a slog.Attr) bool {
		a.Key = h.group + a.Key
		return attr(a)
	})
	return b.String()
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := *h
	out.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		a.Key = h.group + a.Key
		out.attrs = append(out.attrs, a)
	}
	next, _ := h.prevHandler()
	out.next = next.WithAttrs(attrs)
	return &out
}

// WithGroup returns a handler that puts the attributes of records in group name.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	out := *h
	out.group = h.group + name + "."
	next, _ := h.prevHandler()
	out.next = next.WithGroup(name)
	return &out
}

// stderrMu lets one Stderr call at a time replace os.Stderr.
var stderrMu sync.Mutex

// Stderr runs f with the variable os.Stderr pointing at a pipe, and returns the lines
// written to it meanwhile. It fails, without running f, when no pipe can be made. See the
// package documentation for what this means to other goroutines.
func Stderr(f func()) ([]string, error) {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("capture standard error: %w", err)
	}
	defer r.Close()
	c := &collector{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		readLines(r, c)
	}()
	func() {
		orig := os.Stderr
		os.Stderr = w
		defer func() {
			os.Stderr = orig
			w.Close()
		}()
		f()
	}()
	<-done
	return c.messages(), nil
}

// readLines adds every line of r to c, each cut at MaxMessageBytes, reading r to its end.
func readLines(r io.Reader, c *collector) {
	br := bufio.NewReaderSize(r, MaxMessageBytes)
	var line []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(line) < MaxMessageBytes+1 {
			line = append(line, chunk[:min(len(chunk), MaxMessageBytes+1-len(line))]...)
		}
		if err != nil {
			if len(line) > 0 {
				c.add(string(line))
			}
			return
		}
		if !isPrefix {
			c.add(string(line))
			line = line[:0]
		}
	}
}
