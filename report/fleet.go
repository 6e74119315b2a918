package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/printable"
)

// FleetSchemaVersion identifies the JSON fleet document format (Fleet). It changes as
// SchemaVersion does: when a field is renamed or removed or its meaning changes.
const FleetSchemaVersion = "kspm.dev/fleet/v1"

// Fleet is the outcome of one scan of several clusters (the contexts of a kubeconfig): each
// cluster's report, or why it could not be scanned, and counts over them. FleetWriter writes
// it one cluster at a time; its JSON Schema is the "fleet" definition of Schema.
type Fleet struct {
	// SchemaVersion is FleetSchemaVersion.
	SchemaVersion string `json:"schemaVersion"`
	// Tool names the program and version that produced the document.
	Tool Tool `json:"tool"`
	// Clusters are the clusters, in the order they were given.
	Clusters []FleetCluster `json:"clusters"`
	// GeneratedAt is when the last cluster was done.
	GeneratedAt time.Time `json:"generatedAt"`
	// Summary counts the results of every cluster.
	Summary FleetSummary `json:"summary"`
}

// FleetCluster is one cluster of a Fleet: its report, or the error that kept it from being
// scanned (exactly one of the two).
type FleetCluster struct {
	// Context is the kubeconfig context the cluster was reached through.
	Context string `json:"context"`
	// Server is the cluster's address, as the kubeconfig writes it.
	Server string `json:"server,omitempty"`
	// Report is the cluster's report, when it was scanned.
	Report *Report `json:"report,omitempty"`
	// Error says why the cluster could not be scanned: unreachable, credentials rejected,
	// nothing readable, the run's time limit reached.
	Error string `json:"error,omitempty"`
}

// FleetSummary counts the results of a fleet, per cluster and in total.
type FleetSummary struct {
	// Clusters is the number of clusters.
	Clusters int `json:"clusters"`
	// NotScanned is the number of clusters that could not be scanned.
	NotScanned int `json:"notScanned"`
	// ByCluster holds the counts of each cluster, in the order of Fleet.Clusters.
	ByCluster []FleetClusterSummary `json:"byCluster"`
	// Total adds up the counts of every cluster.
	Total FleetCounts `json:"total"`
}

// FleetClusterSummary is the counts of one cluster of a fleet.
type FleetClusterSummary struct {
	// Context is the cluster's kubeconfig context.
	Context string `json:"context"`
	// Error is FleetCluster.Error: why the cluster could not be scanned (its counts are then
	// zero).
	Error string `json:"error,omitempty"`
	// Counts are the cluster's counts.
	Counts FleetCounts `json:"counts"`
}

// FleetCounts are the counts of a cluster's results, or of a fleet's, that ask for attention.
type FleetCounts struct {
	// FailedBySeverity counts failing results by severity.
	FailedBySeverity map[check.Severity]int `json:"failedBySeverity"`
	// NotEvaluated counts notEvaluated results: what could not be seen or judged.
	NotEvaluated int `json:"notEvaluated"`
	// Errors counts error results: checks that failed to run.
	Errors int `json:"errors"`
	// LoadErrors counts the errors met while loading the clusters (a kind that could not be
	// listed, an object that could not be read): their reports are incomplete.
	LoadErrors int `json:"loadErrors"`
}

// MaxFailedSeverity returns the most severe severity that c counts failing results of, or ""
// if none failed.
func (c FleetCounts) MaxFailedSeverity() check.Severity {
	return Summary{FailedBySeverity: c.FailedBySeverity}.MaxFailedSeverity()
}

// Add counts one more cluster, reached through kubeconfig context ctxName: when err is nil,
// a cluster that was scanned, with the Summary of its report and the number of errors met
// while loading it; else one that could not be scanned, for the reason err gives.
func (s *FleetSummary) Add(ctxName string, sum Summary, loadErrors int, err error) {
	c := FleetClusterSummary{Context: ctxName, Counts: FleetCounts{FailedBySeverity: map[check.Severity]int{}}}
	if err != nil {
		c.Error = err.Error()
		s.NotScanned++
	} else {
		c.Counts.LoadErrors = loadErrors
		c.Counts.NotEvaluated = sum.ByStatus[check.StatusNotEvaluated]
		c.Counts.Errors = sum.ByStatus[check.StatusError]
		for sev, n := range sum.FailedBySeverity {
			if n > 0 {
				c.Counts.FailedBySeverity[sev] = n
			}
		}
	}
	s.Clusters++
	s.ByCluster = append(s.ByCluster, c)
	if s.Total.FailedBySeverity == nil {
		s.Total.FailedBySeverity = map[check.Severity]int{}
	}
	s.Total.add(c.Counts)
}

