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
		return check.Result{CheckID: "workloads:privileged", Title: "Privileged", Severity: check.Critical,
			Status: check.StatusFail, Message: `container "app" runs privileged`,
			Field: "spec.template.spec.containers[0].securityContext.privileged", Remediation: "Remove it.",
			Object: &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web", UID: "u1",
				Source: &inventory.Source{File: "deploy/web.yaml", Line: 12}}}
	}
	want := report.Fingerprint(ptr(base()))
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), want)

	tests := []struct {
		name   string
		change func(r *check.Result)
		same   bool
	}{
		// What does not make a finding another one.
		{"message", func(r *check.Result) { r.Message = "reworded" }, true},
		{"status", func(r *check.Result) { r.Status = check.StatusPass }, true},
		{"severity", func(r *check.Result) { r.Severity = check.Low }, true},
		{"title and remediation", func(r *check.Result) { r.Title, r.Remediation = "T", "R" }, true},
		{"line", func(r *check.Result) { r.Object.Source.Line = 40 }, true},
		{"uid", func(r *check.Result) { r.Object.UID = "u2" }, true},
		{"api version in the group", func(r *check.Result) { r.Object.APIVersion = "apps/v1beta2" }, true},
		// What does.
		{"check", func(r *check.Result) { r.CheckID = "pss:privileged" }, false},
		{"group", func(r *check.Result) { r.Object.APIVersion = "extensions/v1beta1" }, false},
		{"core group", func(r *check.Result) { r.Object.APIVersion = "v1" }, false},
		{"kind", func(r *check.Result) { r.Object.Kind = "StatefulSet" }, false},
		{"namespace", func(r *check.Result) { r.Object.Namespace = "dev" }, false},
		{"name", func(r *check.Result) { r.Object.Name = "api" }, false},
		{"file", func(r *check.Result) { r.Object.Source.File = "deploy/other.yaml" }, false},
		{"render root", func(r *check.Result) { r.Object.Source.Root = "kustomize:overlays/prod" }, false},
		{"no source", func(r *check.Result) { r.Object.Source = nil }, false},
		{"field", func(r *check.Result) { r.Field = "spec.template.spec.containers[1].securityContext.privileged" }, false},
		{"no object", func(r *check.Result) { r.Object = nil }, false},
		// Fields are delimited: moving text from one to the next is another finding.
		{"text moved between fields", func(r *check.Result) { r.Object.Namespace, r.Object.Name = "shopw", "eb" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			obj := *r.Object
			src := *obj.Source
			obj.Source = &src
			r.Object = &obj
			tt.change(&r)
			got := report.Fingerprint(&r)
			if tt.same {
				assert.Equal(t, want, got)
			} else {
				assert.NotEqual(t, want, got)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
