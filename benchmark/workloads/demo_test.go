package workloads_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
)

// TestDemo checks the verdicts the demo inventory (examples/demo, workloads.yaml and the
// rest) was built to produce, as its README describes them.
func TestDemo(t *testing.T) {
	charts, err := helm.New()
	require.NoError(t, err)
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("..", "..", "examples", "demo")},
		inventory.WithRenderer(charts)) // the demo holds a chart
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	results, err := kspm.Run(context.Background(), inv, workloads.Workloads().Checks)
	require.NoError(t, err)
	got := map[string]map[string]check.Status{}
	for _, r := range results {
		require.NotEqual(t, check.StatusError, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
		if r.Object == nil {
			continue
		}
		if got[r.CheckID] == nil {
			got[r.CheckID] = map[string]check.Status{}
		}
		got[r.CheckID][r.Object.String()] = r.Status
	}
	for _, c := range workloads.Workloads().Checks {
		id := c.Meta().ID
		if id == "workloads:allowed-registries" || id == "workloads:default-sa-automount" ||
			id == "workloads:naked-pod" || id == "workloads:default-namespace" {
			continue // no registries configured; not about the Deployment
		}
		assert.Equal(t, check.StatusPass, got[id]["Deployment tools/report"], "%s: the hardened report service passes", id)
	}
	tests := []struct {
		id, object string
		want       check.Status
	}{
		{"workloads:ssh-port", "Deployment tools/sftp", check.StatusFail},
		{"workloads:privileged-ports", "Deployment tools/sftp", check.StatusFail},
		{"workloads:liveness-probe", "Deployment tools/sftp", check.StatusFail},
		{"workloads:root-group", "Deployment tools/sftp", check.StatusFail},
		{"workloads:read-only-root-filesystem", "Deployment tools/sftp", check.StatusFail},
		{"workloads:missing-serviceaccount", "Deployment tools/sftp", check.StatusNotEvaluated},
		{"workloads:resource-limits", "Deployment tools/sftp", check.StatusPass}, // from the LimitRange
		{"workloads:resource-limits", "Deployment payments/ledger-api", check.StatusFail},
		{"workloads:resource-requests", "Pod default/netshoot", check.StatusFail},
		{"workloads:sensitive-host-path", "Deployment legacy/jenkins", check.StatusFail},
		{"workloads:sensitive-host-path", "DaemonSet monitoring/node-exporter", check.StatusFail},
		{"workloads:image-digest", "Deployment payments/ledger-api", check.StatusPass},
		{"workloads:naked-pod", "Pod default/netshoot", check.StatusFail},
		{"workloads:naked-pod", "Pod kube-system/kube-apiserver-cp-1", check.StatusNotApplicable},
		{"workloads:naked-pod", "Pod kube-system/coredns-5d9f8c7b6d-k2x8p", check.StatusPass},
		{"workloads:liveness-probe", "Job dev/schema-migrate", check.StatusNotApplicable},
		{"workloads:default-namespace", "Pod default/netshoot", check.StatusFail},
		{"workloads:default-namespace", "ConfigMap default/app-settings", check.StatusFail},
		{"workloads:default-namespace", "ConfigMap default/kube-root-ca.crt", ""},
		{"workloads:default-namespace", "Service default/kubernetes", ""},
		{"workloads:default-namespace", "ServiceAccount default/default", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, got[tt.id][tt.object], "%s on %s", tt.id, tt.object)
	}
}
