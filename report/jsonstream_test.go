package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// referenceJSON encodes r in one piece with encoding/json, as WriteJSON's output must read.
func referenceJSON(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(r))
	return buf.String()
}

func streamedReport() *Report {
	ref := func(src *inventory.Source) *inventory.Ref {
		return &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web", UID: "u-1", Source: src}
	}
	odd := "tab\t nl\n cr\r bs\\ q\" bell\a bsp\b ff\f nul\x00 html<>& ls\u2028 ps\u2029 bad\xff\xfe é 日本"
	return &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "kspm", Version: "test"},
		GeneratedAt:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Benchmarks:    []string{"kspm"},
		Inventory:     InventorySummary{Mode: inventory.ModeManifests, Objects: 3, Coverage: []inventory.Coverage{}},
		Results: []check.Result{
			{CheckID: "a", Title: "T", Severity: check.High, Status: check.StatusFail, Object: ref(&inventory.Source{File: "f.yaml", Line: 3}),
				Message: odd, Field: "spec.x", Remediation: odd, Section: "1.2", Level: "L1"},
			{CheckID: "b", Title: odd, Severity: check.Low, Status: check.StatusPass, Object: ref(nil)},
			{CheckID: "c", Status: check.StatusPass, Object: ref(&inventory.Source{})},
			{CheckID: "d", Status: check.StatusPass, Object: ref(&inventory.Source{Line: 7})},
			{CheckID: "e", Status: check.StatusPass, Object: ref(&inventory.Source{File: "web/templates/d.yaml", Line: 4, Root: "helm:charts/web"})},
			{CheckID: "f", Status: check.StatusPass, Object: ref(&inventory.Source{Root: "kustomize:k/o\"v"})},
			{CheckID: "e", Status: check.StatusPass, Object: ref(&inventory.Source{File: odd})},
			{CheckID: "f", Status: check.StatusPass, Object: &inventory.Ref{Kind: "Namespace", Name: "x"}},
			{CheckID: "g", Status: check.StatusManual, Message: "no object"},
			{CheckID: "vap:p", Status: check.StatusFail, Object: ref(nil), Message: "m",
				Admission: &check.Admission{Binding: odd, ValidationActions: []string{"Deny", odd}}},
			{CheckID: "vap:p", Status: check.StatusPass, Object: ref(nil), Admission: &check.Admission{Binding: "b"}},
			{CheckID: "vap:p", Status: check.StatusPass, Admission: &check.Admission{ValidationActions: []string{}}},
			{CheckID: "x", Status: check.StatusExcepted, Object: ref(nil), Baseline: check.BaselinePresent,
				Exception: &check.Exception{From: check.StatusFail, ID: odd, Reason: odd, Owner: "team", Expires: "2026-01-31", Source: "e.yaml:3"}},
			{CheckID: "x", Status: check.StatusExcepted, Exception: &check.Exception{From: check.StatusFail, Owner: check.AnnotationOwner}},
			{CheckID: "x", Status: check.StatusFail, Baseline: check.BaselineNew},
			{},
		},
		Summary: Summary{Total: 8, ByStatus: map[check.Status]int{check.StatusPass: 5}, FailedBySeverity: map[check.Severity]int{}},
	}
}

func TestWriteJSONStreamsWhatEncodingJSONWrites(t *testing.T) {
	require.True(t, resultFieldsKnown, "check.Result or inventory.Ref changed: update appendResult and resultFieldsKnown")
	for _, fast := range []bool{true, false} {
		t.Run(map[bool]string{true: "appendResult", false: "encoding/json fallback"}[fast], func(t *testing.T) {
			defer func(v bool) { resultFieldsKnown = v }(resultFieldsKnown)
			resultFieldsKnown = fast
			for name, r := range map[string]*Report{
				"results": streamedReport(),
				"none": {SchemaVersion: SchemaVersion, Inventory: InventorySummary{Coverage: []inventory.Coverage{}}, Results: []check.Result{},
					Summary: Summary{ByStatus: map[check.Status]int{}, FailedBySeverity: map[check.Severity]int{}}},
				"many": func() *Report {
					r := streamedReport()
					for len(r.Results) < 5000 { // more than one flush
						r.Results = append(r.Results, r.Results...)
					}
					return r
				}(),
			} {
				var buf bytes.Buffer
				require.NoError(t, WriteJSON(&buf, r), name)
				assert.Equal(t, referenceJSON(t, r), buf.String(), name)
			}
		})
	}
}

// TestWriteJSONInBlocks: results encoded in blocks, on one goroutine or several, read as one
// piece encoded by encoding/json, whichever results begin and end the blocks.
func TestWriteJSONInBlocks(t *testing.T) {
	base := streamedReport().Results
	var results []check.Result
	for i := range 3*resultBlock + 7 {
		r := base[i%len(base)]
		if i%(resultBlock/2+1) == 0 { // checks that begin and end within and across blocks
			r.CheckID = fmt.Sprintf("check-%d", i)
			r.Remediation = r.CheckID
		}
		results = append(results, r)
	}
	for _, procs := range []int{1, 2, 4} {
		for _, n := range []int{resultBlock - 1, resultBlock, 2*resultBlock + 1, len(results)} {
			t.Run(fmt.Sprintf("GOMAXPROCS=%d/results=%d", procs, n), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				r := streamedReport()
				r.Results = results[:n]
				var buf bytes.Buffer
				require.NoError(t, WriteJSON(&buf, r))
				assert.Equal(t, referenceJSON(t, r), buf.String())
			})
		}
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("disk full")
	}
	w.n--
	return len(p), nil
}

func TestWriteJSONReportsWriteErrors(t *testing.T) {
	r := streamedReport()
	for len(r.Results) < 5000 {
		r.Results = append(r.Results, r.Results...)
	}
	for _, n := range []int{0, 1, 2, 3} { // the report's head, then its blocks of results
		err := WriteJSON(&failingWriter{n: n}, r)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "disk full")
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	r := streamedReport()
	r.Results = r.Results[:1]
	r.Results[0].Message = "container web runs as root"
	for len(r.Results) < 100_000 {
		r.Results = append(r.Results, r.Results...)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(r.Results)), "ns/result")
}
