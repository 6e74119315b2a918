package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

func TestWriteTextGolden(t *testing.T) {
	manifests := fixtureManifests
	tests := []struct {
		name   string
		report func(t *testing.T) *report.Report
		opts   report.TextOptions
	}{
		{"text.golden", fixtureReport, report.TextOptions{}},
		{"text-verbose.golden", fixtureReport, report.TextOptions{Verbose: true, Remediation: true}},
		{"text-color.golden", fixtureReport, report.TextOptions{Color: true, Verbose: true}},
		{"text-sections.golden", func(t *testing.T) *report.Report {
			return report.New(manifests(), []string{"cis-1.12", "kspm"}, sectionResults(),
				report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
		}, report.TextOptions{Remediation: true}},
		{"text-sections-verbose.golden", func(t *testing.T) *report.Report {
			return report.New(manifests(), []string{"cis-1.12", "kspm"}, sectionResults(),
				report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
		}, report.TextOptions{Verbose: true}},
		{"text-all-pass.golden", func(t *testing.T) *report.Report {
			res := fixtureResults()[1]
			return report.New(fixtureInventory(t), nil, []check.Result{res}, report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
		}, report.TextOptions{}},
		{"text-empty.golden", func(t *testing.T) *report.Report {
			return report.New(manifests(), nil, nil, report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
		}, report.TextOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, report.WriteText(&buf, tt.report(t), tt.opts))
			out := buf.String()
			if tt.opts.Color {
				assert.Contains(t, out, "\x1b[")
			} else {
				assert.NotContains(t, out, "\x1b[", "no ANSI escapes without Color")
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}

func TestWriteTextContent(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, fixtureReport(t), report.TextOptions{}))
	out := buf.String()
	lines := strings.Split(out, "\n")

	row := func(checkID string) string {
		for _, l := range lines {
			if strings.Contains(l, checkID) {
				return l
			}
		}
		t.Fatalf("no row for %s in\n%s", checkID, out)
		return ""
	}
	// A failing row names status, severity, check, object and message.
	priv := row("workloads:privileged")
	for _, want := range []string{"fail", "critical", "Deployment shop/web", `container "app" runs privileged`} {
		assert.Contains(t, priv, want)
	}
	// Passing results are left out without Verbose; the multi-line message is folded.
	assert.NotContains(t, out, "no privileged container")
	assert.Contains(t, out, `container "sh" uses image busybox (no tag)`)
	// Failures come first, most severe first, then the other statuses in check.Statuses order.
	order := []string{"workloads:privileged", "workloads:latest-tag", "kspm:boom", "network:namespace-default-deny", "kspm:review", "kspm:managed"}
	last := -1
	for _, id := range order {
		i := strings.Index(out, id)
		require.Greater(t, i, last, "%s is listed after the previous row", id)
		last = i
	}
	// The summary: counts by check, status and severity, coverage gaps and load errors.
	for _, want := range []string{
		"Checks:   6 (2 failed, 2 not evaluated, 1 manual, 1 not applicable)",
		"Results:  7 (2 fail, 1 error, 1 notEvaluated, 1 manual, 1 notApplicable, 1 pass)",
		"Failures by severity: 1 critical, 1 low",
		`secrets: forbidden: secrets is forbidden: User "scanner" cannot list resource "secrets"`,
		"networkpolicies: failed: the server was unable to return a response in the time allotted",
		"Load errors (1):",
		"list networkpolicies: timeout",
	} {
		assert.Contains(t, out, want)
	}
}

func TestWriteTextColumnsAlign(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, fixtureReport(t), report.TextOptions{}))
	var header string
	var rows []string
	for _, l := range strings.Split(buf.String(), "\n") {
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "STATUS"):
			header = l
		case header != "" && l == "":
			header += "\x00" // end of table
		case header != "" && !strings.Contains(header, "\x00"):
			rows = append(rows, l)
		}
	}
	require.NotEmpty(t, rows)
	col := strings.Index(header, "CHECK")
	for _, r := range rows {
		assert.Regexp(t, `^(kspm|workloads|network):`, r[col:], "row %q: CHECK column starts at %d", r, col)
	}
}

func TestWriteTextNil(t *testing.T) {
	assert.Error(t, report.WriteText(&bytes.Buffer{}, nil, report.TextOptions{}))
}

