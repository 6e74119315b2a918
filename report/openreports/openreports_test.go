package openreports_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report/openreports"
)

func TestResultOf(t *testing.T) {
	want := map[check.Status]v1alpha1.Result{
		check.StatusPass:          "pass",
		check.StatusFail:          "fail",
		check.StatusError:         "error",
		check.StatusNotEvaluated:  "error",
		check.StatusNotApplicable: "skip",
		check.StatusManual:        "warn",
		check.StatusExcepted:      "skip",
		check.Status("bogus"):     "error",
		check.Status(""):          "error",
	}
	for s, r := range want {
		t.Run(string(s), func(t *testing.T) {
			assert.Equal(t, r, openreports.ResultOf(s))
		})
	}
	for _, s := range check.Statuses() {
		assert.Contains(t, want, s, "every status is mapped by this test")
	}
}

// TestNotEvaluatedIsNeverPass: whatever else a notEvaluated result carries, its OpenReports
// result says it could not be evaluated, and reading it back gives notEvaluated.
func TestNotEvaluatedIsNeverPass(t *testing.T) {
	r := check.Result{CheckID: "network:workload-ingress-isolation", Status: check.StatusNotEvaluated,
		Severity: check.High, Message: "NetworkPolicy: forbidden",
		Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "web"}}
	rr := openreports.NewResult(r, time.Unix(1700000000, 0))
	assert.Equal(t, v1alpha1.Result("error"), rr.Result)
	assert.True(t, rr.Scored)
	assert.Equal(t, "notEvaluated", rr.Properties[openreports.PropertyStatus])
	assert.Equal(t, "NetworkPolicy: forbidden", rr.Description, "the reason")
	back, _ := openreports.CheckResult(rr)
	assert.Equal(t, check.StatusNotEvaluated, back.Status)

	// A status property that contradicts the result is not believed.
	rr.Properties[openreports.PropertyStatus] = "pass"
	back, _ = openreports.CheckResult(rr)
	assert.Equal(t, check.StatusError, back.Status)
	s := openreports.Summarize([]v1alpha1.ReportResult{rr})
	assert.Equal(t, v1alpha1.ReportSummary{Error: 1}, s)
}

func TestNewResultRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	obj := &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "api", UID: "u-1"}
	tests := []struct {
		name   string
		in     check.Result
		result v1alpha1.Result
		scored bool
	}{
		{"fail with field", check.Result{CheckID: "workloads:privileged", Title: "Containers are not privileged",
			Severity: check.Critical, Status: check.StatusFail, Object: obj, Message: "privileged: true",
			Field: "spec.template.spec.containers[0].securityContext.privileged", Section: "workloads: hygiene",
			Remediation: "set it false"}, "fail", true},
		{"pass", check.Result{CheckID: "pss:privileged", Title: "t", Severity: check.High, Status: check.StatusPass,
			Object: obj, Level: "baseline"}, "pass", true},
		{"error", check.Result{CheckID: "x:y", Title: "t", Severity: check.Low, Status: check.StatusError,
			Message: "panic"}, "error", true},
		{"manual", check.Result{CheckID: "cis:1.1.1", Title: "t", Severity: check.Medium, Status: check.StatusManual,
			Message: "review"}, "warn", false},
		{"notApplicable", check.Result{CheckID: "cis:1.2.1", Title: "t", Severity: check.Info,
			Status: check.StatusNotApplicable, Message: check.NothingReported}, "skip", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := openreports.NewResult(tt.in, at)
			assert.Equal(t, "kspm", rr.Source)
			assert.Equal(t, tt.in.CheckID, rr.Policy)
			assert.Equal(t, tt.in.Title, rr.Rule)
			assert.Equal(t, tt.result, rr.Result)
			assert.Equal(t, tt.scored, rr.Scored)
			assert.Equal(t, string(tt.in.Severity), string(rr.Severity))
			assert.Equal(t, at.Unix(), rr.Timestamp.Seconds)
			if tt.in.Object != nil {
				require.Len(t, rr.Subjects, 1)
				assert.Equal(t, "Deployment", rr.Subjects[0].Kind)
				assert.Equal(t, "u-1", string(rr.Subjects[0].UID))
			} else {
				assert.Empty(t, rr.Subjects)
			}
			back, when := openreports.CheckResult(rr)
			want := tt.in
			want.Remediation = "" // not carried
			if want.Section == "" {
				want.Section, _, _ = strings.Cut(want.CheckID, ":")
			}
			assert.Equal(t, want, back)
			assert.True(t, at.Equal(when))
		})
	}
}

