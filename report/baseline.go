package report

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/regularfile"
	"github.com/kspm-dev/kspm/inventory"
)

// A baseline is an earlier report whose findings are known: compared with it, a report's
// failing results are new or still present, and the baseline's findings that are gone are
// resolved. A finding is a failing or excepted result (an excepted result is a failure set
// aside, still there); two results are the same finding when their Fingerprints are equal.
// Where several results share a fingerprint, they are paired in report order, and those
// beyond the baseline's count are new.
//
// A finding that is gone is resolved only when the new report shows it would have been seen:
// when the check did not run, or has a notEvaluated or error result about no object (it could
// not see everything it reads) or about the finding's object, the finding is unconfirmed, not
// resolved: what could not be seen is never a pass.

// BaselineSummary is what a report says of its comparison with a baseline (Report.Baseline).
// The failing and excepted results carry new or present (check.Result.Baseline), and the
// report's Summary counts the new failures by severity (NewFailedBySeverity); the baseline's
// findings that are gone are listed here.
type BaselineSummary struct {
	// Source names the baseline report, e.g. its file.
	Source string `json:"source,omitempty"`
	// GeneratedAt is when the baseline report was made.
	GeneratedAt time.Time `json:"generatedAt"`
	// New counts the failing and excepted results the baseline does not hold.
	New int `json:"new"`
	// Present counts the failing and excepted results the baseline holds too.
	Present int `json:"present"`
	// Resolved counts the baseline's findings that are gone.
	Resolved int `json:"resolved"`
	// Unconfirmed counts the baseline's findings that are not in the report but that the
	// report could not have shown (see UnconfirmedFindings).
	Unconfirmed int `json:"unconfirmed"`
	// ResolvedFindings are the baseline's findings that are gone.
	ResolvedFindings []BaselineFinding `json:"resolvedFindings,omitempty"`
	// UnconfirmedFindings are the baseline's findings that are not in the report because the
	// check did not run or could not see their object; each says which (Reason).
	UnconfirmedFindings []BaselineFinding `json:"unconfirmedFindings,omitempty"`
	// Warnings are reasons to doubt the comparison: the two reports read other inputs or ran
	// other benchmarks.
	Warnings []string `json:"warnings,omitempty"`
}

// BaselineFinding is a finding of a comparison with a baseline.
type BaselineFinding struct {
	// Fingerprint is the result's Fingerprint.
	Fingerprint string `json:"fingerprint"`
	// CheckID is the check's ID.
	CheckID string `json:"checkID"`
	// Severity is the check's severity.
	Severity check.Severity `json:"severity"`
	// Status is the result's status: fail or excepted.
	Status check.Status `json:"status"`
	// Object is the object the result is about; nil for none.
	Object *inventory.Ref `json:"object,omitempty"`
	// Field is the result's field path.
	Field string `json:"field,omitempty"`
	// Message is the result's message.
	Message string `json:"message,omitempty"`
	// Reason says, for an unconfirmed finding, why the report could not show it.
	Reason string `json:"reason,omitempty"`
}

// BaselineDiff is the comparison of two reports (Diff), finding by finding.
type BaselineDiff struct {
	// New are the findings of the new report that the old one does not hold.
	New []BaselineFinding
	// Present are the findings of the new report that the old one holds too.
	Present []BaselineFinding
	// Resolved are the findings of the old report that are gone.
	Resolved []BaselineFinding
	// Unconfirmed are the findings of the old report that are not in the new one because it
	// could not show them (see BaselineFinding.Reason).
	Unconfirmed []BaselineFinding
}

// isFinding reports whether a result of status s is a finding: a failure, set aside or not.
func isFinding(s check.Status) bool { return s == check.StatusFail || s == check.StatusExcepted }

// Baseline holds the findings of a baseline report, compactly: a report of a million results
// is not held to compare with it. Make one with ReadBaseline or NewBaseline; a Baseline is
// not modified by comparisons and may serve several.
type Baseline struct {
	source      string
	generatedAt time.Time
	sources     []string
	benchmarks  []string
	findings    []baselineEntry
	// first is, by fingerprint, the first finding with it; the others follow through next.
	first map[[16]byte]int32
	// in are the baseline's inputs, which its fingerprints name manifests by.
	in inputs
}