func TestSectionSummaries(t *testing.T) {
	got := report.SectionSummaries(sectionResults())
	want := []report.SectionSummary{
		// 5.1.1 has a failing and a passing result: failed. 5.1.2 not evaluated, 5.1.3 passed,
		// 5.1.4 manual.
		{Section: "5.1 RBAC and Service Accounts", Checks: 4, Passed: 1, Failed: 1, NotEvaluated: 1, Manual: 1},
		{Section: "5.3 Network Policies and CNI", Checks: 1, Passed: 1},
		{Section: "5.7 General Policies", Checks: 1, NotApplicable: 1},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, "1/2 passed (1 not evaluated, 1 manual)", got[0].Compliance())
	assert.Equal(t, "1/1 passed (0 not evaluated)", got[1].Compliance())
	assert.Equal(t, "0/0 passed (0 not evaluated, 1 not applicable)", got[2].Compliance())
	assert.Equal(t, 2, got[0].Evaluated())

	assert.Nil(t, report.SectionSummaries(fixtureResults()), "no sections")
}

func TestSectionSummariesVerdicts(t *testing.T) {
	res := func(id string, st check.Status) check.Result {
		return check.Result{CheckID: id, Severity: check.Low, Status: st, Section: "1"}
	}
	tests := []struct {
		name    string
		results []check.Result
		want    report.SectionSummary
	}{
		{"a fail outweighs unknowns", []check.Result{res("a", check.StatusNotEvaluated), res("a", check.StatusFail)},
			report.SectionSummary{Section: "1", Checks: 1, Failed: 1}},
		{"a pass with an error is not evaluated", []check.Result{res("a", check.StatusPass), res("a", check.StatusError)},
			report.SectionSummary{Section: "1", Checks: 1, NotEvaluated: 1}},
		{"a pass with a notEvaluated is not evaluated", []check.Result{res("a", check.StatusPass), res("a", check.StatusNotEvaluated)},
			report.SectionSummary{Section: "1", Checks: 1, NotEvaluated: 1}},
		{"pass and notApplicable pass", []check.Result{res("a", check.StatusNotApplicable), res("a", check.StatusPass)},
			report.SectionSummary{Section: "1", Checks: 1, Passed: 1}},
		{"checks counted once each", []check.Result{res("a", check.StatusPass), res("a", check.StatusPass), res("b", check.StatusPass)},
			report.SectionSummary{Section: "1", Checks: 2, Passed: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.SectionSummaries(tt.results)
			require.Len(t, got, 1)
			assert.Equal(t, tt.want, got[0])
		})
	}
}

func TestWriteTextSingleSectionAllPass(t *testing.T) {
	results := []check.Result{{CheckID: "cis:5.3.2", Title: "NetworkPolicies", Severity: check.Medium,
		Status: check.StatusPass, Section: "5.3 Network Policies and CNI"}}
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, results, report.Tool{}, fixtureTime)
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, r, report.TextOptions{}))
	assert.Contains(t, buf.String(), "  5.3 Network Policies and CNI: 1/1 passed (0 not evaluated)\n")
	assert.NotContains(t, buf.String(), "STATUS", "no table header without rows")
}

func BenchmarkWriters(b *testing.B) {
	results := make([]check.Result, 100_000)
	for i := range results {
		st := check.StatusPass
		if i%5 == 0 {
			st = check.StatusFail
		}
		results[i] = check.Result{CheckID: fmt.Sprintf("kspm:c%d", i%20), Title: "T", Severity: check.Severities()[i%5],
			Status: st, Section: fmt.Sprintf("%d", i%20/4), Message: "message",
			Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "ns", Name: fmt.Sprintf("p-%d", i)}}
	}
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, results, report.Tool{}, fixtureTime)
	b.Run("text", func(b *testing.B) {
		for range b.N {
			require.NoError(b, report.WriteText(io.Discard, r, report.TextOptions{Verbose: true}))
		}
	})
	b.Run("json", func(b *testing.B) {
		for range b.N {
			require.NoError(b, report.WriteJSON(io.Discard, r))
		}
	})
}

