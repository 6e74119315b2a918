package workloads_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func TestBenchmarkValidates(t *testing.T) {
	b := workloads.Workloads()
	assert.Equal(t, "workloads", b.Name)
	assert.Equal(t, workloads.WorkloadsName, b.Name)
	require.NoError(t, b.Validate())
	require.NoError(t, check.Validate(b.Checks))
}

// TestBenchmarkChecks lints every control's metadata and layout: one file per control with
// a top comment saying what it inspects and what passes, its tests beside it, and fixtures.
func TestBenchmarkChecks(t *testing.T) {
	idPattern := regexp.MustCompile(`^workloads:[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	seen := make(map[string]bool)
	for _, c := range workloads.Workloads().Checks {
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
			assert.Equal(t, workloads.Section, m.Section, "reports group the controls under one section")
			assert.False(t, m.Manual)
			assert.Equal(t, m, c.Meta(), "Meta is stable")

			name := strings.TrimPrefix(m.ID, "workloads:")
			base := "check_" + strings.ReplaceAll(name, "-", "_")
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
	for _, c := range workloads.Workloads().Checks {
		ids[c.Meta().ID] = true
	}
	files, err := filepath.Glob("check_*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		id := "workloads:" + strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(f, "check_"), ".go"), "_", "-")
		assert.True(t, ids[id], "%s defines %s, which Workloads does not list", f, id)
	}
}

func TestBenchmarkIsFresh(t *testing.T) {
	a := workloads.Workloads()
	a.Checks[0] = nil
	a.Checks = a.Checks[:1]
	b := workloads.Workloads()
	require.Greater(t, len(b.Checks), 1)
	assert.NotNil(t, b.Checks[0])
}

func TestBenchmarkIsBundled(t *testing.T) {
	bs, err := kspm.SelectBenchmarks([]string{"workloads"})
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Equal(t, workloads.Workloads().Name, bs[0].Name)
	assert.Len(t, bs[0].Checks, len(workloads.Workloads().Checks))
	assert.Contains(t, kspm.DefaultBenchmarkNames(), "workloads", "the benchmark runs by default")
}

// corpusDir finds a folder of the shared test data (/work/shared/...) from the package
// directory, whatever the checkout's depth; "" when it is not there.
func corpusDir(t *testing.T, elem ...string) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	require.NoError(t, err)
	for {
		p := filepath.Join(append([]string{dir, "shared"}, elem...)...)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TestRealManifests runs the benchmark over the real manifests of the shared corpus: no
// check errors, each per-template check gives one result for every pod template, and every
// failure names its object, and a field for the pod controls.
func TestRealManifests(t *testing.T) {
	root := corpusDir(t, "corpus", "real")
	if root == "" {
		t.Skip("corpus not available")
	}
	if testing.Short() {
		t.Skip("corpus sweep skipped in -short mode")
	}
	inv, err := inventory.LoadManifests(context.Background(), []string{root})
	require.NoError(t, err)
	templates := len(inv.PodTemplates())
	require.Positive(t, templates, "the corpus holds workloads")

	results, err := kspm.Run(context.Background(), inv, workloads.Workloads().Checks)
	require.NoError(t, err)
	perCheck := make(map[string]int)
	for _, r := range results {
		require.NotEqual(t, check.StatusError, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
		if r.Object == nil {
			if r.Message != check.NothingReported {
				assert.Contains(t, []check.Status{check.StatusNotEvaluated, check.StatusPass}, r.Status, "%s: %s", r.CheckID, r.Message)
			}
			continue
		}
		perCheck[r.CheckID]++
		if r.Status == check.StatusFail {
			assert.NotEmpty(t, r.Message)
			if perTemplate[r.CheckID] {
				assert.NotEmpty(t, r.Field, "%s on %v: a failure names its field", r.CheckID, r.Object)
			}
		}
	}
	for id := range perTemplate {
		assert.Equal(t, templates, perCheck[id], "%s: one result per pod template", id)
	}
	t.Logf("%d objects, %d pod templates, %d results", inv.Len(), templates, len(results))
}

// perTemplate are the checks that give exactly one result per pod template (when every kind
// was seen).
var perTemplate = map[string]bool{
	"workloads:privileged": true, "workloads:host-namespaces": true, "workloads:host-path": true,
	"workloads:sensitive-host-path": true, "workloads:privileged-ports": true, "workloads:ssh-port": true,
	"workloads:root-group": true, "workloads:read-only-root-filesystem": true, "workloads:latest-tag": true,
	"workloads:image-digest": true, "workloads:image-pull-policy": true, "workloads:resource-requests": true,
	"workloads:resource-limits": true, "workloads:liveness-probe": true, "workloads:readiness-probe": true,
	"workloads:workload-default-sa": true, "workloads:missing-serviceaccount": true,
}
