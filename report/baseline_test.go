package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// res makes a result of check id on the Deployment shop/name (no object for name "").
func res(id, name string, st check.Status, field string) check.Result {
	r := check.Result{CheckID: id, Title: id, Severity: check.High, Status: st, Field: field, Message: "msg " + name}
	if name != "" {
		r.Object = &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: name,
			Source: &inventory.Source{File: "deploy.yaml", Line: 1}}
	}
	if st == check.StatusExcepted {
		r.Exception = &check.Exception{From: check.StatusFail, Owner: "team", Reason: "accepted", Source: "x.yaml:1"}
	}
	return r
}

func reportOf(results ...check.Result) *report.Report {
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), []string{"workloads"}, results, report.Tool{Name: "kspm"}, fixtureTime)
	return r
}

// names returns "check object field" of each finding, for comparisons.
func names(fs []report.BaselineFinding) []string {
	out := []string{}
	for _, f := range fs {
		s := f.CheckID
		if f.Object != nil {
			s += " " + f.Object.Name
		}
		if f.Field != "" {
			s += " " + f.Field
		}
		out = append(out, s)
	}
	return out
}

func TestDiff(t *testing.T) {
	fail, pass, exc := check.StatusFail, check.StatusPass, check.StatusExcepted
	tests := []struct {
		name                          string
		old, next                     []check.Result
		wantNew, wantPresent          []string
		wantResolved, wantUnconfirmed []string
		wantNewFailedHigh             int
	}{
		{name: "same findings",
			old:     []check.Result{res("a", "web", fail, "f")},
			next:    []check.Result{res("a", "web", fail, "f")},
			wantNew: []string{}, wantPresent: []string{"a web f"}, wantResolved: []string{}, wantUnconfirmed: []string{}},
		{name: "a new finding, one resolved",
			old:     []check.Result{res("a", "web", fail, "f"), res("a", "api", fail, "f")},
			next:    []check.Result{res("a", "web", fail, "f"), res("a", "api", pass, ""), res("a", "db", fail, "f")},
			wantNew: []string{"a db f"}, wantPresent: []string{"a web f"}, wantResolved: []string{"a api f"}, wantUnconfirmed: []string{},
			wantNewFailedHigh: 1},
		{name: "another field is another finding",
			old:     []check.Result{res("a", "web", fail, "f")},
			next:    []check.Result{res("a", "web", fail, "g")},
			wantNew: []string{"a web g"}, wantPresent: []string{}, wantResolved: []string{"a web f"}, wantUnconfirmed: []string{},
			wantNewFailedHigh: 1},
		{name: "an excepted failure is still a finding, and not a new failure",
			old:     []check.Result{res("a", "web", fail, "f")},
			next:    []check.Result{res("a", "web", exc, "f"), res("a", "db", exc, "f")},
			wantNew: []string{"a db f"}, wantPresent: []string{"a web f"}, wantResolved: []string{}, wantUnconfirmed: []string{}},
		{name: "an exception that expired: the failure was known",
			old:     []check.Result{res("a", "web", exc, "f")},
			next:    []check.Result{res("a", "web", fail, "f")},
			wantNew: []string{}, wantPresent: []string{"a web f"}, wantResolved: []string{}, wantUnconfirmed: []string{}},
		{name: "findings sharing a fingerprint are paired in order; the extra one is new",
			old:     []check.Result{res("a", "web", fail, "f"), res("a", "web", fail, "f")},
			next:    []check.Result{res("a", "web", fail, "f"), res("a", "web", fail, "f"), res("a", "web", fail, "f")},
			wantNew: []string{"a web f"}, wantPresent: []string{"a web f", "a web f"}, wantResolved: []string{}, wantUnconfirmed: []string{},
			wantNewFailedHigh: 1},
		{name: "fewer findings sharing a fingerprint: one resolved",
			old:     []check.Result{res("a", "web", fail, "f"), res("a", "web", fail, "f")},
			next:    []check.Result{res("a", "web", fail, "f")},
			wantNew: []string{}, wantPresent: []string{"a web f"}, wantResolved: []string{"a web f"}, wantUnconfirmed: []string{}},
		{name: "the check did not run: unconfirmed, not resolved",
			old:     []check.Result{res("a", "web", fail, "f"), res("b", "web", fail, "")},
			next:    []check.Result{res("b", "web", pass, "")},
			wantNew: []string{}, wantPresent: []string{}, wantResolved: []string{"b web"}, wantUnconfirmed: []string{"a web f"}},
		{name: "the check could not see everything: unconfirmed",
			old:     []check.Result{res("a", "web", fail, "f")},
			next:    []check.Result{res("a", "", check.StatusNotEvaluated, ""), res("a", "db", pass, "")},
			wantNew: []string{}, wantPresent: []string{}, wantResolved: []string{}, wantUnconfirmed: []string{"a web f"}},
		{name: "the object could not be evaluated: unconfirmed; another object's error does not count",
			old:     []check.Result{res("a", "web", fail, "f"), res("a", "api", fail, "f")},
			next:    []check.Result{res("a", "web", check.StatusError, ""), res("a", "db", check.StatusNotEvaluated, "")},
			wantNew: []string{}, wantPresent: []string{}, wantResolved: []string{"a api f"}, wantUnconfirmed: []string{"a web f"}},
		{name: "results about no object",
			old:     []check.Result{res("a", "", fail, "")},
			next:    []check.Result{res("a", "", fail, ""), res("b", "", fail, "")},
			wantNew: []string{"b"}, wantPresent: []string{"a"}, wantResolved: []string{}, wantUnconfirmed: []string{},
			wantNewFailedHigh: 1},
		{name: "no results", wantNew: []string{}, wantPresent: []string{}, wantResolved: []string{}, wantUnconfirmed: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, next := reportOf(tt.old...), reportOf(tt.next...)
			d, err := report.Diff(old, next)
			require.NoError(t, err)
			assert.Equal(t, tt.wantNew, names(d.New), "new")
			assert.Equal(t, tt.wantPresent, names(d.Present), "present")
			assert.Equal(t, tt.wantResolved, names(d.Resolved), "resolved")
			assert.Equal(t, tt.wantUnconfirmed, names(d.Unconfirmed), "unconfirmed")
			for _, f := range d.Unconfirmed {
				assert.NotEmpty(t, f.Reason)
			}

			// The same comparison with the baseline read back from JSON, applied to the report.
			var buf bytes.Buffer
			require.NoError(t, report.WriteJSON(&buf, old))
			b, err := report.ReadBaseline(&buf, "old.json", 0)
			require.NoError(t, err)
			got := report.ApplyBaseline(next, b)
			s := got.Baseline
			require.NotNil(t, s)
			assert.Equal(t, "old.json", s.Source)
			assert.Equal(t, fixtureTime, s.GeneratedAt.UTC())
			assert.Equal(t, []int{len(tt.wantNew), len(tt.wantPresent), len(tt.wantResolved), len(tt.wantUnconfirmed)},
				[]int{s.New, s.Present, s.Resolved, s.Unconfirmed})
			assert.Equal(t, tt.wantNewFailedHigh, got.Summary.NewFailedBySeverity[check.High])
			if tt.wantNewFailedHigh > 0 {
				assert.Equal(t, check.High, got.Summary.MaxNewFailedSeverity())
			}
			assert.Equal(t, tt.wantResolved, names(s.ResolvedFindings))
			assert.Equal(t, tt.wantUnconfirmed, names(s.UnconfirmedFindings))
			var marked []string
			for _, r := range got.Results {
				if r.Baseline != "" {
					marked = append(marked, r.Baseline)
				}
			}
			assert.Len(t, marked, len(tt.wantNew)+len(tt.wantPresent))
			for _, r := range next.Results {
				assert.Empty(t, r.Baseline, "the report given is not modified")
			}
			assert.Empty(t, s.Warnings)
		})
	}
}

