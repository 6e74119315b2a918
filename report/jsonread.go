package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kspm-dev/kspm/check"
)

// ErrNotReport is wrapped by the error ReadJSONStream and ReadBaseline return for input that
// is not a kspm JSON report.
var ErrNotReport = errors.New("not a kspm JSON report")

// ErrTooLarge is wrapped by the error ReadJSONStream and ReadBaseline return for a report
// larger than their bound.
var ErrTooLarge = errors.New("report too large")

// DefaultMaxReportBytes is the bound ReadJSONStream and ReadBaseline read up to by default:
// it holds the report of a scan of a few hundred thousand objects (a scan of 100,000 objects
// writes about 700 MB).
const DefaultMaxReportBytes = 4 << 30

// ReadJSONStream reads a report written by WriteJSON as it streams: it calls each with every
// result, in order, and returns the report with every other field and no Results. The result
// each is given is valid only during the call. A report of a million results is thus read
// without being held. An error each returns ends the read and is returned, wrapped.
//
// It reads at most maxBytes bytes (0: DefaultMaxReportBytes); a longer input is an error
// wrapping ErrTooLarge. Input that is not a JSON object with results is an error wrapping
// ErrNotReport, and one whose schemaVersion is not SchemaVersion wrapping ErrSchemaVersion;
// as ReadJSON, a result with an unknown status or severity is an error, and fields it does
// not know are read past. Errors give the byte offset where the problem was found.
func ReadJSONStream(rd io.Reader, maxBytes int64, each func(*check.Result) error) (*Report, error) {
	return readStream(rd, maxBytes, "read JSON report", each)
}

// readStream is ReadJSONStream, its errors beginning with prefix.
func readStream(rd io.Reader, maxBytes int64, prefix string, each func(*check.Result) error) (*Report, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxReportBytes
	}
	lr := &boundedReader{r: rd, left: maxBytes, max: maxBytes}
	dec := json.NewDecoder(lr)
	fail := func(format string, args ...any) (*Report, error) {
		err := fmt.Errorf(format, args...)
		if errors.Is(err, ErrTooLarge) && lr.err != nil {
			return nil, fmt.Errorf("%s: %w", prefix, lr.err)
		}
		return nil, fmt.Errorf("%s: at byte %d: %w", prefix, dec.InputOffset(), err)
	}
	switch tok, err := dec.Token(); {
	case errors.Is(err, ErrTooLarge):
		return fail("%w", err)
	case err != nil || tok != json.Delim('{'):
		return fail("%w: it does not start with a JSON object", ErrNotReport)
	}
	var head Report
	// The members decoded as they are; schemaVersion and results are read apart.
	members := map[string]any{"tool": &head.Tool, "generatedAt": &head.GeneratedAt, "benchmarks": &head.Benchmarks,
		"inventory": &head.Inventory, "exceptions": &head.Exceptions, "baseline": &head.Baseline,
		"checks": &head.Checks, "summary": &head.Summary}
	sawResults := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("%w", err)
		}
		key, _ := tok.(string)
		switch key {
		case "schemaVersion":
			if err = dec.Decode(&head.SchemaVersion); err == nil {
				err = checkSchemaVersion(head.SchemaVersion)
			}
		case "results":
			sawResults = true
			err = readResults(dec, each)
		default:
			into, ok := members[key]
			if !ok { // a later version may add fields
				into = new(json.RawMessage)
			}
			err = dec.Decode(into)
		}
		if err != nil {
			return fail("%s: %w", key, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fail("%w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if errors.Is(err, ErrTooLarge) {
			return fail("%w", err)
		}
		return fail("unexpected data after the report")
	}
	if err := checkSchemaVersion(head.SchemaVersion); err != nil {
		return fail("%w", err)
	}
	if !sawResults {
		return fail("%w: it has no results", ErrNotReport)
	}
	if err := checkChecks(head.Checks); err != nil {
		return fail("%w", err)
	}
	head.Results = []check.Result{}
	return &head, nil
}

// readResults reads a JSON array of results, giving each to each.
func readResults(dec *json.Decoder, each func(*check.Result) error) error {
	if tok, err := dec.Token(); err != nil {
		return err
	} else if tok != json.Delim('[') {
		return fmt.Errorf("%w: results is not a list", ErrNotReport)
	}
	for i := 0; dec.More(); i++ {
		var r check.Result
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
		if err := checkResult(&r); err != nil {
			return fmt.Errorf("[%d] %w", i, err)
		}
		if err := each(&r); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	_, err := dec.Token() // the closing bracket
	return err
}

// checkResult returns an error, "(CHECK): ...", when r's status or severity is unknown.
func checkResult(r *check.Result) error {
	if !r.Status.Valid() {
		return fmt.Errorf("(%s): unknown status %q", r.CheckID, r.Status)
	}
	if !r.Severity.Valid() {
		return fmt.Errorf("(%s): unknown severity %q", r.CheckID, r.Severity)
	}
	return nil
}

// checkChecks returns an error naming the first of checks whose severity is unknown.
func checkChecks(checks []CheckSummary) error {
	for i, c := range checks {
		if !c.Severity.Valid() {
			return fmt.Errorf("checks[%d] (%s): unknown severity %q", i, c.CheckID, c.Severity)
		}
	}
	return nil
}

// boundedReader reads at most max bytes of r; reading more is an error wrapping ErrTooLarge.
type boundedReader struct {
	r         io.Reader
	left, max int64
	err       error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.left <= 0 {
		// One byte more tells a report of exactly max bytes from a longer one.
		var one [1]byte
		if n, _ := io.ReadFull(b.r, one[:]); n == 0 {
			return 0, io.EOF
		}
		b.err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, b.max)
		return 0, b.err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
