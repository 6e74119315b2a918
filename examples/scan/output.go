package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

// isTerminal reports whether w is a character device (a terminal), as opposed to a file,
// a pipe or an in-memory buffer.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// useColor reports whether to colour output written to w: only on a terminal, and never
// when NO_COLOR is set to a non-empty value (https://no-color.org).
func useColor(w io.Writer) bool {
	return isTerminal(w) && os.Getenv("NO_COLOR") == ""
}

// progress shows how far a long run has got on one terminal line of stderr.
type progress struct {
	w       io.Writer
	start   time.Time
	last    time.Time
	written bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

// status replaces the progress line with msg.
func (p *progress) status(msg string) {
	fmt.Fprintf(p.w, "\r\033[K%s", msg)
	p.written = true
}

// update is a kspm.WithProgress callback. It redraws at most ten times a second, and for
// the last check.
func (p *progress) update(pr kspm.Progress) {
	now := time.Now()
	if pr.Done < pr.Total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.status(fmt.Sprintf("scanning: %d/%d checks (%s)", pr.Done, pr.Total, now.Sub(p.start).Round(time.Second/10)))
}

// clear erases the progress line.
func (p *progress) clear() {
	if p.written {
		fmt.Fprint(p.w, "\r\033[K")
		p.written = false
	}
}

// listing is the JSON form of --list.
type listing struct {
	Benchmarks []listedBenchmark `json:"benchmarks"`
}

type listedBenchmark struct {
	Name        string        `json:"name"`
	Title       string        `json:"title"`
	Description string        `json:"description,omitempty"`
	Checks      []listedCheck `json:"checks"`
}

type listedCheck struct {
	ID       string         `json:"id"`
	Severity check.Severity `json:"severity"`
	Title    string         `json:"title"`
	Section  string         `json:"section,omitempty"`
	Level    string         `json:"level,omitempty"`
	Manual   bool           `json:"manual,omitempty"`
}

// writeList writes the benchmarks and their checks: ID, severity and title.
func writeList(w io.Writer, bms []benchmark.Benchmark, format string) error {
	var l listing
	for _, b := range bms {
		lb := listedBenchmark{Name: b.Name, Title: b.Title, Description: b.Description, Checks: []listedCheck{}}
		for _, c := range b.Checks {
			m := c.Meta()
			lb.Checks = append(lb.Checks, listedCheck{ID: m.ID, Severity: m.Severity, Title: m.Title,
				Section: m.Section, Level: m.Level, Manual: m.Manual})
		}
		l.Benchmarks = append(l.Benchmarks, lb)
	}
	if format == formatJSON {
		return writeJSON(w, l)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, b := range l.Benchmarks {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		// Titles come from --checks files: report.Fprintf escapes them.
		report.Fprintf(tw, "%s: %s (%d checks)\n", b.Name, b.Title, len(b.Checks))
		for _, c := range b.Checks {
			title := c.Title
			if c.Manual {
				title += " [manual]"
			}
			report.Fprintf(tw, "  %s\t%s\t%s\n", c.ID, c.Severity, title)
		}
	}
	return tw.Flush()
}

// writeJSON writes v as an indented JSON document, with every rune that is not printable
// escaped (see report.EscapeJSON).
func writeJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(report.EscapeJSON(data), '\n'))
	return err
}
