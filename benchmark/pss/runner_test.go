package pss_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/pss"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// replacements are the restricted checks that replace baseline ones at the versions below.
var replacements = map[string]string{
	"pss:capabilities_baseline":   "pss:capabilities_restricted",
	"pss:hostPathVolumes":         "pss:restrictedVolumes",
	"pss:seccompProfile_baseline": "pss:seccompProfile_restricted",
	"pss:procMount":               "pss:procMount_restricted",
}

// TestRunnerOnUpstreamFixtures loads whole upstream fixture directories at once and runs them
// through kspm.Run, the path the scanner takes.
func TestRunnerOnUpstreamFixtures(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/pod-security-admission").Output()
	require.NoError(t, err)
	root := filepath.Join(strings.TrimSpace(string(out)), "test", "testdata")
	tests := []struct {
		dir  string
		make func(...pss.Option) (benchmark.Benchmark, error)
		ver  string
	}{
		{"restricted/v1.24", pss.Restricted, "v1.24"},
		{"restricted/v1.37", pss.Restricted, "latest"},
		{"baseline/v1.37", pss.Baseline, "latest"},
		{"baseline/v1.10", pss.Baseline, "v1.10"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			b, err := tt.make(pss.WithVersion(tt.ver))
			require.NoError(t, err)
			ids := map[string]bool{}
			for _, c := range b.Checks {
				ids[c.Meta().ID] = true
			}
			for _, outcome := range []string{"pass", "fail"} {
				inv, err := inventory.LoadManifests(t.Context(), []string{filepath.Join(root, tt.dir, outcome)})
				require.NoError(t, err)
				require.Empty(t, inv.Errors())
				pods := inv.Pods()
				require.NotEmpty(t, pods)
				results, err := kspm.Run(t.Context(), inv, b.Checks, kspm.WithParallelism(2))
				require.NoError(t, err)
				require.Len(t, results, len(pods)*len(b.Checks), "one result per control and pod")
				failed := map[string][]string{}
				for _, r := range results {
					require.NotNil(t, r.Object)
					assert.Equal(t, "Pod", r.Object.Kind)
					assert.Equal(t, "default", r.Object.Namespace, "the loader puts namespaced objects in default")
					require.Contains(t, []check.Status{check.StatusPass, check.StatusFail}, r.Status, r.Message)
					if r.Status == check.StatusFail {
						failed[r.Object.Name] = append(failed[r.Object.Name], r.CheckID)
						assert.NotEmpty(t, r.Remediation)
						assert.NotEmpty(t, r.Message)
					}
				}
				for _, p := range pods {
					if outcome == "pass" {
						assert.Empty(t, failed[p.Name], "pass fixture %s", p.Name)
						continue
					}
					want := expectedFailure(p.Name, ids)
					assert.Contains(t, failed[p.Name], want, "fail fixture %s", p.Name)
				}
			}
		})
	}
}

// expectedFailure maps a fixture name (lower-cased check ID + number) to the control it must fail.
func expectedFailure(name string, ids map[string]bool) string {
	lower := controlIDLower(strings.TrimRight(name, "0123456789"))
	for id := range ids {
		if strings.ToLower(id) == lower {
			return id
		}
	}
	for base, repl := range replacements {
		if strings.ToLower(base) == lower && ids[repl] {
			return repl
		}
	}
	return "no control for " + name
}

// controlIDLower returns the lower-cased control ID of a lower-cased upstream check ID.
func controlIDLower(s string) string { return strings.ToLower(pss.IDPrefix) + s }

