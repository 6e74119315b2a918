package checktest_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func hostNetworkCheck(t testing.TB) check.Check {
	t.Helper()
	c, err := check.CEL(check.CELSpec{
		Meta: check.Meta{ID: "custom:host-network", Title: "Pods do not use the host network",
			Severity: check.High, Remediation: "Remove hostNetwork."},
		PodTemplates: true,
		Expression:   "podSpec.?hostNetwork.orValue(false) == false",
		Message:      "object.kind + ' ' + object.metadata.name + ' uses the host network'",
	})
	require.NoError(t, err)
	return c
}

func netpolCheck(t testing.TB) check.Check {
	t.Helper()
	c, err := check.CEL(check.CELSpec{
		Meta: check.Meta{ID: "custom:netpol", Title: "Namespaces have a NetworkPolicy", Severity: check.Medium,
			Remediation: "Add one.", Kinds: []schema.GroupKind{inventory.KindNamespace},
			Requires: []schema.GroupKind{inventory.KindNetworkPolicy}},
		Expression: "inventory.list('NetworkPolicy', object.metadata.name).size() > 0",
		Message:    "'namespace ' + object.metadata.name + ' has no NetworkPolicy'",
	})
	require.NoError(t, err)
	return c
}

func TestRun(t *testing.T) {
	t.Run("pod templates", func(t *testing.T) {
		results := checktest.Run(t, hostNetworkCheck(t), filepath.Join("testdata", "hostnetwork"))
		assert.Len(t, results, 3)
	})
	t.Run("cross-object check with requires", func(t *testing.T) {
		results := checktest.Run(t, netpolCheck(t), filepath.Join("testdata", "netpol"))
		var statuses []check.Status
		for _, r := range results {
			statuses = append(statuses, r.Status)
		}
		// Cases in name order: covered/, no-policies.yaml, uncovered.yaml.
		assert.Equal(t, []check.Status{check.StatusPass, check.StatusNotEvaluated, check.StatusFail, check.StatusPass}, statuses)
	})
}

// recorder is a testing.TB that records what a test reports instead of failing.
type recorder struct {
	testing.TB
	errs  []string
	fatal bool
}

type fatalPanic struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	panic(fatalPanic{})
}

func record(fn func(t testing.TB)) (r *recorder) {
	r = &recorder{}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(fatalPanic); !ok {
				panic(v)
			}
		}
	}()
	fn(r)
	return r
}

func TestRunReportsMismatches(t *testing.T) {
	dir := filepath.Join("testdata", "mismatch")
	r := record(func(tb testing.TB) { checktest.Run(tb, hostNetworkCheck(t), dir) })
	require.False(t, r.fatal)
	sort.Strings(r.errs)
	file := filepath.Join(dir, "wrong.yaml")
	assert.Equal(t, []string{
		file + `:13: Pod shop/unannotated: unexpected pass result (field spec) (annotate the object with kspm.dev/expect)`,
		file + `:21: Pod shop/wrong-message: no result has field "spec.hostPID"; fields: "spec"`,
		file + `:21: Pod shop/wrong-message: no result message contains "privileged"; messages: "Pod wrong-message uses the host network"`,
		file + `:2: Pod shop/wrong-status: want pass, got fail (field spec, "Pod wrong-status uses the host network")`,
		file + `:34: ConfigMap shop/never-checked: want a result about no object with status error, got none; results about no object: none`,
		file + `:34: ConfigMap shop/never-checked: want fail, got no result`,
		file + `:43: Pod shop/bad-annotation: invalid kspm.dev/expect "failed" (want a status or "none")`,
	}, r.errs)
}

func TestRunFatalProblems(t *testing.T) {
	tests := []struct {
		name string
		c    check.Check
		dir  string
		want string
	}{
		{"no fixtures", hostNetworkCheck(t), t.TempDir(), "checktest: no fixtures in"},
		{"missing directory", hostNetworkCheck(t), filepath.Join("testdata", "missing"), "checktest: read fixtures"},
		{"invalid check", check.New(check.Meta{ID: "x"}, nil), filepath.Join("testdata", "hostnetwork"), "checktest: invalid check: check x: empty title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record(func(tb testing.TB) { checktest.Run(tb, tt.c, tt.dir) })
			assert.True(t, r.fatal)
			require.NotEmpty(t, r.errs)
			assert.Contains(t, r.errs[0], tt.want)
		})
	}
}

