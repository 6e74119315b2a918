// Package checktest tests checks against fixtures on disk, in the manner of
// golang.org/x/tools/go/analysis/analysistest: the input is a set of Kubernetes manifests,
// and the expected verdicts are written beside it, as annotations on the objects.
//
// # Fixtures
//
// Run takes a directory. Each manifest file directly in it (*.yaml, *.yml, *.json) is one
// case, loaded into its own inventory; each subdirectory is one case made of every manifest
// under it (for checks that need several objects together, or none of a kind). An object
// states what the check must report about it with annotations:
//
//	metadata:
//	  annotations:
//	    kspm.dev/expect: fail                 # pass, fail, error, notEvaluated, notApplicable,
//	                                          # manual, or none (no result at all)
//	    kspm.dev/expect-message: host network # optional: a result's message contains this
//	    kspm.dev/expect-field: spec.hostNetwork  # optional: a result has this field path
//
// Every result must be expected: an object without kspm.dev/expect must get no result. A
// result about no object (the check's own verdict about the whole cluster, e.g.
// notEvaluated because a kind in Meta.Requires is absent) is expected by an object of the
// case annotated kspm.dev/expect-cluster: <status> (and optionally
// kspm.dev/expect-cluster-message), or by objects that expect that same status themselves:
// when the whole check is notEvaluated, so is each object.
//
// # Running
//
// Run validates the check (check.Validate), runs it over each case as package kspm's runner
// does (manual checks, Meta.Requires, the coverage rule of Meta.Kinds, parameters resolved
// by check.ResolveParams, panics and returned errors become results, and a check that
// reports nothing gets one notApplicable result about no object, check.NothingReported), and
// reports every mismatch with t.Errorf, naming the case file, the object's line and the
// object. It does not import package kspm, so checks in packages that kspm imports can use
// it in their own tests.
package checktest

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Annotations that carry expectations in fixtures.
const (
	// AnnotationExpect is the status the check must report about the object, or "none".
	AnnotationExpect = "kspm.dev/expect"
	// AnnotationExpectMessage is a substring of the message of one of the object's results.
	AnnotationExpectMessage = "kspm.dev/expect-message"
	// AnnotationExpectField is the field path of one of the object's results.
	AnnotationExpectField = "kspm.dev/expect-field"
	// AnnotationExpectCluster is the status of a result about no object that the case
	// expects; any object of the case may carry it.
	AnnotationExpectCluster = "kspm.dev/expect-cluster"
	// AnnotationExpectClusterMessage is a substring of that result's message.
	AnnotationExpectClusterMessage = "kspm.dev/expect-cluster-message"
)

// ExpectNone is the AnnotationExpect value for an object that must get no result.
const ExpectNone = "none"

// Option configures Run and RunInventory.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	params map[string]any
}

// WithParams runs the check with the given parameters (as kspm.WithParams does).
func WithParams(params map[string]any) Option {
	return optionFunc(func(c *config) { c.params = params })
}

// Run runs c over each fixture case in dir and checks its results against the expectations
// annotated on the fixtures, reporting mismatches through t. It returns every result, case
// by case in name order. A directory with no case, a fixture that does not load cleanly and
// an invalid check are fatal.
//
// When t is a *testing.T, each case runs as a subtest named after its file or directory.
func Run(t testing.TB, c check.Check, dir string, opts ...Option) []check.Result {
	t.Helper()
	if err := check.Validate([]check.Check{c}); err != nil {
		t.Fatalf("checktest: invalid check: %v", err)
	}
	cases, err := findCases(dir)
	if err != nil {
		t.Fatalf("checktest: %v", err)
	}
	if len(cases) == 0 {
		t.Fatalf("checktest: no fixtures in %s (want *.yaml, *.yml or *.json files, or directories of them)", dir)
	}
	var all []check.Result
	for _, fc := range cases {
		runCase := func(t testing.TB) {
			t.Helper()
			inv, err := inventory.LoadManifests(context.Background(), []string{fc.path})
			if err != nil {
				t.Fatalf("checktest: load %s: %v", fc.path, err)
			}
			for _, err := range inv.Errors() {
				t.Errorf("checktest: fixture: %v", err)
			}
			all = append(all, RunInventory(t, c, inv, opts...)...)
		}
		if tt, ok := t.(*testing.T); ok {
			tt.Run(fc.name, func(t *testing.T) { t.Helper(); runCase(t) })
		} else {
			runCase(t)
		}
	}
	return all
}

