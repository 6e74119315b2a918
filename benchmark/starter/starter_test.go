package starter_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/starter"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func TestBenchmarkValidates(t *testing.T) {
	b := starter.Starter()
	assert.Equal(t, "starter", b.Name)
	assert.Equal(t, "kspm workload and cluster hygiene", b.Title)
	require.NoError(t, b.Validate())
	require.NoError(t, check.Validate(b.Checks))
}

func TestBenchmarkChecks(t *testing.T) {
	idPattern := regexp.MustCompile(`^starter:[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	seen := make(map[string]bool)
	for _, c := range starter.Starter().Checks {
		m := c.Meta()
		t.Run(m.ID, func(t *testing.T) {
			assert.Regexp(t, idPattern, m.ID)
			assert.False(t, seen[m.ID], "duplicate ID")
			seen[m.ID] = true
			assert.NotEmpty(t, m.Title)
			assert.NotEmpty(t, m.Description)
			assert.Contains(t, m.Description, "Passes when", "the description says what passes")
			assert.True(t, m.Severity.Valid())
			assert.NotEmpty(t, m.Remediation)
			assert.NotEmpty(t, m.References)
			assert.NotEmpty(t, m.Kinds)
			assert.Equal(t, starter.Section, m.Section, "reports group the controls under one section")
			assert.False(t, m.Manual)
			assert.Equal(t, m, c.Meta(), "Meta is stable")

			// One control per file, with its tests beside it, and a top comment that names it.
			base := "check_" + strings.ReplaceAll(strings.TrimPrefix(m.ID, "starter:"), "-", "_")
			src, err := os.ReadFile(base + ".go")
			require.NoError(t, err, "the control lives in %s.go", base)
			top, _, _ := strings.Cut(string(src), "\n\npackage ")
			assert.True(t, strings.HasPrefix(top, "// "+m.ID+" inspects "), "%s.go starts with a comment on what %s inspects", base, m.ID)
			assert.Contains(t, top, "passes", "%s.go's top comment says what passes", base)
			_, err = os.Stat(base + "_test.go")
			assert.NoError(t, err, "the control has a test file %s_test.go", base)
		})
	}
}

// TestEveryCheckFileIsInTheBenchmark catches a control written but not listed.
func TestEveryCheckFileIsInTheBenchmark(t *testing.T) {
	ids := make(map[string]bool)
	for _, c := range starter.Starter().Checks {
		ids[c.Meta().ID] = true
	}
	files, err := filepath.Glob("check_*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		id := "starter:" + strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(f, "check_"), ".go"), "_", "-")
		assert.True(t, ids[id], "%s defines %s, which Starter does not list", f, id)
	}
}

func TestBenchmarkIsFresh(t *testing.T) {
	a := starter.Starter()
	a.Checks[0] = nil
	a.Checks = a.Checks[:1]
	b := starter.Starter()
	require.Greater(t, len(b.Checks), 1)
	assert.NotNil(t, b.Checks[0])
}

func TestBenchmarkIsBundled(t *testing.T) {
	bs, err := kspm.SelectBenchmarks([]string{"starter"})
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Equal(t, starter.Starter().Name, bs[0].Name)
	assert.Len(t, bs[0].Checks, len(starter.Starter().Checks))
}

// perTemplate are the checks that give exactly one result per pod template (when every kind
// was seen).
var perTemplate = []string{"starter:privileged", "starter:host-namespaces", "starter:host-path", "starter:latest-tag",
	"starter:secrets-in-env", "starter:workload-default-sa"}

// TestRealManifests runs the benchmark over the real manifests of the shared corpus: no
// check errors, each per-template check gives one result for every pod template, and every
// failure of a workload check points at a field.
func TestRealManifests(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "corpus", "real")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not available at %s: %v", root, err)
	}
	if testing.Short() {
		t.Skip("corpus sweep skipped in -short mode")
	}
	inv, err := inventory.LoadManifests(context.Background(), []string{root})
	require.NoError(t, err)
	templates := len(inv.PodTemplates())
	require.Positive(t, templates, "the corpus holds workloads")

	results, err := kspm.Run(context.Background(), inv, starter.Starter().Checks)
	require.NoError(t, err)
	perCheck := make(map[string]int)
	for _, r := range results {
		require.NotEqual(t, check.StatusError, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
		if r.Object == nil {
			// Documents of the corpus that fail to load leave their kinds incomplete: the
			// checks say so once, about no object. A check with nothing to look at (no
			// default service account in the manifests) says that.
			if r.Message != check.NothingReported {
				assert.Equal(t, check.StatusNotEvaluated, r.Status, "%s: %s", r.CheckID, r.Message)
			}
			continue
		}
		perCheck[r.CheckID]++
		if r.Status == check.StatusFail {
			assert.NotEmpty(t, r.Message)
			assert.NotNil(t, r.Object, "%s: a failure names its object", r.CheckID)
			assert.NotEmpty(t, r.Field, "%s on %v: a failure names its field", r.CheckID, r.Object)
		}
	}
	for _, id := range perTemplate {
		assert.Equal(t, templates, perCheck[id], "%s: one result per pod template", id)
	}
	t.Logf("%d objects, %d pod templates, %d results", inv.Len(), templates, len(results))
}

// BenchmarkStarter runs the whole benchmark over 100,000 workloads in 1,000 namespaces.
func BenchmarkStarter(b *testing.B) {
	const n, namespaces = 100_000, 1_000
	objs := make([]runtime.Object, 0, n+2*namespaces)
	for i := range namespaces {
		ns := fmt.Sprintf("ns-%04d", i)
		objs = append(objs, &corev1.Namespace{ObjectMeta: meta("", ns)}, serviceAccount(ns, "default", nil))
	}
	for i := range n {
		spec := corev1.PodSpec{Containers: []corev1.Container{ctr("app", "app:1"), privileged(ctr("side", "side"), i%7 == 0)}}
		objs = append(objs, deployment(fmt.Sprintf("ns-%04d", i%namespaces), fmt.Sprintf("d-%06d", i), spec))
	}
	inv, err := inventory.New(objs...)
	require.NoError(b, err)
	checks := starter.Starter().Checks
	b.ResetTimer()
	for range b.N {
		results, err := kspm.Run(context.Background(), inv, checks)
		require.NoError(b, err)
		require.Greater(b, len(results), 6*n)
	}
}
