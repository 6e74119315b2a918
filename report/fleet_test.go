package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// writeReport returns a FleetWriter.Scanned callback that writes r as WriteJSON does.
func writeReport(r *report.Report) func(io.Writer) (report.Summary, error) {
	return func(w io.Writer) (report.Summary, error) {
		return r.Summary, report.WriteJSON(w, r)
	}
}

// fleetFixture writes a fleet of four clusters: scanned with load errors, unreachable,
// scanned cleanly, and one whose scan ended in an error before writing anything.
func fleetFixture(t *testing.T) []byte {
	t.Helper()
	withErrors := fixtureReport(t)
	withErrors.Inventory.Errors = []string{"list clusterroles: forbidden", "list secrets: forbidden"}
	empty := report.New(inventory.NewBuilder(inventory.ModeCluster).Build(), []string{"rbac"}, nil,
		report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)

	var buf bytes.Buffer
	fw := report.NewFleetWriter(&buf, report.Tool{Name: "kspm", Version: "1.2.3"})
	require.NoError(t, fw.Scanned("prod", "https://prod.example:6443", 2, writeReport(withErrors)))
	require.NoError(t, fw.NotScanned("edge", "https://10.0.0.9:6443",
		errors.New("inventory: cannot reach the API server at https://10.0.0.9:6443: connection refused")))
	require.NoError(t, fw.Scanned("dev", "", 0, writeReport(empty)))
	err := fw.Scanned("late", "https://late.example", 0, func(io.Writer) (report.Summary, error) {
		return report.Summary{}, errors.New("context deadline exceeded (--timeout 1m0s)")
	})
	require.EqualError(t, err, "context deadline exceeded (--timeout 1m0s)", "the cluster's error is returned")
	sum, err := fw.Close(fixtureTime)
	require.NoError(t, err, "and the document goes on")
	assert.Equal(t, 4, sum.Clusters)
	return buf.Bytes()
}

// The fleet document is the Fleet type's, matches the schema's fleet definition, holds each
// report as WriteJSON writes it, and counts per cluster and in total.
func TestFleetWriter(t *testing.T) {
	doc := fleetFixture(t)
	golden(t, "fleet.golden.json", doc)

	var generic any
	require.NoError(t, json.Unmarshal(doc, &generic), "valid JSON:\n%s", doc)
	s := loadSchema(t)
	v := &validator{root: s, strict: true}
	v.validate(s["$defs"].(map[string]any)["fleet"].(map[string]any), generic, "$")
	assert.Empty(t, v.errs)

	var fleet report.Fleet
	require.NoError(t, json.Unmarshal(doc, &fleet))
	assert.Equal(t, report.FleetSchemaVersion, fleet.SchemaVersion)
	assert.Equal(t, fixtureTime, fleet.GeneratedAt)
	require.Len(t, fleet.Clusters, 4)
	var entries []string
	for _, c := range fleet.Clusters {
		entries = append(entries, c.Context+" "+c.Server+" report:"+boolString(c.Report != nil)+" error:"+c.Error)
	}
	assert.Equal(t, []string{
		"prod https://prod.example:6443 report:true error:",
		"edge https://10.0.0.9:6443 report:false error:inventory: cannot reach the API server at https://10.0.0.9:6443: connection refused",
		"dev  report:true error:",
		"late https://late.example report:false error:context deadline exceeded (--timeout 1m0s)",
	}, entries)

	// The report inside is WriteJSON's document, re-indented.
	var want, got bytes.Buffer
	require.NoError(t, report.WriteJSON(&want, fixtureReportWithErrors(t)))
	require.NoError(t, report.WriteJSON(&got, fleet.Clusters[0].Report))
	assert.Equal(t, want.String(), got.String())

	prod := fixtureReport(t).Summary
	assert.Equal(t, report.FleetSummary{
		Clusters: 4, NotScanned: 2,
		ByCluster: []report.FleetClusterSummary{
			{Context: "prod", Counts: report.FleetCounts{FailedBySeverity: prod.FailedBySeverity,
				NotEvaluated: prod.ByStatus[check.StatusNotEvaluated], Errors: prod.ByStatus[check.StatusError], LoadErrors: 2}},
			{Context: "edge", Error: fleet.Clusters[1].Error, Counts: report.FleetCounts{FailedBySeverity: map[check.Severity]int{}}},
			{Context: "dev", Counts: report.FleetCounts{FailedBySeverity: map[check.Severity]int{}}},
			{Context: "late", Error: fleet.Clusters[3].Error, Counts: report.FleetCounts{FailedBySeverity: map[check.Severity]int{}}},
		},
		Total: report.FleetCounts{FailedBySeverity: prod.FailedBySeverity,
			NotEvaluated: prod.ByStatus[check.StatusNotEvaluated], Errors: prod.ByStatus[check.StatusError], LoadErrors: 2},
	}, fleet.Summary)
	require.NotEmpty(t, prod.FailedBySeverity, "the fixture has failures to count")
	assert.Equal(t, check.Critical, fleet.Summary.Total.MaxFailedSeverity())
}