// RunInventory runs c over inv (for instance one built in code with inventory.NewBuilder,
// to set coverage) and checks its results against the expectations annotated on inv's
// objects, as Run does for one case. It returns the results in the runner's order.
func RunInventory(t testing.TB, c check.Check, inv *inventory.Inventory, opts ...Option) []check.Result {
	t.Helper()
	cfg := &config{}
	for _, o := range opts {
		o.apply(cfg)
	}
	findings := runCheck(context.Background(), inv, c, cfg)
	compare(t, inv, findings)
	meta := c.Meta()
	out := make([]check.Result, len(findings))
	for i, f := range findings {
		out[i] = check.NewResult(meta, f)
	}
	return out
}

type fixtureCase struct{ name, path string }

func findCases(dir string) ([]fixtureCase, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read fixtures: %w", err)
	}
	var cases []fixtureCase
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		switch ext := filepath.Ext(name); {
		case e.IsDir():
			cases = append(cases, fixtureCase{name: name, path: filepath.Join(dir, name)})
		case ext == ".yaml" || ext == ".yml" || ext == ".json":
			cases = append(cases, fixtureCase{name: strings.TrimSuffix(name, ext), path: filepath.Join(dir, name)})
		}
	}
	return cases, nil
}

// runCheck runs c over inv as package kspm's runner does and returns its findings, ordered
// by object.
func runCheck(ctx context.Context, inv *inventory.Inventory, c check.Check, cfg *config) []check.Finding {
	meta := c.Meta()
	if meta.Manual {
		return []check.Finding{{Status: check.StatusManual, Message: check.ManualMessage(meta)}}
	}
	if reason := inv.Unseen(meta.Requires...); reason != "" {
		return []check.Finding{{Status: check.StatusNotEvaluated, Message: "cannot be evaluated: " + reason}}
	}
	params, err := check.ResolveParams(c, cfg.params)
	if err != nil {
		return []check.Finding{{Status: check.StatusError, Message: err.Error(), Err: err}}
	}
	var findings []check.Finding
	pass := check.NewPass(inv, meta, params, func(f check.Finding) { findings = append(findings, f) })
	err = func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &check.PanicError{CheckID: meta.ID, Value: v, Stack: debug.Stack()}
			}
		}()
		return c.Run(ctx, pass)
	}()
	if reason := check.UnseenKinds(inv, meta.Kinds...); reason != "" && !slices.ContainsFunc(findings, func(f check.Finding) bool {
		return f.Object == nil && f.Status == check.StatusNotEvaluated
	}) {
		findings = append(findings, check.Finding{Status: check.StatusNotEvaluated, Message: check.NotSeenMessage(reason)})
	}
	slices.SortStableFunc(findings, compareFindings)
	if err == nil && len(findings) == 0 {
		findings = append(findings, check.Finding{Status: check.StatusNotApplicable, Message: check.NothingReported})
	}
	if err != nil {
		findings = append(findings, check.Finding{Status: check.StatusError, Message: err.Error(), Err: err})
	}
	return findings
}

func compareFindings(a, b check.Finding) int {
	switch {
	case a.Object == b.Object:
		return 0
	case a.Object == nil:
		return -1
	case b.Object == nil:
		return 1
	}
	ga, gb := a.Object.GroupKind(), b.Object.GroupKind()
	return cmp.Or(cmp.Compare(ga.Group, gb.Group), cmp.Compare(ga.Kind, gb.Kind),
		cmp.Compare(a.Object.Namespace(), b.Object.Namespace()),
		cmp.Compare(a.Object.Name(), b.Object.Name()))
}