// baselineEntry is one finding of a baseline, its strings shared with the entries alike.
type baselineEntry struct {
	fp                      [16]byte
	object                  *inventory.Ref
	checkID, field, message string
	severity                check.Severity
	status                  check.Status
	next                    int32 // the next finding with the same fingerprint, or -1
}

// baselineBuilder adds findings to a Baseline, sharing equal strings and references.
type baselineBuilder struct {
	b       *Baseline
	strs    map[string]string
	objects map[inventory.Ref]*inventory.Ref // by value, source aside
	sources map[inventory.Source]*inventory.Source
}

func newBaselineBuilder(source string) *baselineBuilder {
	return &baselineBuilder{b: &Baseline{source: source, first: map[[16]byte]int32{}},
		strs: map[string]string{}, objects: map[inventory.Ref]*inventory.Ref{}, sources: map[inventory.Source]*inventory.Source{}}
}

func (bb *baselineBuilder) str(s string) string {
	if t, ok := bb.strs[s]; ok {
		return t
	}
	bb.strs[s] = s
	return s
}

func (bb *baselineBuilder) ref(o *inventory.Ref) *inventory.Ref {
	if o == nil {
		return nil
	}
	key := *o
	key.Source = nil
	if o.Source != nil {
		src, ok := bb.sources[*o.Source]
		if !ok {
			s := inventory.Source{File: bb.str(o.Source.File), Line: o.Source.Line, Root: bb.str(o.Source.Root)}
			src = &s
			bb.sources[s] = src
		}
		key.Source = src
	}
	if r, ok := bb.objects[key]; ok {
		return r
	}
	r := &inventory.Ref{APIVersion: bb.str(key.APIVersion), Kind: bb.str(key.Kind), Namespace: bb.str(key.Namespace),
		Name: bb.str(key.Name), UID: key.UID, Source: key.Source}
	bb.objects[key] = r
	return r
}

// add keeps r if it is a finding. Its fingerprint is computed by done, when the report's
// inputs are known (a streamed report may name them after its results).
func (bb *baselineBuilder) add(r *check.Result) {
	if !isFinding(r.Status) {
		return
	}
	bb.b.findings = append(bb.b.findings, baselineEntry{object: bb.ref(r.Object), checkID: bb.str(r.CheckID),
		field: bb.str(r.Field), message: bb.str(r.Message), severity: r.Severity, status: r.Status, next: -1})
}

func (bb *baselineBuilder) header(r *Report) {
	bb.b.generatedAt, bb.b.sources, bb.b.benchmarks = r.GeneratedAt, r.Inventory.Sources, r.Benchmarks
}

// done fingerprints the findings, named by the report's inputs, and chains those alike.
func (bb *baselineBuilder) done() *Baseline {
	b := bb.b
	b.findings = slices.Clip(b.findings)
	b.in = newInputs(b.sources)
	last := map[[16]byte]int32{} // by fingerprint, the last finding with it
	for i := range b.findings {
		e := &b.findings[i]
		e.fp = b.in.identity(e.checkID, e.object, e.field, true)
		if l, ok := last[e.fp]; ok {
			b.findings[l].next = int32(i)
		} else {
			b.first[e.fp] = int32(i)
		}
		last[e.fp] = int32(i)
	}
	return b
}

// NewBaseline makes the baseline of old, a report of this SchemaVersion; source names it in
// the comparison's summary (e.g. its file).
func NewBaseline(old *Report, source string) (*Baseline, error) {
	if old == nil {
		return nil, errors.New("baseline: nil report")
	}
	if err := checkSchemaVersion(old.SchemaVersion); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", source, err)
	}
	bb := newBaselineBuilder(source)
	bb.header(old)
	for i := range old.Results {
		bb.add(&old.Results[i])
	}
	return bb.done(), nil
}

// checkSchemaVersion returns an error wrapping ErrSchemaVersion unless v is SchemaVersion.
func checkSchemaVersion(v string) error {
	switch v {
	case SchemaVersion:
		return nil
	case "":
		return fmt.Errorf("%w: schemaVersion is missing (want %q)", ErrSchemaVersion, SchemaVersion)
	}
	return fmt.Errorf("%w %q (want %q)", ErrSchemaVersion, v, SchemaVersion)
}

