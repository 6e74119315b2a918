package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// exceptedReport is the report of sectionResults with exceptions and a baseline applied:
// one failure excepted by a file, one by an annotation, the other failure new.
func exceptedReport(t *testing.T) *report.Report {
	t.Helper()
	results := sectionResults()
	results[0].Status = check.StatusExcepted
	results[0].Exception = &check.Exception{From: check.StatusFail, ID: "ops-admin", Owner: "platform-team",
		Reason: "break-glass binding\x1b[2J, reviewed\nquarterly", Expires: "2026-06-30", Source: "exceptions.yaml:4"}
	results[0].Baseline = check.BaselinePresent
	results = append(results, check.Result{CheckID: "workloads:latest-tag", Title: "Images pinned", Severity: check.Low,
		Status: check.StatusExcepted, Object: &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "cron"},
		Message:   `container "job" uses image busybox`,
		Exception: &check.Exception{From: check.StatusFail, Owner: check.AnnotationOwner, Reason: "pinned by the build", Source: "annotation kspm.dev/exempt"},
		Baseline:  check.BaselineNew})
	results[7].Baseline = check.BaselineNew
	r := report.New(fixtureManifests(), []string{"cis-1.12", "kspm"}, results, report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
	use := report.ExceptionUse{ID: "ops-admin", Source: "exceptions.yaml:4", Checks: []string{"cis:5.1.1"}, Owner: "platform-team",
		Expires: "2026-06-30", Results: 1}
	r.Exceptions = &report.ExceptionsSummary{
		Files:   []string{"exceptions.yaml"},
		Applied: []report.ExceptionUse{use},
		Expired: []report.ExceptionUse{{Source: "exceptions.yaml:12", Checks: []string{"workloads:*"}, Owner: "shop-team\x1b]0;x\a",
			Expires: "2026-01-31", Results: 2}},
		Unused: []report.ExceptionUse{{ID: "old", Source: "exceptions.yaml:20", Checks: []string{"rbac:*"}, Owner: "sec",
			Expires: "2026-12-31", Note: "matched no result"}},
		Annotations: &report.AnnotationExemptions{Results: 1, Objects: 1,
			Ignored: []string{"Deployment shop/web: kspm.dev/exempt without kspm.dev/exempt-reason"}},
	}
	r.Baseline = &report.BaselineSummary{Source: "old.json", GeneratedAt: fixtureTime.AddDate(0, 0, -7), New: 2, Present: 1,
		Resolved: 1, Unconfirmed: 1,
		ResolvedFindings: []report.BaselineFinding{{Fingerprint: "00", CheckID: "cis:5.1.3", Severity: check.Medium, Status: check.StatusFail,
			Object: &inventory.Ref{APIVersion: "v1", Kind: "Namespace", Name: "dev"}, Field: "metadata"}},
		UnconfirmedFindings: []report.BaselineFinding{{Fingerprint: "01", CheckID: "cis:5.1.2", Severity: check.High, Status: check.StatusFail,
			Reason: "the check could not see everything it reads in this scan (it has a notEvaluated or error result)"}},
		Warnings: []string{`the baseline ran other benchmarks (["cis-1.12"]), not ["cis-1.12","kspm"]`},
	}
	return r
}

func TestWriteTextExceptionsGolden(t *testing.T) {
	for name, opts := range map[string]report.TextOptions{
		"text-exceptions.golden":         {},
		"text-exceptions-verbose.golden": {Verbose: true},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, report.WriteText(&buf, exceptedReport(t), opts))
			out := buf.String()
			assertPrintableText(t, out)
			assert.Contains(t, out, `excepted from fail by platform-team until 2026-06-30 (exceptions.yaml:4): break-glass binding\x1b[2J, reviewed quarterly`, "prose folded, controls escaped")
			assert.Contains(t, out, "[new since the baseline]")
			assert.Contains(t, out, "5.1 RBAC and Service Accounts: 1/1 passed (1 not evaluated, 1 excepted, 1 manual)",
				"an excepted check is neither passed nor failed")
			assert.Contains(t, out, "Exceptions (exceptions.yaml): 1 failure set aside by 1 exception")
			assert.Contains(t, out, `shop-team\x1b]0;x\a`)
			assert.Contains(t, out, "Annotation exemptions: allowed; 1 failure set aside by annotations on 1 object (owner: annotation on the object)")
			assert.Contains(t, out, "Baseline (old.json, generated 2026-02-25T05:06:07Z): 2 new, 1 still present, 1 resolved, 1 unconfirmed")
			assert.Contains(t, out, "Failures by severity: 1 low", "excepted results are not failures")
			golden(t, name, buf.Bytes())
		})
	}
}

// assertPrintableText fails if text holds a control character but newline.
func assertPrintableText(t *testing.T, text string) {
	t.Helper()
	for _, r := range text {
		if r != '\n' && (r < ' ' || r == 0x7f) {
			t.Fatalf("control character %U in\n%s", r, text)
		}
	}
}

func TestExceptedReportMatchesSchema(t *testing.T) {
	s := loadSchema(t)
	v := &validator{root: s, strict: true}
	v.validate(s, marshalGeneric(t, exceptedReport(t)), "$")
	assert.Empty(t, v.errs)
}

// TestExceptedReportRoundTrips: a report with exceptions and a baseline reads back as written.
func TestExceptedReportRoundTrips(t *testing.T) {
	want := exceptedReport(t)
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, want))
	got, err := report.ReadJSON(&buf)
	require.NoError(t, err)
	assert.Equal(t, want.Results, got.Results)
	assert.Equal(t, want.Exceptions, got.Exceptions)
	assert.Equal(t, want.Summary, got.Summary)
	assert.Equal(t, 2, got.Summary.ByStatus[check.StatusExcepted])
	assert.Equal(t, check.Low, got.Summary.MaxFailedSeverity(), "excepted results are not failures")
}

// The text report names at most governanceNotesMax (50) exemptions not applied, then counts
// the rest, as the other formats do: a large cluster can have one per object.
func TestWriteTextBoundsGovernanceNotes(t *testing.T) {
	r := exceptedReport(t)
	r.Exceptions.Annotations.Ignored = nil
	for i := range 120 {
		r.Exceptions.Annotations.Ignored = append(r.Exceptions.Annotations.Ignored, fmt.Sprintf("Deployment shop/web-%d: no reason", i))
	}
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, r, report.TextOptions{}))
	out := buf.String()
	assert.Equal(t, 51, strings.Count(out, "not applied:"), "50 named and one line counting the rest")
	assert.Contains(t, out, "Deployment shop/web-49: no reason")
	assert.NotContains(t, out, "Deployment shop/web-50: no reason")
	assert.Contains(t, out, "not applied: and 70 more (the JSON report lists them all)")
}
