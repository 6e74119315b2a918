package kspm_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// roundTrip writes r as JSON and reads it back, as a consumer of the report would.
func roundTrip(t *testing.T, r *report.Report) *report.Report {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, r))
	back, err := report.ReadJSON(&buf)
	require.NoError(t, err, "the library wrote a report its own reader refuses")
	return back
}

// A check that reports what a report cannot hold gets an error result at the source, never
// a panic, and the report it is part of reads back.
func TestInvalidFindingsBecomeErrorResults(t *testing.T) {
	tests := []struct {
		name    string
		report  func(pass *check.Pass)
		message string
	}{
		{"unknown status", func(pass *check.Pass) {
			pass.Report(check.Finding{Status: "passed", Object: pass.Inventory.Objects()[0], Message: "ok"})
		}, `invalid finding: unknown status "passed"`},
		{"empty status", func(pass *check.Pass) {
			pass.Report(check.Finding{Object: pass.Inventory.Objects()[0]})
		}, `invalid finding: unknown status ""`},
		{"a check excepting its own failure", func(pass *check.Pass) {
			pass.Report(check.Finding{Status: check.StatusExcepted, Object: pass.Inventory.Objects()[0], Message: "fine"})
		}, `invalid finding: status "excepted" is given by exceptions, not by checks`},
		{"nil error", func(pass *check.Pass) {
			pass.Error(pass.Inventory.Objects()[0], nil)
		}, "invalid finding: Error called with a nil error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := check.New(meta("t:bad"), func(ctx context.Context, pass *check.Pass) error {
				tt.report(pass)
				return nil
			})
			r, err := kspm.Scan(context.Background(), pods(t, 1),
				[]benchmark.Benchmark{{Name: "b", Title: "B", Checks: []check.Check{c}}})
			require.NoError(t, err)
			require.Len(t, r.Results, 1)
			res := r.Results[0]
			assert.Equal(t, check.StatusError, res.Status)
			assert.Contains(t, res.Message, tt.message)
			require.NotNil(t, res.Object, "the error result keeps the object it was about")
			assert.Equal(t, "pod-00", res.Object.Name)
			assert.Equal(t, map[check.Status]int{check.StatusError: 1}, r.Summary.ByStatus)
			back := roundTrip(t, r)
			assert.Equal(t, r.Results, back.Results)
		})
	}
}

// An embedder names itself, fixes the clock (so that a golden report needs no editing) and
// names the cluster it scanned.
func TestScanToolClockAndSourceName(t *testing.T) {
	inv, err := inventory.FromClientset(t.Context(), fake.NewClientset(), inventory.WithSourceName("prod-eu"))
	require.NoError(t, err)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	r, err := kspm.Scan(t.Context(), inv, []benchmark.Benchmark{{Name: "b", Title: "B", Checks: []check.Check{passAll("t:a")}}},
		kspm.WithTool("platform-guard", "1.2.3"), kspm.WithClock(func() time.Time { return at }))
	require.NoError(t, err)
	assert.Equal(t, report.Tool{Name: "platform-guard", Version: "1.2.3"}, r.Tool)
	assert.Equal(t, at.UTC(), r.GeneratedAt)
	assert.Equal(t, []string{"prod-eu"}, r.Inventory.Sources)
	back := roundTrip(t, r)
	assert.Equal(t, r.Tool, back.Tool)
	assert.True(t, at.Equal(back.GeneratedAt))
	assert.Equal(t, []string{"prod-eu"}, back.Inventory.Sources)
}

// A Go check that reports nothing is not invisible: like a CEL check with nothing to
// evaluate, it gets one notApplicable result, in Run's results as in Scan's report.
func TestSilentCheckIsVisible(t *testing.T) {
	silent := check.New(meta("t:silent"), func(ctx context.Context, pass *check.Pass) error { return nil })
	checks := []check.Check{passAll("t:a"), silent}

	results, err := kspm.Run(t.Context(), pods(t, 1), checks)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"t:a pass Pod ns-0/pod-00: ok",
		"t:silent notApplicable -: " + check.NothingReported,
	}, briefs(results))

	r, err := kspm.Scan(t.Context(), pods(t, 1), []benchmark.Benchmark{{Name: "b", Title: "B", Checks: checks}})
	require.NoError(t, err)
	assert.Equal(t, briefs(results), briefs(r.Results))

	// On the Run path, the report made from the results lists both checks too.
	fromRun := report.New(pods(t, 1), nil, results, report.Tool{Name: "t", Version: "1"}, time.Now())
	require.Len(t, fromRun.Checks, 2)
	assert.Equal(t, "t:silent", fromRun.Checks[1].CheckID)
	assert.Equal(t, report.StatusCounts{NotApplicable: 1}, fromRun.Checks[1].Counts)
}

// The report lists every check that ran, in run order, with its count of results per status,
// zeros included: in the typed report, in JSON (read back as written) and in the verbose
// text.
func TestReportListsEveryCheck(t *testing.T) {
	failing := check.New(meta("t:fail"), func(ctx context.Context, pass *check.Pass) error {
		objs := pass.Inventory.Objects()
		pass.Fail(objs[0], "spec", "bad")
		pass.Pass(objs[1], "ok")
		return nil
	})
	silent := check.New(meta("t:silent"), func(ctx context.Context, pass *check.Pass) error { return nil })
	manualMeta := meta("t:manual")
	manualMeta.Manual = true
	manual := check.New(manualMeta, nil)
	r, err := kspm.Scan(t.Context(), pods(t, 2),
		[]benchmark.Benchmark{{Name: "b", Title: "B", Checks: []check.Check{failing, silent, manual}}})
	require.NoError(t, err)

	want := []report.CheckSummary{
		{CheckID: "t:fail", Title: "Check t:fail", Severity: check.Medium, Results: 2,
			Counts: report.StatusCounts{Fail: 1, Pass: 1}},
		{CheckID: "t:silent", Title: "Check t:silent", Severity: check.Medium, Results: 1,
			Counts: report.StatusCounts{NotApplicable: 1}},
		{CheckID: "t:manual", Title: "Check t:manual", Severity: check.Medium, Results: 1,
			Counts: report.StatusCounts{Manual: 1}},
	}
	assert.Equal(t, want, r.Checks)
	assert.Equal(t, 1, r.Checks[0].Counts.Count(check.StatusFail))
	assert.Equal(t, 0, r.Checks[0].Counts.Count(check.StatusError))

	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, r))
	assert.Contains(t, buf.String(), `"checkID": "t:silent",`)
	assert.Contains(t, buf.String(), `"error": 0,`, "zero counts are written")
	assert.Equal(t, want, roundTrip(t, r).Checks)

	buf.Reset()
	require.NoError(t, report.WriteText(&buf, r, report.TextOptions{Verbose: true}))
	text := buf.String()
	assert.Contains(t, text, "Checks (3):")
	for _, id := range []string{"t:fail", "t:silent", "t:manual"} {
		assert.Regexp(t, `(?m)^  `+id+` `, text, "the text lists %s", id)
	}
}