func TestBaselineWarnsOfOtherInputs(t *testing.T) {
	old := reportOf(res("a", "web", check.StatusFail, "f"))
	old.Inventory.Sources = []string{"deploy/"}
	next := reportOf(res("a", "web", check.StatusFail, "f"))
	next.Inventory.Sources = []string{"deploy/prod/"}
	next.Benchmarks = []string{"rbac"}
	b, err := report.NewBaseline(old, "old.json")
	require.NoError(t, err)
	s := report.ApplyBaseline(next, b).Baseline
	require.Len(t, s.Warnings, 2)
	assert.Contains(t, s.Warnings[0], `other inputs (["deploy/"]), not ["deploy/prod/"]`)
	assert.Contains(t, s.Warnings[1], `other benchmarks (["workloads"]), not ["rbac"]`)
}

func TestReadBaselineErrors(t *testing.T) {
	var good bytes.Buffer
	require.NoError(t, report.WriteJSON(&good, reportOf(res("a", "web", check.StatusFail, "f"))))
	tests := []struct {
		name  string
		input string
		max   int64
		is    error
		want  string
	}{
		{"empty", "", 0, report.ErrNotReport, "old.json: at byte 0: not a kspm JSON report"},
		{"a list", `[{"schemaVersion": "kspm.dev/report/v1"}]`, 0, report.ErrNotReport, "does not start with a JSON object"},
		{"YAML", "apiVersion: v1\nkind: Pod\n", 0, report.ErrNotReport, "does not start with a JSON object"},
		{"other version", `{"schemaVersion": "kspm.dev/report/v2", "results": []}`, 0, report.ErrSchemaVersion, `"kspm.dev/report/v2" (want "kspm.dev/report/v1")`},
		{"no version", `{"results": []}`, 0, report.ErrSchemaVersion, "schemaVersion is missing"},
		{"version last", `{"results": [], "schemaVersion": "v0"}`, 0, report.ErrSchemaVersion, `"v0"`},
		{"no results", `{"schemaVersion": "kspm.dev/report/v1"}`, 0, report.ErrNotReport, "it has no results"},
		{"results not a list", `{"schemaVersion": "kspm.dev/report/v1", "results": {}}`, 0, report.ErrNotReport, "results is not a list"},
		{"unknown status", `{"schemaVersion": "kspm.dev/report/v1", "results": [{"checkID": "a", "severity": "low", "status": "ok"}]}`, 0, nil, `results: [0] (a): unknown status "ok"`},
		{"unknown severity", `{"schemaVersion": "kspm.dev/report/v1", "results": [{"checkID": "a", "severity": "dire", "status": "fail"}]}`, 0, nil, `unknown severity "dire"`},
		{"truncated", good.String()[:good.Len()/2], 0, nil, "unexpected EOF"},
		{"trailing data", good.String() + "{}", 0, nil, "unexpected data after the report"},
		{"too large", good.String(), int64(good.Len() - 1), report.ErrTooLarge, "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ReadBaseline(strings.NewReader(tt.input), "old.json", tt.max)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "baseline old.json: "), err.Error())
			if tt.is != nil {
				assert.True(t, errors.Is(err, tt.is), "%v is not %v", err, tt.is)
			}
		})
	}
	b, err := report.ReadBaseline(strings.NewReader(good.String()), "old.json", int64(good.Len()))
	require.NoError(t, err, "a report of exactly the bound is read")
	assert.Equal(t, 1, b.Len())
}

