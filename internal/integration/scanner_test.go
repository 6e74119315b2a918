//go:build integration

package integration

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// TestScannerEndToEnd runs examples/scan against the test cluster with --kubeconfig.
func TestScannerEndToEnd(t *testing.T) {
	cs := adminClient(t)
	ns := newNamespace(t, cs, "e2e")
	pod := createPrivilegedPod(t, cs, ns)

	t.Run("json report", func(t *testing.T) {
		stdout, stderr, code := runScanner(t, "--kubeconfig", cluster.AdminKubeconfig, "-o", "json")
		require.Equal(t, 0, code, "exit 0: the scan ran, no --fail-on; stderr:\n%s", stderr)
		var rep report.Report
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		assert.Equal(t, report.SchemaVersion, rep.SchemaVersion)
		assert.Equal(t, inventory.ModeCluster, rep.Inventory.Mode)
		assert.Equal(t, []string{cluster.URL}, rep.Inventory.Sources)
		assert.Equal(t, "v1.37.2", rep.Inventory.ServerVersion, "the server's version, which caps 'latest' PSS policies")
		assert.Empty(t, rep.Inventory.Errors)
		assert.Len(t, rep.Inventory.Coverage, len(inventory.BuiltinKinds())+len(inventory.OtherNetworkPolicyKinds()),
			"every built-in kind, and the CNI plugins' policy kinds (whether the server serves them)")
		for _, c := range rep.Inventory.Coverage {
			assert.True(t, c.State == inventory.Listed || c.State == inventory.NotServed, "%s: %s", c.Kind, c.State)
		}
		assert.Equal(t, len(rep.Results), rep.Summary.Total)
		assert.Positive(t, rep.Summary.ByStatus[check.StatusPass])

		var privileged []string
		for _, r := range rep.Results {
			if r.Object != nil && r.Object.String() == pod && r.CheckID == "workloads:privileged" {
				privileged = append(privileged, string(r.Status))
			}
		}
		assert.Equal(t, []string{"fail"}, privileged, "the privileged pod fails workloads:privileged")
	})

	t.Run("fail-on", func(t *testing.T) {
		_, stderr, code := runScanner(t, "--kubeconfig", cluster.AdminKubeconfig, "-b", "workloads", "-o", "json", "--fail-on", "critical")
		assert.Equal(t, 1, code, "a critical failure reaches --fail-on critical; stderr:\n%s", stderr)
	})

	t.Run("table", func(t *testing.T) {
		stdout, stderr, code := runScanner(t, "--kubeconfig", cluster.AdminKubeconfig, "-b", "workloads")
		assert.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, pod)
		assert.Contains(t, stdout, "workloads:privileged")
	})

	t.Run("missing kubeconfig", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope")
		stdout, stderr, code := runScanner(t, "--kubeconfig", missing)
		assert.Equal(t, 2, code)
		assert.Empty(t, stdout)
		assert.True(t, strings.Contains(stderr, missing) && strings.Contains(stderr, "does not exist"), stderr)
	})
}