func fixtureReportWithErrors(t *testing.T) *report.Report {
	r := fixtureReport(t)
	r.Inventory.Errors = []string{"list clusterroles: forbidden", "list secrets: forbidden"}
	return r
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestFleetWriterEmpty(t *testing.T) {
	var buf bytes.Buffer
	sum, err := report.NewFleetWriter(&buf, report.Tool{}).Close(fixtureTime)
	require.NoError(t, err)
	assert.Equal(t, 0, sum.Clusters)
	var fleet report.Fleet
	require.NoError(t, json.Unmarshal(buf.Bytes(), &fleet), buf.String())
	assert.Empty(t, fleet.Clusters)
	assert.Contains(t, buf.String(), `"clusters": [],`)
}

// Context names and errors come from the kubeconfig and the network: written escaped.
func TestFleetWriterEscapes(t *testing.T) {
	var buf bytes.Buffer
	fw := report.NewFleetWriter(&buf, report.Tool{})
	hostile := "prod\x1b[2J\u202e<b>"
	require.NoError(t, fw.NotScanned(hostile, "https://x\x07", errors.New("no\x1b]0;pwned\x07")))
	_, err := fw.Close(fixtureTime)
	require.NoError(t, err)
	out := buf.String()
	for _, raw := range []string{"\x1b", "\x07", "\u202e"} {
		assert.NotContains(t, out, raw)
	}
	assert.Contains(t, out, `"context": "prod\u001b[2J\u202e<b>"`)
	var fleet report.Fleet
	require.NoError(t, json.Unmarshal(buf.Bytes(), &fleet))
	assert.Equal(t, hostile, fleet.Clusters[0].Context, "decodes to the name")
	assert.Equal(t, hostile, fleet.Summary.ByCluster[0].Context)
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestFleetWriterCannotComplete(t *testing.T) {
	t.Run("report cut short", func(t *testing.T) {
		var buf bytes.Buffer
		fw := report.NewFleetWriter(&buf, report.Tool{})
		err := fw.Scanned("a", "", 0, func(w io.Writer) (report.Summary, error) {
			_, _ = w.Write([]byte("{\n  \"schemaVersion\""))
			return report.Summary{}, errors.New("encoder broke")
		})
		require.ErrorContains(t, err, `the report of context "a" was cut short: encoder broke`)
		assert.ErrorIs(t, fw.NotScanned("b", "", nil), err, "no entry after a broken one")
		_, cerr := fw.Close(fixtureTime)
		assert.ErrorIs(t, cerr, err)
	})
	t.Run("write fails", func(t *testing.T) {
		fw := report.NewFleetWriter(&failingWriter{n: 10}, report.Tool{})
		err := fw.Scanned("a", "", 0, writeReport(fixtureReport(t)))
		require.ErrorContains(t, err, "disk full")
		_, cerr := fw.Close(fixtureTime)
		assert.ErrorContains(t, cerr, "disk full")
	})
	t.Run("nothing written", func(t *testing.T) {
		var buf bytes.Buffer
		fw := report.NewFleetWriter(&buf, report.Tool{})
		err := fw.Scanned("a", "", 0, func(io.Writer) (report.Summary, error) { return report.Summary{}, nil })
		require.ErrorContains(t, err, "no report was written")
		sum, err := fw.Close(fixtureTime)
		require.NoError(t, err)
		assert.Equal(t, 1, sum.NotScanned)
		assert.True(t, strings.HasSuffix(buf.String(), "}\n"))
	})
}

// FleetWriter writes, piece by piece, the document encoding/json writes for the Fleet it
// decodes to, as WriteJSON does for a Report.
func TestFleetWriterAsEncodingJSON(t *testing.T) {
	doc := fleetFixture(t)
	var fleet report.Fleet
	require.NoError(t, json.Unmarshal(doc, &fleet))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(&fleet))
	assert.Equal(t, buf.String(), string(doc))
}

// The fleet definition is checked as strictly as the report's.
func TestFleetSchemaCatchesErrors(t *testing.T) {
	s := loadSchema(t)
	fleetDef := s["$defs"].(map[string]any)["fleet"].(map[string]any)
	tests := []struct {
		name string
		edit func(doc map[string]any)
		want string
	}{
		{"cluster without context", func(d map[string]any) { delete(cluster0(d), "context") }, `$.clusters[0]: required property "context" is missing`},
		{"a report that is not one", func(d map[string]any) { delete(cluster0(d)["report"].(map[string]any), "results") },
			`$.clusters[0].report: required property "results" is missing`},
		{"bad severity", func(d map[string]any) {
			d["summary"].(map[string]any)["total"].(map[string]any)["failedBySeverity"].(map[string]any)["urgent"] = 1.0
		}, `$.summary.total.failedBySeverity property name: urgent is not one of`},
		{"report schema version", func(d map[string]any) { d["schemaVersion"] = "kspm.dev/report/v1" }, `$.schemaVersion: want kspm.dev/fleet/v1`},
		{"undeclared field", func(d map[string]any) { cluster0(d)["score"] = 1.0 }, `$.clusters[0]: property "score" is not declared`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			require.NoError(t, json.Unmarshal(fleetFixture(t), &doc))
			tt.edit(doc)
			v := &validator{root: s, strict: true}
			v.validate(fleetDef, doc, "$")
			require.Len(t, v.errs, 1, "errors: %v", v.errs)
			assert.Contains(t, v.errs[0], tt.want)
		})
	}
}

