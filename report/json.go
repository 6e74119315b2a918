package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/printable"
	"github.com/kspm-dev/kspm/inventory"
)

// ErrSchemaVersion is wrapped by the error ReadJSON returns for a document whose
// schemaVersion is missing or is not SchemaVersion.
var ErrSchemaVersion = errors.New("unsupported report schema version")

//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the document WriteJSON writes. The
// returned slice is a fresh copy.
func Schema() []byte { return bytes.Clone(schema) }

// WriteJSON writes r as an indented JSON document followed by a newline. Fields appear in a
// fixed order (the order of the Go struct fields; map keys sorted), so equal reports give
// equal bytes. Missing lists and counts are written as empty ones ([] and {}), never null.
// Every rune that is not printable is written as a \u escape (see EscapeJSON). r is not
// modified. The results of a large report are encoded on up to GOMAXPROCS goroutines; w is
// written by the calling goroutine only.
func WriteJSON(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("write JSON report: nil report")
	}
	return writeJSON(w, r, len(r.Results), sliceReader(r.Results))
}

// WriteJSONFrom writes r as WriteJSON does, with the n results read from read in place of
// r.Results: the document WriteJSON writes for r with those results as its Results. It writes
// the reports of NewFromReader.
func WriteJSONFrom(w io.Writer, r *Report, n int, read ResultReader) error {
	if r == nil {
		return errors.New("write JSON report: nil report")
	}
	return writeJSON(w, r, n, read)
}

// sliceReader reads the results of a slice.
func sliceReader(results []check.Result) ResultReader {
	return func(lo, hi int, yield func(*check.Result)) {
		for i := lo; i < hi; i++ {
			yield(&results[i])
		}
	}
}

func writeJSON(w io.Writer, r *Report, n int, read ResultReader) error {
	out := *r
	if out.Inventory.Coverage == nil {
		out.Inventory.Coverage = []inventory.Coverage{}
	}
	if out.Summary.ByStatus == nil {
		out.Summary.ByStatus = map[check.Status]int{}
	}
	if out.Summary.FailedBySeverity == nil {
		out.Summary.FailedBySeverity = map[check.Severity]int{}
	}
	// Everything but the results is encoded by encoding/json; the results are streamed into
	// the place their empty list takes (see jsonstream.go).
	out.Results = []check.Result{}
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	// Encoders leave DEL, C1 controls and format characters such as bidi overrides raw:
	// escape them too, so that the document is safe to show on a terminal.
	doc := printable.EscapeJSON(head.Bytes())
	at := bytes.Index(doc, resultsPlaceholder)
	if at < 0 {
		return errors.New("write JSON report: results not found in the encoded report")
	}
	at += len(resultsPlaceholder) - len("[]")
	flush := func(b []byte) ([]byte, error) {
		_, err := w.Write(b)
		return b[:0], err
	}
	buf := make([]byte, 0, 1<<16+4096)
	buf = append(buf, doc[:at]...)
	buf, err := appendResults(buf, n, read, flush)
	if err == nil {
		buf = append(buf, doc[at+len("[]"):]...)
		_, err = flush(buf)
	}
	if err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// ReadJSON reads a report written by WriteJSON. It rejects a document whose schemaVersion is
// not SchemaVersion (the error wraps ErrSchemaVersion) and one holding a result with an
// unknown status or severity, or a check (Report.Checks) with an unknown severity. Fields it
// does not know are ignored: a version may gain fields.
// It reads rd to the end of the report, however long (a report of 100,000 objects runs to
// hundreds of megabytes): wrap an untrusted rd in an io.LimitReader of the size you accept.
func ReadJSON(rd io.Reader) (*Report, error) {
	dec := json.NewDecoder(rd)
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("read JSON report: %w", err)
	}
	if err := checkSchemaVersion(r.SchemaVersion); err != nil {
		return nil, fmt.Errorf("read JSON report: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("read JSON report: unexpected data after the report")
	}
	for i := range r.Results {
		if err := checkResult(&r.Results[i]); err != nil {
			return nil, fmt.Errorf("read JSON report: results[%d] %w", i, err)
		}
	}
	if err := checkChecks(r.Checks); err != nil {
		return nil, fmt.Errorf("read JSON report: %w", err)
	}
	if r.Results == nil {
		r.Results = []check.Result{}
	}
	return &r, nil
}