func TestRunInventory(t *testing.T) {
	meta := check.Meta{ID: "custom:go", Title: "Go check", Severity: check.Low, Remediation: "None."}
	ns := func(name string, ann map[string]string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: ann}}
	}
	t.Run("cluster-wide verdicts and errors", func(t *testing.T) {
		boom := errors.New("boom")
		c := check.New(meta, func(ctx context.Context, pass *check.Pass) error {
			pass.NotApplicable(nil, "managed control plane")
			return boom
		})
		inv, err := inventory.New(ns("a", map[string]string{
			checktest.AnnotationExpectCluster:        "notApplicable",
			checktest.AnnotationExpectClusterMessage: "managed",
		}))
		require.NoError(t, err)
		r := record(func(tb testing.TB) { checktest.RunInventory(tb, c, inv) })
		assert.Equal(t, []string{`unexpected error result about no object ("boom") (annotate an object with kspm.dev/expect-cluster: error)`}, r.errs)
	})
	t.Run("panics become error results", func(t *testing.T) {
		c := check.New(meta, func(ctx context.Context, pass *check.Pass) error { panic("oops") })
		inv, err := inventory.New(ns("a", map[string]string{checktest.AnnotationExpectCluster: "error",
			checktest.AnnotationExpectClusterMessage: "check custom:go panicked: oops"}))
		require.NoError(t, err)
		results := checktest.RunInventory(t, c, inv)
		require.Len(t, results, 1)
		assert.Equal(t, check.StatusError, results[0].Status)
	})
	t.Run("params reach the check", func(t *testing.T) {
		m := meta
		m.Params = []check.Param{{Name: "strict", Type: check.ParamBool}}
		c := check.New(m, func(ctx context.Context, pass *check.Pass) error {
			for _, o := range pass.Inventory.Objects() {
				if pass.Params["strict"] == true {
					pass.Fail(o, "", "strict")
				} else {
					pass.Pass(o, "")
				}
			}
			return nil
		})
		inv, err := inventory.New(ns("a", map[string]string{checktest.AnnotationExpect: "fail"}))
		require.NoError(t, err)
		checktest.RunInventory(t, c, inv, checktest.WithParams(map[string]any{"strict": true}))
	})
	t.Run("manual checks", func(t *testing.T) {
		m := meta
		m.Manual = true
		inv, err := inventory.New(ns("a", map[string]string{checktest.AnnotationExpect: "manual"}))
		require.NoError(t, err)
		results := checktest.RunInventory(t, check.New(m, nil), inv)
		require.Len(t, results, 1)
		assert.Equal(t, check.StatusManual, results[0].Status)
	})
}

// checktest runs a check as the runner does: the coverage rule of Meta.Kinds and the
// parameters a Go check declares hold here too.
func TestRunInventoryLikeTheRunner(t *testing.T) {
	t.Run("kinds not seen completely", func(t *testing.T) {
		m := check.Meta{ID: "custom:deploy", Title: "Deployments", Severity: check.Low, Remediation: "None.",
			Kinds: []schema.GroupKind{inventory.KindDeployment}}
		c := check.New(m, func(ctx context.Context, pass *check.Pass) error {
			for _, o := range pass.Inventory.ByKind(inventory.KindDeployment) {
				pass.Fail(o, "", "bad")
			}
			return nil
		})
		b := inventory.NewBuilder(inventory.ModeCluster)
		require.NoError(t, b.Add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Annotations: map[string]string{
			checktest.AnnotationExpectCluster: "notEvaluated", checktest.AnnotationExpectClusterMessage: "deployments forbidden",
		}}}, inventory.Source{}))
		b.SetCoverage(inventory.Coverage{Group: "apps", Kind: "Deployment", State: inventory.Forbidden})
		results := checktest.RunInventory(t, c, b.Build())
		require.Len(t, results, 1)
		assert.Equal(t, check.StatusNotEvaluated, results[0].Status)
	})
	t.Run("declared params", func(t *testing.T) {
		m := check.Meta{ID: "custom:max", Title: "Max", Severity: check.Low, Remediation: "None.",
			Params: []check.Param{{Name: "max", Type: check.ParamInt, Default: 2}}}
		var got any
		c := check.New(m, func(ctx context.Context, pass *check.Pass) error {
			got = pass.Params["max"]
			return nil
		})
		inv, err := inventory.New(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Annotations: map[string]string{
			checktest.AnnotationExpectCluster: "notApplicable", checktest.AnnotationExpectClusterMessage: check.NothingReported,
		}}})
		require.NoError(t, err)
		checktest.RunInventory(t, c, inv)
		assert.Equal(t, 2, got, "the default")
		checktest.RunInventory(t, c, inv, checktest.WithParams(map[string]any{"max": float64(4)}))
		assert.Equal(t, 4, got, "converted to the declared type")
		r := record(func(tb testing.TB) {
			checktest.RunInventory(tb, c, inv, checktest.WithParams(map[string]any{"mx": 4}))
		})
		require.Len(t, r.errs, 2, "no notApplicable result: the check did not run")
		assert.Contains(t, r.errs[1], `unknown parameter \"mx\"`)
	})
	t.Run("a check that reports nothing", func(t *testing.T) {
		m := check.Meta{ID: "custom:silent", Title: "Silent", Severity: check.Low, Remediation: "None."}
		c := check.New(m, func(ctx context.Context, pass *check.Pass) error { return nil })
		inv, err := inventory.New(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}})
		require.NoError(t, err)
		r := record(func(tb testing.TB) { checktest.RunInventory(tb, c, inv) })
		assert.Equal(t, []string{`unexpected notApplicable result about no object ("` + check.NothingReported +
			`") (annotate an object with kspm.dev/expect-cluster: notApplicable)`}, r.errs, "visible, as the runner makes it")
	})
}