func cluster0(doc map[string]any) map[string]any {
	return doc["clusters"].([]any)[0].(map[string]any)
}

// A FleetSummary counts from its zero value, as a program that writes no document keeps one.
func TestFleetSummaryAdd(t *testing.T) {
	var s report.FleetSummary
	s.Add("a", report.Summary{FailedBySeverity: map[check.Severity]int{check.High: 2, check.Low: 0},
		ByStatus: map[check.Status]int{check.StatusNotEvaluated: 3, check.StatusError: 1, check.StatusFail: 2}}, 1, nil)
	s.Add("b", report.Summary{FailedBySeverity: map[check.Severity]int{check.High: 1}}, 0, errors.New("unreachable"))
	s.Add("c", report.Summary{FailedBySeverity: map[check.Severity]int{check.High: 1, check.Critical: 1}}, 0, nil)
	assert.Equal(t, report.FleetSummary{Clusters: 3, NotScanned: 1,
		ByCluster: []report.FleetClusterSummary{
			{Context: "a", Counts: report.FleetCounts{FailedBySeverity: map[check.Severity]int{check.High: 2}, NotEvaluated: 3, Errors: 1, LoadErrors: 1}},
			{Context: "b", Error: "unreachable", Counts: report.FleetCounts{FailedBySeverity: map[check.Severity]int{}}},
			{Context: "c", Counts: report.FleetCounts{FailedBySeverity: map[check.Severity]int{check.High: 1, check.Critical: 1}}},
		},
		Total: report.FleetCounts{FailedBySeverity: map[check.Severity]int{check.High: 3, check.Critical: 1}, NotEvaluated: 3, Errors: 1, LoadErrors: 1},
	}, s, "a cluster not scanned counts nothing, whatever summary it is given")
	assert.Equal(t, check.Critical, s.Total.MaxFailedSeverity())
}
