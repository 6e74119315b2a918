package report_test

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

func TestJSONRoundTrip(t *testing.T) {
	want := fixtureReport(t)
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, want))

	got, err := report.ReadJSON(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.True(t, want.GeneratedAt.Equal(got.GeneratedAt), "generatedAt: want %v, got %v", want.GeneratedAt, got.GeneratedAt)
	got.GeneratedAt = want.GeneratedAt
	assert.Equal(t, want, got)

	// Writing what was read gives the same bytes.
	var again bytes.Buffer
	require.NoError(t, report.WriteJSON(&again, got))
	assert.Equal(t, buf.String(), again.String())
}

// TestJSONWarningsApartFromErrors: warnings are written beside the errors
// (inventory.warnings) and read back as they were.
func TestJSONWarningsApartFromErrors(t *testing.T) {
	want := report.New(fixtureManifests(), nil, nil, report.Tool{Name: "kspm"}, fixtureTime)
	require.Len(t, want.Inventory.Errors, 1)
	require.Len(t, want.Inventory.Warnings, 1)
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, want))
	var doc struct {
		Inventory struct {
			Errors   []string `json:"errors"`
			Warnings []string `json:"warnings"`
		} `json:"inventory"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, []string{"deploy/bad.yaml:7: yaml: line 3: mapping values are not allowed in this context"}, doc.Inventory.Errors)
	assert.Equal(t, []string{"deploy/agent.yaml:1: DaemonSet default/agent: extensions/v1beta1 DaemonSet is not served since Kubernetes 1.16; read as apps/v1 DaemonSet"}, doc.Inventory.Warnings)

	got, err := report.ReadJSON(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, want.Inventory.Warnings, got.Inventory.Warnings)
	assert.Equal(t, want.Inventory.Errors, got.Inventory.Errors)
}

func TestWriteJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, fixtureReport(t)))
	out := buf.String()
	assert.True(t, strings.HasSuffix(out, "}\n"), "ends with a newline")
	assert.NotContains(t, out, `\u003c`, "HTML characters are not escaped")
	golden(t, "report.golden.json", buf.Bytes())
}

func TestWriteJSONStableOrder(t *testing.T) {
	r := fixtureReport(t)
	var first bytes.Buffer
	require.NoError(t, report.WriteJSON(&first, r))
	for range 20 {
		var buf bytes.Buffer
		require.NoError(t, report.WriteJSON(&buf, r))
		require.Equal(t, first.String(), buf.String())
	}
	// Top-level fields come in the documented order.
	out := first.String()
	var last int
	for _, key := range []string{`"schemaVersion"`, `"tool"`, `"generatedAt"`, `"benchmarks"`, `"inventory"`, `"results"`, `"summary"`} {
		i := strings.Index(out, key)
		require.Greater(t, i, last, "%s after the previous field", key)
		last = i
	}
}

func TestWriteJSONEmptyListsNotNull(t *testing.T) {
	r := &report.Report{SchemaVersion: report.SchemaVersion, GeneratedAt: fixtureTime}
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, r))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, []any{}, doc["results"])
	assert.Equal(t, []any{}, doc["inventory"].(map[string]any)["coverage"])
	assert.Equal(t, map[string]any{}, doc["summary"].(map[string]any)["byStatus"])
	assert.Equal(t, map[string]any{}, doc["summary"].(map[string]any)["failedBySeverity"])
	assert.Nil(t, r.Results, "the caller's report is not modified")

	assert.Error(t, report.WriteJSON(&buf, nil))
}

func TestReadJSONRejects(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, fixtureReport(t)))
	valid := buf.String()

	tests := []struct {
		name     string
		doc      string
		errIs    error
		contains string
	}{
		{name: "other schema version",
			doc:   strings.Replace(valid, report.SchemaVersion, "kspm.dev/report/v2", 1),
			errIs: report.ErrSchemaVersion, contains: `"kspm.dev/report/v2"`},
		{name: "no schema version", doc: `{"results": []}`, errIs: report.ErrSchemaVersion, contains: "missing"},
		{name: "not JSON", doc: `schemaVersion: v1`, contains: "read JSON report"},
		{name: "unknown status",
			doc:      strings.Replace(valid, `"status": "notApplicable"`, `"status": "skipped"`, 1),
			contains: `results[6] (kspm:managed): unknown status "skipped"`},
		{name: "unknown severity",
			doc:      inResults(valid, `"severity": "critical"`, `"severity": "urgent"`),
			contains: `results[0] (workloads:privileged): unknown severity "urgent"`},
		{name: "unknown severity of a check",
			doc:      strings.Replace(valid, `"severity": "critical"`, `"severity": "urgent"`, 1),
			contains: `checks[0] (workloads:privileged): unknown severity "urgent"`},
		{name: "trailing data", doc: valid + "{}", contains: "after the report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, valid, tt.doc, "the test edits the document")
			_, err := report.ReadJSON(strings.NewReader(tt.doc))
			require.Error(t, err)
			if tt.errIs != nil {
				assert.ErrorIs(t, err, tt.errIs)
			}
			assert.Contains(t, err.Error(), tt.contains)
		})
	}
}

// inResults replaces the first old after the start of the results list of doc with new.
func inResults(doc, old, new string) string {
	at := strings.Index(doc, `"results": [`)
	return doc[:at] + strings.Replace(doc[at:], old, new, 1)
}

func TestReadJSONIgnoresUnknownFields(t *testing.T) {
	doc := `{"schemaVersion": "kspm.dev/report/v1", "futureField": 1,
		"generatedAt": "2026-03-04T05:06:07Z",
		"results": [{"checkID": "x", "title": "X", "severity": "low", "status": "pass", "extra": true}]}`
	r, err := report.ReadJSON(strings.NewReader(doc))
	require.NoError(t, err)
	require.Len(t, r.Results, 1)
	assert.Equal(t, check.StatusPass, r.Results[0].Status)
	assert.Equal(t, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), r.GeneratedAt.UTC())
}

func TestWriteJSONEscapesInput(t *testing.T) {
	var buf bytes.Buffer
	rep := hostileReport()
	require.NoError(t, report.WriteJSON(&buf, rep))
	require.True(t, json.Valid(buf.Bytes()))
	for _, r := range buf.String() {
		require.True(t, r == '\n' || unicode.IsPrint(r), "%U in\n%s", r, buf.String())
	}
	back, err := report.ReadJSON(&buf)
	require.NoError(t, err)
	assert.Equal(t, rep.Results[0].Message, back.Results[0].Message, "decodes to what was written")
	assert.Equal(t, "web\x1b[1A\x1b[2K\r\ufffd", back.Results[0].Object.Name, "invalid UTF-8 becomes U+FFFD, as encoding/json writes it")
	assert.Equal(t, rep.Inventory.Sources, back.Inventory.Sources)
}

// TestWriteJSONFrom: a report whose results are read rather than held counts them as New
// does, and is written as WriteJSON writes the report holding them; results that come back
// to a check already seen count with it.
func TestWriteJSONFrom(t *testing.T) {
	results := append(fixtureResults(), sectionResults()...)
	results = append(results, fixtureResults()[0])
	for len(results) < 5000 { // results in several blocks
		results = append(results, results...)
	}
	for _, procs := range []int{1, 4} { // results counted in one part, and in several
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		testWriteJSONFrom(t, results)
	}
}

func testWriteJSONFrom(t *testing.T, results []check.Result) {
	for _, n := range []int{0, 1, len(fixtureResults()), len(results)} {
		want := report.New(fixtureInventory(t), []string{"kspm"}, results[:n], report.Tool{Name: "kspm"}, fixtureTime)
		read := func(lo, hi int, yield func(*check.Result)) {
			for i := lo; i < hi; i++ {
				r := results[i] // a copy: yield's pointer is good for the call only
				yield(&r)
			}
		}
		got := report.NewFromReader(fixtureInventory(t), []string{"kspm"}, n, read, report.Tool{Name: "kspm"}, fixtureTime)
		assert.Empty(t, got.Results)
		assert.Equal(t, want.Checks, got.Checks, "n=%d", n)
		assert.Equal(t, want.Summary, got.Summary, "n=%d", n)
		assert.Equal(t, want.MaxFailedSeverity(), got.Summary.MaxFailedSeverity(), "n=%d", n)

		var wantJSON, gotJSON bytes.Buffer
		require.NoError(t, report.WriteJSON(&wantJSON, want))
		require.NoError(t, report.WriteJSONFrom(&gotJSON, got, n, read))
		assert.Equal(t, wantJSON.String(), gotJSON.String(), "n=%d", n)
	}
}

func TestSummaryMaxFailedSeverity(t *testing.T) {
	tests := []struct {
		failed map[check.Severity]int
		want   check.Severity
	}{
		{nil, ""},
		{map[check.Severity]int{check.Critical: 0, check.Low: 2}, check.Low},
		{map[check.Severity]int{check.Info: 1, check.High: 3, check.Medium: 1}, check.High},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, report.Summary{FailedBySeverity: tt.failed}.MaxFailedSeverity(), "%v", tt.failed)
	}
}
