package report_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

func TestCompliancePercent(t *testing.T) {
	tests := []struct {
		s       report.SectionSummary
		percent string
		score   float64
		ok      bool
	}{
		{report.SectionSummary{Passed: 2, Failed: 1}, "66%", 2.0 / 3, true},
		{report.SectionSummary{Passed: 199, Failed: 1}, "99%", 0.995, true}, // never rounded up to 100%
		{report.SectionSummary{Passed: 1}, "100%", 1, true},
		{report.SectionSummary{Failed: 4}, "0%", 0, true},
		{report.SectionSummary{NotEvaluated: 5, Manual: 2}, "n/a", 0, false}, // nothing evaluated: no score
		{report.SectionSummary{Passed: 1, NotEvaluated: 9}, "100%", 1, true}, // not evaluated beside, not in
	}
	for _, tt := range tests {
		t.Run(tt.s.Compliance(), func(t *testing.T) {
			assert.Equal(t, tt.percent, tt.s.Percent())
			score, ok := tt.s.Score()
			assert.Equal(t, tt.ok, ok)
			assert.InDelta(t, tt.score, score, 1e-9)
		})
	}
}

// TestBenchmarkSummaries: compliance counts checks, a check's verdict folds its results, a
// check several benchmarks hold counts in each, and sections are counted apart.
func TestBenchmarkSummaries(t *testing.T) {
	obj := func(name string) *inventory.Ref { return &inventory.Ref{APIVersion: "v1", Kind: "Pod", Name: name} }
	res := func(id, section string, s check.Status, o *inventory.Ref) check.Result {
		return check.Result{CheckID: id, Title: id, Severity: check.Medium, Status: s, Section: section, Object: o}
	}
	results := []check.Result{
		res("c:fail-and-pass", "1 A", check.StatusPass, obj("a")),
		res("c:fail-and-pass", "1 A", check.StatusFail, obj("b")),
		res("c:pass", "1 A", check.StatusPass, obj("a")),
		res("c:pass-and-unseen", "2 B", check.StatusPass, obj("a")),
		res("c:pass-and-unseen", "2 B", check.StatusNotEvaluated, nil),
		res("c:error", "2 B", check.StatusError, nil),
		res("c:manual", "2 B", check.StatusManual, nil),
		res("c:na", "", check.StatusNotApplicable, nil),
		res("c:custom", "", check.StatusFail, obj("z")),
	}
	meta := func(ids ...string) []check.Meta {
		var out []check.Meta
		for _, id := range ids {
			for _, r := range results {
				if r.CheckID == id {
					out = append(out, check.Meta{ID: id, Title: id, Severity: check.Medium, Section: r.Section})
					break
				}
			}
		}
		return out
	}
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), []string{"one", "two"}, results, report.Tool{}, fixtureTime)
	benchmarks := []report.Benchmark{
		{Name: "one", Title: "One", Checks: meta("c:fail-and-pass", "c:pass", "c:pass-and-unseen", "c:error", "c:manual", "c:na")},
		{Name: "two", Checks: meta("c:pass", "c:na", "c:not-run")},
		{Name: "three", Checks: meta("c:fail-and-pass", "c:pass")},
	}
	got := report.BenchmarkSummaries(r, benchmarks)
	require.Len(t, got, 4)

	one := got[0]
	assert.Equal(t, "one", one.Name)
	assert.Equal(t, "One", one.Title)
	assert.Equal(t, report.SectionSummary{Section: "one", Checks: 6, Passed: 1, Failed: 1, NotEvaluated: 2, Manual: 1, NotApplicable: 1},
		one.Total)
	assert.Equal(t, "1/2 passed (2 not evaluated, 1 manual, 1 not applicable)", one.Total.Compliance())
	assert.Equal(t, []report.SectionSummary{
		{Section: "1 A", Checks: 2, Passed: 1, Failed: 1},
		{Section: "2 B", Checks: 3, NotEvaluated: 2, Manual: 1},
	}, one.Sections, "c:na names no section")

	two := got[1] // shares c:pass and c:na with one; c:not-run has no result and is not counted
	assert.Equal(t, report.SectionSummary{Section: "two", Checks: 2, Passed: 1, NotApplicable: 1}, two.Total)
	assert.Equal(t, []report.SectionSummary{{Section: "1 A", Checks: 1, Passed: 1}}, two.Sections)

	three := got[2]
	assert.Equal(t, report.SectionSummary{Section: "three", Checks: 2, Passed: 1, Failed: 1}, three.Total)
	assert.Empty(t, three.Sections, "one section holding every check says nothing more")

	assert.Equal(t, "other checks", got[3].Name, "a check no benchmark holds")
	assert.Equal(t, 1, got[3].Total.Failed)

	// With no benchmarks described, one group named for the report's benchmarks.
	all := report.BenchmarkSummaries(r, nil)
	require.Len(t, all, 1)
	assert.Equal(t, "one, two", all[0].Name)
	assert.Equal(t, 7, all[0].Total.Checks)
}
