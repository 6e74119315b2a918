package report_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

func TestFingerprint(t *testing.T) {
	base := func() check.Result {
		return check.Result{CheckID: "workloads:privileged", Title: "T", Severity: check.High, Status: check.StatusFail,
			Object: &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web", UID: "u-1",
				Source: &inventory.Source{File: "deploy/web.yaml", Line: 3}},
			Field: "spec.template.spec.containers[0].securityContext.privileged", Message: "runs privileged"}
	}
	edit := func(f func(r *check.Result)) check.Result {
		r := base()
		o := *r.Object
		src := *o.Source
		o.Source = &src
		r.Object = &o
		f(&r)
		return r
	}
	same := []struct {
		name string
		r    check.Result
	}{
		{"other message", edit(func(r *check.Result) { r.Message = "container app runs privileged" })},
		{"other status", edit(func(r *check.Result) { r.Status = check.StatusPass })},
		{"excepted", edit(func(r *check.Result) {
			r.Status, r.Exception = check.StatusExcepted, &check.Exception{From: check.StatusFail, Owner: "o", Reason: "r"}
		})},
		{"other line", edit(func(r *check.Result) { r.Object.Source.Line = 40 })},
		{"other UID", edit(func(r *check.Result) { r.Object.UID = "u-2" })},
		{"other version of the group", edit(func(r *check.Result) { r.Object.APIVersion = "apps/v1beta2" })},
		{"other title, severity, remediation", edit(func(r *check.Result) {
			r.Title, r.Severity, r.Remediation = "U", check.Low, "fix it"
		})},
		{"path written otherwise", edit(func(r *check.Result) { r.Object.Source.File = "./deploy//web.yaml" })},
		{"marked new", edit(func(r *check.Result) { r.Baseline = check.BaselineNew })},
	}
	want := base()
	fp := report.Fingerprint(&want)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), fp)
	for _, tt := range same {
		assert.Equal(t, fp, report.Fingerprint(&tt.r), tt.name)
	}
	differ := []struct {
		name string
		r    check.Result
	}{
		{"other check", edit(func(r *check.Result) { r.CheckID = "workloads:privileged2" })},
		{"other field", edit(func(r *check.Result) { r.Field = "spec.template.spec.containers[1].securityContext.privileged" })},
		{"no field", edit(func(r *check.Result) { r.Field = "" })},
		{"other group", edit(func(r *check.Result) { r.Object.APIVersion = "extensions/v1beta1" })},
		{"other kind", edit(func(r *check.Result) { r.Object.Kind = "StatefulSet" })},
		{"other namespace", edit(func(r *check.Result) { r.Object.Namespace = "shop2" })},
		{"other name", edit(func(r *check.Result) { r.Object.Name = "web2" })},
		{"other file (a variant)", edit(func(r *check.Result) { r.Object.Source.File = "prod/web.yaml" })},
		{"rendered", edit(func(r *check.Result) { r.Object.Source.Root = "helm:charts/web" })},
		{"listed from a cluster", edit(func(r *check.Result) { r.Object.Source = nil })},
		{"about no object", edit(func(r *check.Result) { r.Object = nil })},
		// Parts are delimited: moving text from one part to the next changes the fingerprint.
		{"namespace and name shifted", edit(func(r *check.Result) { r.Object.Namespace, r.Object.Name = "sho", "pweb" })},
	}
	seen := map[string]string{fp: "base"}
	for _, tt := range differ {
		got := report.Fingerprint(&tt.r)
		assert.NotContains(t, seen, got, "%s: same fingerprint as %s", tt.name, seen[got])
		seen[got] = tt.name
	}
	core := check.Result{CheckID: "c", Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Name: "p"}}
	core2 := check.Result{CheckID: "c", Object: &inventory.Ref{APIVersion: "v2", Kind: "Pod", Name: "p"}}
	assert.Equal(t, report.Fingerprint(&core), report.Fingerprint(&core2), "the core group, whatever its version")
}