func TestCategory(t *testing.T) {
	rr := openreports.NewResult(check.Result{CheckID: "rbac:wildcard-rules", Section: "5.1 RBAC"}, time.Time{})
	assert.Equal(t, "5.1 RBAC", rr.Category)
	rr = openreports.NewResult(check.Result{CheckID: "rbac:wildcard-rules"}, time.Time{})
	assert.Equal(t, "rbac", rr.Category, "the benchmark the ID names")
	rr = openreports.NewResult(check.Result{CheckID: "plain"}, time.Time{})
	assert.Empty(t, rr.Category)
}

func TestInvalidSeverityIsLeftOut(t *testing.T) {
	rr := openreports.NewResult(check.Result{CheckID: "a:b", Severity: "urgent"}, time.Time{})
	assert.Empty(t, rr.Severity, "the CRD allows only the five severities")
}

func TestCut(t *testing.T) {
	long := strings.Repeat("é", 5000) // 10000 bytes
	rr := openreports.NewResult(check.Result{CheckID: "a:b", Message: long, Title: long, Field: long}, time.Time{})
	for name, s := range map[string]string{"message": rr.Description, "rule": rr.Rule, "field": rr.Properties["field"]} {
		assert.True(t, utf8.ValidString(s), name)
		assert.Contains(t, s, "[cut: 10000 bytes]", name)
	}
	assert.LessOrEqual(t, len(rr.Description), openreports.MaxMessageBytes)
	assert.LessOrEqual(t, len(rr.Rule), openreports.MaxRuleBytes)
	assert.LessOrEqual(t, len(rr.Properties["field"]), openreports.MaxFieldBytes)

	assert.Equal(t, "short", openreports.Cut("short", 10))
	assert.Equal(t, "a\uFFFDb", openreports.Cut("a\xffb", 10), "invalid UTF-8 as an encoder writes it")
	assert.LessOrEqual(t, len(openreports.Cut(long, 3)), 3+len(" … [cut: 10000 bytes]"))
}

func TestSummarize(t *testing.T) {
	var rs []v1alpha1.ReportResult
	for _, s := range []check.Status{check.StatusPass, check.StatusPass, check.StatusFail, check.StatusError,
		check.StatusNotEvaluated, check.StatusNotApplicable, check.StatusManual} {
		rs = append(rs, openreports.NewResult(check.Result{CheckID: "a:b", Status: s}, time.Time{}))
	}
	assert.Equal(t, v1alpha1.ReportSummary{Pass: 2, Fail: 1, Error: 2, Skip: 1, Warn: 1}, openreports.Summarize(rs))
	rep := openreports.NewReport("shop", "kspm-0", rs)
	assert.Equal(t, "openreports.io/v1alpha1", rep.APIVersion)
	assert.Equal(t, "Report", rep.Kind)
	assert.Equal(t, "kspm", rep.Source)
	assert.Equal(t, 2, rep.Summary.Pass)
	crep := openreports.NewClusterReport("kspm-0", rs[:1])
	assert.Equal(t, "ClusterReport", crep.Kind)
	assert.Empty(t, crep.Namespace)
	assert.Equal(t, 1, crep.Summary.Pass)
}

// TestExceptedCarriesItsException: an excepted failure is published as skip, unscored, with
// the exception that set it aside in a property, and reads back as excepted.
func TestExceptedCarriesItsException(t *testing.T) {
	r := check.Result{CheckID: "workloads:privileged", Status: check.StatusExcepted, Severity: check.Critical,
		Message: "runs privileged", Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "web"},
		Exception: &check.Exception{From: check.StatusFail, Reason: "vendor image", Owner: "team-shop",
			Expires: "2027-01-31", Source: "exceptions.yaml:4"}}
	rr := openreports.NewResult(r, time.Unix(1700000000, 0))
	assert.EqualValues(t, "skip", rr.Result)
	assert.False(t, rr.Scored)
	assert.Equal(t, "excepted from fail by team-shop until 2027-01-31 (exceptions.yaml:4): vendor image",
		rr.Properties[openreports.PropertyException])
	assert.Equal(t, "excepted", rr.Properties[openreports.PropertyStatus])
}