// TestWriteTextIncompleteKinds: a kind that failed documents may have held is a coverage gap
// with its reason, never "every kind completely seen"; kinds with the same gap share a line.
func TestWriteTextIncompleteKinds(t *testing.T) {
	tests := []struct {
		name string
		errs []error
		want []string
	}{
		{
			name: "known kind",
			errs: []error{&inventory.SourceError{Source: inventory.Source{File: "rbac.yaml", Line: 6},
				Object: "ClusterRoleBinding evil", Err: errors.New("subjects: wrong type")}},
			want: []string{"clusterrolebindings: incomplete: 1 document failed to load: rbac.yaml:6"},
		},
		{
			name: "unreadable kind",
			errs: []error{&inventory.SourceError{Source: inventory.Source{File: "bad.yaml", Line: 9},
				Err: errors.New("yaml: mapping values are not allowed in this context")}},
			want: []string{"every kind: incomplete: 1 document whose kind could not be read failed to load: bad.yaml:9"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := inventory.NewBuilder(inventory.ModeManifests)
			for _, e := range tt.errs {
				b.AddError(e)
			}
			var buf bytes.Buffer
			require.NoError(t, report.WriteText(&buf, report.New(b.Build(), nil, nil, report.Tool{}, fixtureTime), report.TextOptions{}))
			out := buf.String()
			assert.NotContains(t, out, "every kind completely seen")
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.Equal(t, 1, strings.Count(out, "incomplete:"), "one line per gap:\n%s", out)
		})
	}
}

// hostileReport is a report whose input-derived strings carry control sequences, bidi
// overrides and invalid UTF-8.
func hostileReport() *report.Report {
	b := inventory.NewBuilder(inventory.ModeManifests)
	b.AddSource("evil\x1b]0;title\a/")
	b.AddError(&inventory.SourceError{Source: inventory.Source{File: "a\rb.yaml", Line: 3},
		Object: "Pod x\x1b[2K", Err: errors.New("bad\u202evalue")})
	b.AddWarning(&inventory.SourceError{Source: inventory.Source{File: "w\x1b[2J.yaml", Line: 4},
		Err: errors.New("unknown field \"\u202ex\"")})
	res := []check.Result{{CheckID: "kspm:x\x1b[31m", Title: "T\u2066", Severity: check.High, Status: check.StatusFail,
		Object:  &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "ns\x9b", Name: "web\x1b[1A\x1b[2K\r\xff"},
		Message: "container \"a\x1b[8m\" hidden\x07", Field: "spec\x7f", Remediation: "fix\x1b[2J", Section: "1 S\u200b"}}
	return report.New(b.Build(), []string{"bench\x1b[H"}, res, report.Tool{Name: "kspm"}, fixtureTime)
}

func TestWriteTextEscapesInput(t *testing.T) {
	for _, opts := range []report.TextOptions{{}, {Verbose: true, Remediation: true}, {Color: true, Verbose: true, Remediation: true}} {
		var buf bytes.Buffer
		require.NoError(t, report.WriteText(&buf, hostileReport(), opts))
		out := buf.String()
		if opts.Color { // the writer's own colour escapes are the only ESC bytes left
			out = regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(out, "")
		}
		for i, r := range out {
			require.True(t, r == '\n' || (unicode.IsPrint(r) && r != utf8.RuneError), "%+v: %U at %d in\n%s", opts, r, i, out)
		}
		for _, want := range []string{`web\x1b[1A\x1b[2K\r\xff`, `container "a\x1b[8m" hidden\a`, `kspm:x\x1b[31m`,
			`bench\x1b[H`, `evil\x1b]0;title\a/`, `a\rb.yaml:3: Pod x\x1b[2K: bad\u202evalue`, `w\x1b[2J.yaml:4: unknown field "\u202ex"`} {
			assert.Contains(t, out, want, "%+v", opts)
		}
	}
}

// TestWriteTextAbsentWithAReason: a kind absent for a reason of its own (a live scan that did
// not read it) is shown with that reason, not as "none in the input".
func TestWriteTextAbsentWithAReason(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeCluster)
	b.SetCoverage(inventory.Coverage{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Absent,
		Reason: "served by the cluster, not read"})
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, report.New(b.Build(), nil, nil, report.Tool{}, fixtureTime), report.TextOptions{}))
	out := buf.String()
	assert.Contains(t, out, "absent: served by the cluster, not read")
	assert.NotRegexp(t, `none in the input[^\n]*CiliumNetworkPolicy`, out)
}