func TestScanManifests(t *testing.T) {
	inv, err := inventory.LoadManifests(t.Context(), []string{"testdata/cluster"})
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	restricted, err := pss.Restricted(pss.WithVersion("v1.24"))
	require.NoError(t, err)
	// At one version the two levels share the baseline controls; at different versions they
	// are different checks with the same IDs, which a scan rejects.
	baseline, err := pss.Baseline(pss.WithVersion("v1.24"))
	require.NoError(t, err)
	latest, err := pss.Baseline()
	require.NoError(t, err)
	_, err = kspm.Scan(t.Context(), inv, []benchmark.Benchmark{latest, restricted})
	require.ErrorIs(t, err, kspm.ErrInvalidChecks)
	namespaces, err := pss.Namespaces()
	require.NoError(t, err)
	rep, err := kspm.Scan(t.Context(), inv, []benchmark.Benchmark{baseline, restricted, namespaces})
	require.NoError(t, err)

	type key struct{ id, obj string }
	got := map[key]check.Result{}
	for _, r := range rep.Results {
		obj := ""
		if r.Object != nil {
			obj = r.Object.String()
		}
		got[key{r.CheckID, obj}] = r
	}
	status := func(id, obj string) check.Status { return got[key{id, obj}].Status }

	assert.Equal(t, check.StatusFail, status("pss:hostPathVolumes", "Deployment shop/builder"))
	assert.Equal(t, check.StatusFail, status("pss:restrictedVolumes", "Deployment shop/builder"))
	assert.Equal(t, check.StatusPass, status("pss:restrictedVolumes", "CronJob payments/report"),
		"a volume with no source is an emptyDir")
	assert.Equal(t, check.StatusPass, status("pss:runAsNonRoot", "CronJob payments/report"))
	assert.Equal(t, check.StatusFail, status("pss:runAsUser", "Pod legacy/toolbox"))
	assert.Equal(t, "spec.containers[0].securityContext.runAsUser", got[key{"pss:runAsUser", "Pod legacy/toolbox"}].Field)
	assert.Equal(t, check.StatusFail, status("pss:privileged", "DaemonSet kube-system/kube-proxy"))

	assert.Equal(t, check.StatusNotApplicable, status(pss.NamespaceEnforceLabelID, "Namespace kube-system"))
	assert.Equal(t, check.StatusFail, status(pss.NamespaceEnforceLabelID, "Namespace legacy"))
	assert.Equal(t, check.StatusPass, status(pss.NamespaceEnforceLabelID, "Namespace shop"))
	assert.Equal(t, check.StatusFail, status(pss.NamespaceViolationsID, "Deployment shop/builder"))
	assert.Equal(t, check.StatusPass, status(pss.NamespaceViolationsID, "Deployment shop/web"))
	assert.Equal(t, check.StatusFail, status(pss.NamespaceWarnViolationsID, "Deployment shop/web"))
	assert.Equal(t, check.StatusPass, status(pss.NamespaceViolationsID, "CronJob payments/report"))
	assert.Equal(t, check.StatusNotApplicable, status(pss.NamespaceViolationsID, "Pod legacy/toolbox"))
	assert.Equal(t, check.High, got[key{pss.NamespaceViolationsID, "Deployment shop/builder"}].Severity)

	// The JSON a scanner prints carries the control, the verdict and the workload.
	data, err := json.Marshal(rep)
	require.NoError(t, err)
	var doc struct {
		Results []struct {
			CheckID string `json:"checkID"`
			Status  string `json:"status"`
			Object  struct {
				Kind, Namespace, Name string
			} `json:"object"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	var seen bool
	for _, r := range doc.Results {
		if r.CheckID == "pss:allowPrivilegeEscalation" && r.Object.Name == "web" {
			seen = true
			assert.Equal(t, "fail", r.Status)
			assert.Equal(t, "Deployment", r.Object.Kind)
			assert.Equal(t, "shop", r.Object.Namespace)
		}
	}
	assert.True(t, seen)
}

func TestNamespaceLabelNeedsNamespaces(t *testing.T) {
	inv, err := inventory.LoadManifests(t.Context(), []string{"testdata/cluster/workloads.yaml"})
	require.NoError(t, err)
	b, err := pss.Namespaces()
	require.NoError(t, err)
	results, err := kspm.Run(t.Context(), inv, b.Checks)
	require.NoError(t, err)
	var label []check.Result
	for _, r := range results {
		switch r.CheckID {
		case pss.NamespaceEnforceLabelID:
			label = append(label, r)
		default:
			assert.Equal(t, check.StatusNotEvaluated, r.Status, "%s %s", r.CheckID, r.Object)
			assert.Contains(t, r.Message, "is not in the inventory")
		}
	}
	require.Len(t, label, 1)
	assert.Equal(t, check.StatusNotEvaluated, label[0].Status)
	assert.Contains(t, label[0].Message, "namespaces absent")
}