// TestReadBaselineKeepsFindingsOnly: a baseline read from a report holds its failing and
// excepted results, and reads fields a later version adds past.
func TestReadBaselineKeepsFindingsOnly(t *testing.T) {
	doc := `{"schemaVersion": "kspm.dev/report/v1", "futureField": {"a": [1, 2]},
		"generatedAt": "2026-03-04T05:06:07Z",
		"results": [
			{"checkID": "a", "title": "A", "severity": "low", "status": "pass"},
			{"checkID": "a", "title": "A", "severity": "low", "status": "fail", "extra": true},
			{"checkID": "a", "title": "A", "severity": "low", "status": "excepted", "exception": {"exceptedFrom": "fail"}},
			{"checkID": "a", "title": "A", "severity": "low", "status": "notEvaluated"}],
		"summary": {"total": 4}}`
	b, err := report.ReadBaseline(strings.NewReader(doc), "old.json", 0)
	require.NoError(t, err)
	assert.Equal(t, 2, b.Len())
}

func TestDiffRejectsOtherVersions(t *testing.T) {
	old, next := reportOf(), reportOf()
	old.SchemaVersion = "kspm.dev/report/v0"
	_, err := report.Diff(old, next)
	require.ErrorIs(t, err, report.ErrSchemaVersion)
	old.SchemaVersion = report.SchemaVersion
	next.SchemaVersion = ""
	_, err = report.Diff(old, next)
	require.ErrorIs(t, err, report.ErrSchemaVersion)
}