// add adds o to c.
func (c *FleetCounts) add(o FleetCounts) {
	for sev, n := range o.FailedBySeverity {
		c.FailedBySeverity[sev] += n
	}
	c.NotEvaluated += o.NotEvaluated
	c.Errors += o.Errors
	c.LoadErrors += o.LoadErrors
}

// FleetWriter writes a Fleet as an indented JSON document, one cluster at a time, so that the
// reports of a fleet are never all held at once: call Scanned or NotScanned for each cluster,
// in order, then Close. Like WriteJSON, it writes every rune that is not printable as a \u
// escape. A FleetWriter is not safe for concurrent use.
type FleetWriter struct {
	w       io.Writer
	pending []byte // written before the next report, or by Close
	sum     FleetSummary
	err     error // the error that keeps the document from being completed
}

// NewFleetWriter returns a FleetWriter that writes to w, for a fleet scanned by tool. It
// writes nothing until the first cluster.
func NewFleetWriter(w io.Writer, tool Tool) *FleetWriter {
	f := &FleetWriter{w: w, sum: FleetSummary{ByCluster: []FleetClusterSummary{},
		Total: FleetCounts{FailedBySeverity: map[check.Severity]int{}}}}
	head, err := marshalIndented(struct {
		SchemaVersion string `json:"schemaVersion"`
		Tool          Tool   `json:"tool"`
	}{FleetSchemaVersion, tool}, "")
	if err == nil {
		// The head ends with "\n}": the clusters open where it closes.
		f.pending = append(head[:len(head)-2], ",\n  \"clusters\": ["...)
	}
	f.err = err
	return f
}

// Scanned writes the entry of a cluster that was scanned, reached through kubeconfig context
// ctxName at server. writeReport writes the cluster's report to the writer it is given, as
// WriteJSON and kspm.ScanJSON write one, and returns the report's Summary; loadErrors is the
// number of errors met while loading the cluster (len of Inventory.Errors).
//
// Scanned returns writeReport's error, or an error writing to the FleetWriter's writer. When
// writeReport fails before writing anything (a scan that ended in an error writes nothing),
// the entry records its error as NotScanned does and the document stays whole. When it
// fails part way, or writing fails, the document cannot be completed: later calls return
// that error.
func (f *FleetWriter) Scanned(ctxName, server string, loadErrors int, writeReport func(io.Writer) (Summary, error)) error {
	if f.err != nil {
		return f.err
	}
	head, err := f.entryHead(ctxName, server, "report")
	if err != nil {
		return err
	}
	// The entry is written with the report's first bytes: a report that is never written
	// leaves no trace, and the entry becomes an error entry.
	rw := &indentWriter{w: f.w, head: append(slices.Clip(f.pending), head...), indent: []byte("\n      ")}
	sum, err := writeReport(rw)
	if err == nil && !rw.started {
		err = errors.New("no report was written")
	}
	if rw.started {
		f.pending = f.pending[:0]
	}
	switch {
	case rw.werr != nil:
		f.err = fmt.Errorf("write fleet document: %w", rw.werr)
		return f.err
	case err != nil && rw.started:
		f.err = fmt.Errorf("write fleet document: the report of context %q was cut short: %w", ctxName, err)
		return f.err
	case err != nil:
		if nerr := f.NotScanned(ctxName, server, err); nerr != nil {
			return nerr
		}
		return err
	}
	f.pending = append(f.pending, "\n    }"...)
	f.sum.Add(ctxName, sum, loadErrors, nil)
	return nil
}