// TestWriteTextAbsentByType: a kind is listed as none in the input when its coverage says so
// (NoneInInput), whatever its reason's words; another absent kind is a gap with its reason.
func TestWriteTextAbsentByType(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeCluster)
	b.SetCoverage(inventory.Coverage{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Absent,
		Reason: "no CiliumNetworkPolicy in the input: discovery failed"})
	b.SetCoverage(inventory.Coverage{Group: "example.com", Kind: "Widget", State: inventory.Absent, NoneInInput: true,
		Reason: "the manifests hold none"})
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, report.New(b.Build(), nil, nil, report.Tool{}, fixtureTime), report.TextOptions{}))
	out := buf.String()
	assert.Contains(t, out, "absent: no CiliumNetworkPolicy in the input: discovery failed")
	assert.Regexp(t, `none in the input[^\n]*Widget\.example\.com`, out)
	assert.NotRegexp(t, `none in the input[^\n]*CiliumNetworkPolicy`, out)
}

// TestWriteTextWarningsApart: warnings are listed apart from load errors, under their own
// heading, and do not count as errors.
func TestWriteTextWarningsApart(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeManifests)
	b.AddError(&inventory.SourceError{Source: inventory.Source{File: "bad.yaml", Line: 2}, Err: errors.New("yaml: broken")})
	b.AddWarning(&inventory.SourceError{Source: inventory.Source{File: "app.yaml", Line: 1}, Err: errors.New("not a Kubernetes object (neither apiVersion nor kind): skipped")})
	b.AddWarning(&inventory.SourceError{Source: inventory.Source{File: "pod.yaml", Line: 5}, Object: "Pod default/p", Err: errors.New(`unknown field "spec.x": dropped, as the API server drops it`)})
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, report.New(b.Build(), nil, nil, report.Tool{}, fixtureTime), report.TextOptions{}))
	out := buf.String()
	errorsAt, warningsAt := strings.Index(out, "Load errors (1):"), strings.Index(out, "Load warnings (2; read and scanned):")
	require.GreaterOrEqual(t, errorsAt, 0, out)
	require.Greater(t, warningsAt, errorsAt, out)
	assert.NotContains(t, out[errorsAt:warningsAt], "app.yaml")
	assert.Contains(t, out[warningsAt:], "    app.yaml:1: not a Kubernetes object (neither apiVersion nor kind): skipped\n")
	assert.Contains(t, out[warningsAt:], `    pod.yaml:5: Pod default/p: unknown field "spec.x": dropped, as the API server drops it`)
}

// TestWriteTextVariants: rows about the definitions of an object the input defines in several
// places name their source, verbose or not; other rows do not.
func TestWriteTextVariants(t *testing.T) {
	ref := func(name, file string) *inventory.Ref {
		return &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: name, Source: &inventory.Source{File: file, Line: 1}}
	}
	results := []check.Result{
		{CheckID: "workloads:privileged", Title: "T", Severity: check.High, Status: check.StatusFail, Object: ref("web", "dev/pod.yaml")},
		{CheckID: "workloads:privileged", Title: "T", Severity: check.High, Status: check.StatusPass, Object: ref("web", "prod/pod.yaml")},
		{CheckID: "workloads:privileged", Title: "T", Severity: check.High, Status: check.StatusFail, Object: ref("api", "dev/api.yaml")},
	}
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, results, report.Tool{}, fixtureTime)
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, r, report.TextOptions{}))
	out := buf.String()
	assert.Contains(t, out, "Pod shop/web (dev/pod.yaml:1)", "the passing prod definition makes the name ambiguous")
	assert.NotContains(t, out, "prod/pod.yaml", "passes are not shown")
	assert.Contains(t, out, "Pod shop/api\n")
	assert.NotContains(t, out, "dev/api.yaml")
}

func TestWriteTextNamesTheAdmissionBinding(t *testing.T) {
	ref := &inventory.Ref{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "cfg"}
	results := []check.Result{
		{CheckID: "vap:p", Title: "p", Severity: check.Medium, Status: check.StatusFail, Object: ref,
			Message: "too big", Admission: &check.Admission{Binding: "p-prod", ValidationActions: []string{"Deny", "Audit"}}},
		{CheckID: "vap:p", Title: "p", Severity: check.Medium, Status: check.StatusFail, Object: ref,
			Message: "no actions", Admission: &check.Admission{Binding: "p-none"}},
	}
	rep := report.New(fixtureInventory(t), []string{"admission-policies"}, results, report.Tool{Name: "kspm"}, fixtureTime)
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, rep, report.TextOptions{}))
	assert.Contains(t, buf.String(), "too big [binding p-prod: Deny,Audit]")
	assert.Contains(t, buf.String(), "no actions [binding p-none]")
}
