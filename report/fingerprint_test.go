package report_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// TestFingerprintNamesFilesByInput: a manifest is named relative to the input it was read
// under, however that input was spelt; with several inputs, the variants of an object in
// two of them stay apart.
func TestFingerprintNamesFilesByInput(t *testing.T) {
	at := func(file, root string) *check.Result {
		return &check.Result{CheckID: "c", Status: check.StatusFail, Object: &inventory.Ref{APIVersion: "apps/v1",
			Kind: "Deployment", Namespace: "web", Name: "single", Source: &inventory.Source{File: file, Line: 3, Root: root}}}
	}
	want := report.Fingerprint(at("manifests/dev/app.yaml", ""), "manifests")
	for _, tt := range []struct {
		name, file string
		sources    []string
	}{
		{"dot slash", "manifests/dev/app.yaml", []string{"./manifests"}},
		{"trailing slash", "manifests/dev/app.yaml", []string{"manifests/"}},
		{"absolute", "/home/u/repo/manifests/dev/app.yaml", []string{"/home/u/repo/manifests"}},
		{"from a parent", "../repo/manifests/dev/app.yaml", []string{"../repo/manifests"}},
		{"from within", "dev/app.yaml", []string{"."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, want, report.Fingerprint(at(tt.file, ""), tt.sources...))
		})
	}
	t.Run("variants in one input", func(t *testing.T) {
		assert.NotEqual(t, want, report.Fingerprint(at("manifests/prod/app.yaml", ""), "manifests"))
	})
	t.Run("variants in two inputs", func(t *testing.T) {
		two := []string{"/abs/dev", "/abs/prod"}
		assert.NotEqual(t, report.Fingerprint(at("/abs/dev/app.yaml", ""), two...),
			report.Fingerprint(at("/abs/prod/app.yaml", ""), two...))
		assert.Equal(t, report.Fingerprint(at("/abs/dev/app.yaml", ""), two...),
			report.Fingerprint(at("dev/app.yaml", ""), "dev", "./prod"))
	})
	t.Run("a file input", func(t *testing.T) {
		assert.Equal(t, report.Fingerprint(at("app.yaml", ""), "app.yaml"),
			report.Fingerprint(at("/abs/x/app.yaml", ""), "/abs/x/app.yaml"))
	})
	t.Run("render roots", func(t *testing.T) {
		assert.Equal(t, report.Fingerprint(at("web/templates/d.yaml", "helm:charts/web"), "charts"),
			report.Fingerprint(at("web/templates/d.yaml", "helm:/abs/charts/web"), "/abs/charts"))
		assert.NotEqual(t, report.Fingerprint(at("web/templates/d.yaml", "helm:charts/web"), "charts"),
			report.Fingerprint(at("web/templates/d.yaml", "kustomize:charts/web"), "charts"))
	})
}

// Fingerprints gives each result of a report the Fingerprint it has with the report's inputs,
// in order.
func TestFingerprintsOfAReport(t *testing.T) {
	rep, _ := demoReport(t, []string{"workloads"}, nil)
	require.NotEmpty(t, rep.Inventory.Sources)
	fps := report.Fingerprints(rep)
	require.Len(t, fps, len(rep.Results))
	distinct := map[string]bool{}
	for i := range rep.Results {
		assert.Equal(t, report.Fingerprint(&rep.Results[i], rep.Inventory.Sources...), fps[i], "result %d", i)
		distinct[fps[i]] = true
	}
	assert.Greater(t, len(distinct), len(fps)/2, "results about other objects or checks have other fingerprints")
}