// NotScanned writes the entry of a cluster that could not be scanned, reached through
// kubeconfig context ctxName at server, with the error that says why. It returns an error
// only when writing fails.
func (f *FleetWriter) NotScanned(ctxName, server string, why error) error {
	if f.err != nil {
		return f.err
	}
	msg := "could not be scanned"
	if why != nil {
		msg = why.Error()
	}
	head, err := f.entryHead(ctxName, server, "error")
	if err != nil {
		return err
	}
	value, err := marshalIndented(msg, "")
	if err != nil {
		f.err = err
		return err
	}
	f.pending = append(append(append(f.pending, head...), value...), "\n    }"...)
	f.sum.Add(ctxName, Summary{}, 0, errors.New(msg))
	return nil
}

// Err returns the error that keeps the document from being completed (a report cut short,
// a failed write), or nil.
func (f *FleetWriter) Err() error {
	if errors.Is(f.err, errClosed) {
		return nil
	}
	return f.err
}

// errClosed is the error of a call after Close.
var errClosed = errors.New("write fleet document: already closed")

// Close writes the end of the document: when it was generated (at) and its summary, which
// it returns. It returns the error that kept the document from being completed, if any.
func (f *FleetWriter) Close(at time.Time) (FleetSummary, error) {
	if f.err != nil {
		return f.sum, f.err
	}
	if f.sum.Clusters > 0 {
		f.pending = append(f.pending, "\n  "...)
	}
	tail, err := marshalIndented(struct {
		GeneratedAt time.Time    `json:"generatedAt"`
		Summary     FleetSummary `json:"summary"`
	}{at.UTC(), f.sum}, "")
	if err != nil {
		f.err = err
		return f.sum, err
	}
	// The tail is an object of its own: its members go on the document's, after the clusters.
	f.pending = append(append(f.pending, "],\n  "...), bytes.TrimPrefix(tail, []byte("{\n  "))...)
	f.pending = append(f.pending, '\n')
	if err := f.flush(); err != nil {
		return f.sum, err
	}
	f.err = errClosed
	return f.sum, nil
}

// entryHead returns the text that opens the entry of a cluster, up to the name of its report
// or error member.
func (f *FleetWriter) entryHead(ctxName, server, member string) ([]byte, error) {
	var b []byte
	if f.sum.Clusters > 0 {
		b = append(b, ',')
	}
	b = append(b, "\n    {\n      \"context\": "...)
	name, err := marshalIndented(ctxName, "")
	if err != nil {
		f.err = err
		return nil, err
	}
	b = append(b, name...)
	if server != "" {
		s, err := marshalIndented(server, "")
		if err != nil {
			f.err = err
			return nil, err
		}
		b = append(append(b, ",\n      \"server\": "...), s...)
	}
	return append(b, ",\n      \""+member+"\": "...), nil
}

// flush writes what is pending.
func (f *FleetWriter) flush() error {
	if len(f.pending) == 0 {
		return nil
	}
	_, err := f.w.Write(f.pending)
	f.pending = f.pending[:0]
	if err != nil {
		f.err = fmt.Errorf("write fleet document: %w", err)
	}
	return f.err
}

// marshalIndented encodes v as WriteJSON encodes a report (indented by two spaces, HTML
// characters kept, non-printable runes escaped), each line after the first starting with
// prefix, without the final newline.
func marshalIndented(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("write fleet document: %w", err)
	}
	return printable.EscapeJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// indentWriter writes a JSON document (one encoding/json indented: a newline never occurs
// inside a string) to w nested in another, each line after the first indented, the final
// newline left out; head goes before the first byte.
type indentWriter struct {
	w       io.Writer
	head    []byte
	indent  []byte // a newline and the indentation
	started bool
	newline bool // a newline was held back: it is written, indented, before the next byte
	buf     []byte
	werr    error
}

func (iw *indentWriter) Write(p []byte) (int, error) {
	if iw.werr != nil {
		return 0, iw.werr
	}
	if len(p) == 0 {
		return 0, nil
	}
	iw.buf = iw.buf[:0]
	if !iw.started {
		iw.buf = append(iw.buf, iw.head...)
		iw.started = true
	}
	for rest := p; len(rest) > 0; {
		if iw.newline {
			iw.buf = append(iw.buf, iw.indent...)
			iw.newline = false
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			iw.buf = append(iw.buf, rest...)
			break
		}
		iw.buf = append(iw.buf, rest[:i]...)
		iw.newline = true
		rest = rest[i+1:]
	}
	if _, err := iw.w.Write(iw.buf); err != nil {
		iw.werr = err
		return 0, err
	}
	return len(p), nil
}