// ReadBaselineFile is ReadBaseline of the file at path, named by it, which must be a regular
// file: a FIFO is refused rather than waited on (also one put in place of the file after its
// path was checked).
func ReadBaselineFile(path string, maxBytes int64) (*Baseline, error) {
	f, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadBaseline(f, path, maxBytes)
}

// ReadBaseline reads a JSON report (as WriteJSON writes it) as a baseline. It reads the
// results as they stream (see ReadJSONStream) and keeps only the findings, so that a report
// of a million results is never held: it takes a fraction of the memory ReadJSON takes for
// the same report. It reads at most maxBytes bytes (0: DefaultMaxReportBytes). Its errors
// are ReadJSONStream's, naming source (e.g. the file name).
func ReadBaseline(rd io.Reader, source string, maxBytes int64) (*Baseline, error) {
	bb := newBaselineBuilder(source)
	head, err := readStream(rd, maxBytes, "baseline "+source, func(r *check.Result) error {
		bb.add(r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	bb.header(head)
	return bb.done(), nil
}

// Len returns the number of findings in the baseline.
func (b *Baseline) Len() int { return len(b.findings) }

// Comparison compares the results of a report with a baseline, one at a time, in report
// order (Mark), then sums up (Summary). It is not safe for concurrent use.
type Comparison struct {
	b      *Baseline
	used   []bool
	cursor map[[16]byte]int32 // by fingerprint, the next finding of the baseline to pair with
	// What the report shows it saw: the checks it ran, and those that could not see
	// everything (by check ID) or an object (by objectIdentity).
	ran          map[string]bool
	blind        map[string]bool
	blindObjects map[[16]byte]bool
	new, present int
	// in are the inputs of the report compared (SetSources), which its fingerprints name
	// manifests by.
	in inputs
	// fp is the fingerprint of the last finding marked.
	fp [16]byte
}

// Compare starts a comparison of a report's results with b.
func (b *Baseline) Compare() *Comparison {
	return &Comparison{b: b, used: make([]bool, len(b.findings)), cursor: map[[16]byte]int32{},
		ran: map[string]bool{}, blind: map[string]bool{}, blindObjects: map[[16]byte]bool{}}
}

// SetSources names the inputs of the report whose results are compared
// (InventorySummary.Sources), which fingerprints name manifest files by (see Fingerprint).
// Call it before the first Mark; without it, files are named as they were read.
func (c *Comparison) SetSources(sources []string) { c.in = newInputs(sources) }

// Mark compares r, the next result of the report in order, with the baseline: a failing or
// excepted result gets its Baseline set to check.BaselineNew or check.BaselinePresent; any
// other result gets it cleared. It returns r.Baseline.
func (c *Comparison) Mark(r *check.Result) string {
	c.ran[r.CheckID] = true
	if r.Status == check.StatusNotEvaluated || r.Status == check.StatusError {
		if r.Object == nil {
			c.blind[r.CheckID] = true
		} else {
			c.blindObjects[c.in.objectIdentity(r.CheckID, r.Object)] = true
		}
	}
	r.Baseline = ""
	if !isFinding(r.Status) {
		return ""
	}
	fp := c.in.fingerprint(r)
	c.fp = fp
	i, ok := c.cursor[fp]
	if !ok {
		if i, ok = c.b.first[fp]; !ok {
			i = -1
		}
	}
	if i < 0 {
		c.new++
		r.Baseline = check.BaselineNew
		return r.Baseline
	}
	c.used[i] = true
	c.cursor[fp] = c.b.findings[i].next
	c.present++
	r.Baseline = check.BaselinePresent
	return r.Baseline
}

// Summary returns the comparison of the results marked so far; next is the report they are
// of, whose inputs and benchmarks are compared with the baseline's (its Results are not
// read: they may be streamed).
func (c *Comparison) Summary(next *Report) *BaselineSummary {
	s := &BaselineSummary{Source: c.b.source, GeneratedAt: c.b.generatedAt, New: c.new, Present: c.present}
	for i := range c.b.findings {
		if c.used[i] {
			continue
		}
		f := c.b.finding(i)
		switch {
		case !c.ran[f.CheckID]:
			f.Reason = "the check did not run in this scan"
		case c.blind[f.CheckID]:
			f.Reason = "the check could not see everything it reads in this scan (it has a notEvaluated or error result)"
		case c.blindObjects[c.b.in.objectIdentity(f.CheckID, f.Object)]:
			f.Reason = "the check could not evaluate the object in this scan (notEvaluated or error)"
		}
		if f.Reason != "" {
			s.UnconfirmedFindings = append(s.UnconfirmedFindings, f)
		} else {
			s.ResolvedFindings = append(s.ResolvedFindings, f)
		}
	}
	s.Resolved, s.Unconfirmed = len(s.ResolvedFindings), len(s.UnconfirmedFindings)
	if next != nil {
		if !sameInputs(c.b.sources, next.Inventory.Sources) {
			s.Warnings = append(s.Warnings, fmt.Sprintf("the baseline read other inputs (%s), not %s: a finding of an input not read again shows as resolved",
				listOrNone(c.b.sources), listOrNone(next.Inventory.Sources)))
		}
		if !slices.Equal(c.b.benchmarks, next.Benchmarks) {
			s.Warnings = append(s.Warnings, fmt.Sprintf("the baseline ran other benchmarks (%s), not %s",
				listOrNone(c.b.benchmarks), listOrNone(next.Benchmarks)))
		}
	}
	return s
}

// sameInputs reports whether two reports read the same inputs, as far as their fingerprints
// tell: each input's last path element, so that "manifests", "./manifests" and
// "/abs/manifests" are the same input; "." and ".." name no element and may be any.
func sameInputs(a, b []string) bool {
	return slices.EqualFunc(a, b, func(x, y string) bool {
		x, y = path.Base(cleanFile(x)), path.Base(cleanFile(y))
		return x == y || x == "." || x == ".." || y == "." || y == ".."
	})
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none named"
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// finding returns the baseline's finding i.
func (b *Baseline) finding(i int) BaselineFinding {
	e := &b.findings[i]
	return BaselineFinding{Fingerprint: hex.EncodeToString(e.fp[:]), CheckID: e.checkID, Severity: e.severity,
		Status: e.status, Object: e.object, Field: e.field, Message: e.message}
}

// ApplyBaseline returns a copy of r compared with b: its failing and excepted results marked
// new or present (check.Result.Baseline), its Summary counting the new failures
// (Summary.NewFailedBySeverity), and its Baseline summary set. r is not modified.
func ApplyBaseline(r *Report, b *Baseline) *Report {
	out := *r
	out.Results = slices.Clone(r.Results)
	c := b.Compare()
	c.SetSources(r.Inventory.Sources)
	for i := range out.Results {
		c.Mark(&out.Results[i])
	}
	out.Summary = Summarize(out.Results)
	out.Baseline = c.Summary(r)
	return &out
}

// Diff compares the report next with the report old, finding by finding (see Baseline): the
// findings of next that are new and those that old holds too, and those of old that are
// resolved or unconfirmed. Both must be of this SchemaVersion (else the error wraps
// ErrSchemaVersion). Neither is modified.
func Diff(old, next *Report) (*BaselineDiff, error) {
	b, err := NewBaseline(old, "old report")
	if err != nil {
		return nil, err
	}
	if next == nil {
		return nil, errors.New("diff: nil report")
	}
	if err := checkSchemaVersion(next.SchemaVersion); err != nil {
		return nil, fmt.Errorf("diff: new report: %w", err)
	}
	c := b.Compare()
	c.SetSources(next.Inventory.Sources)
	d := &BaselineDiff{}
	for i := range next.Results {
		r := next.Results[i]
		mark := c.Mark(&r)
		if mark == "" {
			continue
		}
		f := BaselineFinding{Fingerprint: hex.EncodeToString(c.fp[:]), CheckID: r.CheckID, Severity: r.Severity, Status: r.Status,
			Object: r.Object, Field: r.Field, Message: r.Message}
		if mark == check.BaselineNew {
			d.New = append(d.New, f)
		} else {
			d.Present = append(d.Present, f)
		}
	}
	s := c.Summary(nil)
	d.Resolved, d.Unconfirmed = s.ResolvedFindings, s.UnconfirmedFindings
	return d, nil
}