// TestReadBaselineOfALargeReport reads a report of many results written by WriteJSON.
func TestReadBaselineOfALargeReport(t *testing.T) {
	var results []check.Result
	for i := range 20000 {
		st := check.StatusPass
		if i%3 == 0 {
			st = check.StatusFail
		}
		results = append(results, res("a", "web-"+strings.Repeat("x", i%7)+string(rune('a'+i%26)), st, "f"+string(rune('a'+i%20))))
	}
	old := reportOf(results...)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(report.WriteJSON(pw, old)) }()
	start := time.Now()
	b, err := report.ReadBaseline(pr, "old.json", 0)
	require.NoError(t, err)
	t.Logf("read %d results in %s", len(results), time.Since(start))
	want, err := report.NewBaseline(old, "old.json")
	require.NoError(t, err)
	assert.Equal(t, want.Len(), b.Len())
	d, err := report.Diff(old, old)
	require.NoError(t, err)
	assert.Empty(t, d.New)
	assert.Empty(t, d.Resolved)
	assert.Len(t, d.Present, want.Len())
}

// TestReadJSONStream: a report read as it streams is the report ReadJSON reads, its results
// given one at a time; an error of the callback ends the read.
func TestReadJSONStream(t *testing.T) {
	for name, r := range map[string]*report.Report{"fixture": fixtureReport(t), "exceptions": exceptedReport(t)} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, report.WriteJSON(&buf, r))
			want, err := report.ReadJSON(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			var results []check.Result
			got, err := report.ReadJSONStream(bytes.NewReader(buf.Bytes()), 0, func(r *check.Result) error {
				results = append(results, *r)
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, want.Results, results)
			assert.Empty(t, got.Results)
			got.Results = want.Results
			assert.Equal(t, want, got)

			stop := errors.New("enough")
			n := 0
			_, err = report.ReadJSONStream(bytes.NewReader(buf.Bytes()), 0, func(*check.Result) error {
				if n++; n == 2 {
					return stop
				}
				return nil
			})
			require.ErrorIs(t, err, stop)
			assert.Contains(t, err.Error(), "read JSON report: at byte ")
			assert.Contains(t, err.Error(), "results: [1]: enough")
		})
	}
}

// BenchmarkDiff compares a report of 30,000 failing results about manifests with itself.
func BenchmarkDiff(b *testing.B) {
	var results []check.Result
	for i := range 30000 {
		r := res("a", fmt.Sprintf("web-%d", i), check.StatusFail, "spec.replicas")
		r.Object.Source.File = fmt.Sprintf("manifests/app-%d/deploy.yaml", i%50)
		results = append(results, r)
	}
	rep := reportOf(results...)
	rep.Inventory.Sources = []string{"manifests"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := report.Diff(rep, rep); err != nil {
			b.Fatal(err)
		}
	}
}