// compare reports through t every difference between findings and the expectations
// annotated on inv's objects.
func compare(t testing.TB, inv *inventory.Inventory, findings []check.Finding) {
	t.Helper()
	byObject := make(map[*inventory.Object][]check.Finding)
	var cluster []check.Finding
	for _, f := range findings {
		if f.Object == nil {
			cluster = append(cluster, f)
		} else {
			byObject[f.Object] = append(byObject[f.Object], f)
		}
	}
	clusterStatus := make(map[check.Status]bool)
	for _, f := range cluster {
		clusterStatus[f.Status] = true
	}
	// Statuses of cluster results accounted for by expectations.
	expectedCluster := make(map[check.Status]bool)
	seen := make(map[*inventory.Object]bool)

	for _, o := range inv.Objects() {
		ann := o.Meta().GetAnnotations()
		got := byObject[o]
		seen[o] = true
		where := describe(o)
		if s, ok := ann[AnnotationExpectCluster]; ok {
			status := check.Status(s)
			if !status.Valid() {
				t.Errorf("%s: invalid %s %q", where, AnnotationExpectCluster, s)
			} else {
				expectedCluster[status] = true
				checkCluster(t, where, status, ann[AnnotationExpectClusterMessage], cluster)
			}
		}
		want, ok := ann[AnnotationExpect]
		if !ok {
			for _, f := range got {
				t.Errorf("%s: unexpected %s result%s (annotate the object with %s)", where, f.Status, detail(f), AnnotationExpect)
			}
			continue
		}
		if want == ExpectNone {
			for _, f := range got {
				t.Errorf("%s: want no result, got %s%s", where, f.Status, detail(f))
			}
			continue
		}
		status := check.Status(want)
		if !status.Valid() {
			t.Errorf("%s: invalid %s %q (want a status or %q)", where, AnnotationExpect, want, ExpectNone)
			continue
		}
		if len(got) == 0 {
			if clusterStatus[status] {
				// The check's verdict about everything stands for the object's.
				expectedCluster[status] = true
				got = clusterResults(cluster, status)
			} else {
				t.Errorf("%s: want %s, got no result", where, status)
				continue
			}
		}
		for _, f := range got {
			if f.Status != status {
				t.Errorf("%s: want %s, got %s%s", where, status, f.Status, detail(f))
			}
		}
		if sub, ok := ann[AnnotationExpectMessage]; ok && !slices.ContainsFunc(got, func(f check.Finding) bool {
			return strings.Contains(f.Message, sub)
		}) {
			t.Errorf("%s: no result message contains %q; messages: %s", where, sub, messages(got))
		}
		if field, ok := ann[AnnotationExpectField]; ok && !slices.ContainsFunc(got, func(f check.Finding) bool {
			return f.Field == field
		}) {
			t.Errorf("%s: no result has field %q; fields: %s", where, field, fields(got))
		}
	}
	for o, fs := range byObject {
		if !seen[o] {
			for _, f := range fs {
				t.Errorf("%s: result about an object not in the inventory: %s%s", describe(o), f.Status, detail(f))
			}
		}
	}
	for _, f := range cluster {
		if !expectedCluster[f.Status] {
			t.Errorf("unexpected %s result about no object%s (annotate an object with %s: %s)",
				f.Status, detail(f), AnnotationExpectCluster, f.Status)
		}
	}
}

func checkCluster(t testing.TB, where string, status check.Status, sub string, cluster []check.Finding) {
	t.Helper()
	got := clusterResults(cluster, status)
	if len(got) == 0 {
		t.Errorf("%s: want a result about no object with status %s, got none; results about no object: %s", where, status, messages(cluster))
		return
	}
	if sub != "" && !slices.ContainsFunc(got, func(f check.Finding) bool { return strings.Contains(f.Message, sub) }) {
		t.Errorf("%s: no result about no object with status %s has a message containing %q; messages: %s", where, status, sub, messages(got))
	}
}

func clusterResults(cluster []check.Finding, status check.Status) []check.Finding {
	var out []check.Finding
	for _, f := range cluster {
		if f.Status == status {
			out = append(out, f)
		}
	}
	return out
}

func describe(o *inventory.Object) string {
	if src := o.Source().String(); src != "" {
		return src + ": " + o.String()
	}
	return o.String()
}

func detail(f check.Finding) string {
	var parts []string
	if f.Field != "" {
		parts = append(parts, "field "+f.Field)
	}
	if f.Message != "" {
		parts = append(parts, fmt.Sprintf("%q", f.Message))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func messages(fs []check.Finding) string {
	if len(fs) == 0 {
		return "none"
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%q", f.Message)
	}
	return strings.Join(out, ", ")
}

func fields(fs []check.Finding) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%q", f.Field)
	}
	return strings.Join(out, ", ")
}
