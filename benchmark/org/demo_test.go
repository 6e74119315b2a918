package org_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/benchmark/org"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
)

// TestDemo runs the pack, with its default parameters (the demo's example organisation),
// over the demo inventory.
func TestDemo(t *testing.T) {
	charts, err := helm.New()
	require.NoError(t, err)
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("..", "..", "examples", "demo")},
		inventory.WithRenderer(charts))
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	results, err := kspm.Run(context.Background(), inv, org.Org().Checks)
	require.NoError(t, err)
	got := map[string]map[string]check.Status{}
	counts := map[string]map[check.Status]int{}
	for _, r := range results {
		require.NotEqual(t, check.StatusError, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
		if counts[r.CheckID] == nil {
			counts[r.CheckID] = map[check.Status]int{}
		}
		counts[r.CheckID][r.Status]++
		if r.Object != nil {
			if got[r.CheckID] == nil {
				got[r.CheckID] = map[string]check.Status{}
			}
			got[r.CheckID][r.Object.String()] = r.Status
		}
	}
	tests := []struct {
		id, object string
		want       check.Status
	}{
		{"org:allowed-registries", "Deployment payments/ledger-api", check.StatusPass},
		{"org:allowed-registries", "StatefulSet payments/payments-db", check.StatusFail}, // docker.io/library/postgres
		{"org:allowed-registries", "Deployment shop/cart", check.StatusFail},             // ghcr.io, docker.io
		{"org:allowed-registries", "Pod default/netshoot", check.StatusFail},
		{"org:no-latest-in-production", "Deployment shop/cart", check.StatusFail},
		{"org:no-latest-in-production", "Deployment shop/frontend", check.StatusPass},
		{"org:no-latest-in-production", "Deployment payments/ledger-api", check.StatusPass}, // by digest
		{"org:namespace-resource-quota", "Namespace payments", check.StatusPass},
		{"org:namespace-resource-quota", "Namespace legacy", check.StatusFail},
		{"org:namespace-resource-quota", "Namespace kube-system", check.StatusPass}, // exempt
		{"org:namespace-limit-range", "Namespace tools", check.StatusPass},
		{"org:namespace-limit-range", "Namespace shop", check.StatusFail},
		{"org:required-labels", "Deployment shop/frontend", check.StatusFail},
		{"org:loadbalancer-namespaces", "Service monitoring/grafana", check.StatusFail},
		{"org:loadbalancer-namespaces", "Service reports/report-ui", check.StatusFail},
		{"org:loadbalancer-namespaces", "Service shop/frontend", check.StatusPass},
		{"org:ingress-allowed-domains", "Ingress shop/storefront", check.StatusPass},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, got[tt.id][tt.object], "%s on %s", tt.id, tt.object)
	}
	// Objects the selectors and match conditions leave out get no result.
	for _, o := range []struct{ id, object string }{
		{"org:allowed-registries", "Pod kube-system/kube-apiserver-cp-1"},    // kube-system is not selected
		{"org:no-latest-in-production", "Pod default/netshoot"},              // not production
		{"org:required-labels", "ReplicaSet kube-system/coredns-5d9f8c7b6d"}, // managed by a Deployment
	} {
		_, judged := got[o.id][o.object]
		assert.False(t, judged, "%s on %s", o.id, o.object)
	}
	// Nothing is unknown in the demo: it holds every Namespace, ResourceQuota and LimitRange.
	for id, c := range counts {
		assert.Zero(t, c[check.StatusNotEvaluated], id)
		if id == "org:ingress-allowed-domains" {
			assert.Equal(t, map[check.Status]int{check.StatusPass: 5}, c, "every demo Ingress serves example.com")
			continue
		}
		assert.Positive(t, c[check.StatusFail], "%s fails somewhere in the demo", id)
		if id != "org:required-labels" { // no demo workload carries owner and team labels
			assert.Positive(t, c[check.StatusPass], "%s passes somewhere in the demo", id)
		}
	}
	assert.Len(t, counts, len(org.Org().Checks))
}

// TestDemoAdmissionFormsAgree runs each control that has an admission form twice over the
// demo: as kspm's CEL check, and as its ValidatingAdmissionPolicy, binding and params
// (vap/, applied to the demo by benchmark/admission, the API server's own code). Both forms
// must judge the same objects with the same verdicts: an object one form leaves out, the
// other leaves out too.
func TestDemoAdmissionFormsAgree(t *testing.T) {
	ctx := context.Background()
	charts, err := helm.New()
	require.NoError(t, err)
	demo := filepath.Join("..", "..", "examples", "demo")
	inv, err := inventory.LoadManifests(ctx, []string{demo}, inventory.WithRenderer(charts))
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	results, err := kspm.Run(ctx, inv, org.Org().Checks)
	require.NoError(t, err)
	cel := verdictsByObject(t, results, "org:")

	// The demo with every admission form beside it, as if applied to the cluster.
	forms := t.TempDir()
	withForms := 0
	for _, c := range org.Org().Checks {
		id := c.Meta().ID
		data, ok := org.AdmissionPolicyFile(id)
		if !ok {
			continue
		}
		withForms++
		require.NoError(t, os.WriteFile(filepath.Join(forms, strings.TrimPrefix(id, "org:")+".yaml"), data, 0o600))
	}
	require.Equal(t, 5, withForms, "every control but the two namespace ones has an admission form")
	both, err := inventory.LoadManifests(ctx, []string{demo, forms}, inventory.WithRenderer(charts))
	require.NoError(t, err)
	require.Empty(t, both.Errors())
	bm, err := admission.Policies(both)
	require.NoError(t, err)
	results, err = kspm.Run(ctx, both, bm.Checks)
	require.NoError(t, err)
	vap := verdictsByObject(t, results, admission.IDPrefix+"org-")

	for _, c := range org.Org().Checks {
		id := c.Meta().ID
		if _, ok := org.AdmissionPolicyFile(id); !ok {
			continue
		}
		policy := admission.IDPrefix + "org-" + strings.TrimPrefix(id, "org:")
		require.NotEmpty(t, cel[id], "%s judges something in the demo", id)
		assert.Equal(t, cel[id], vap[policy], "%s and %s", id, policy)
	}
}

// verdictsByObject returns, for each check whose ID has prefix, the status of each object it
// judged; it fails the test on a result that is neither pass nor fail, or on two results
// for one object.
func verdictsByObject(t *testing.T, results []check.Result, prefix string) map[string]map[string]check.Status {
	t.Helper()
	out := map[string]map[string]check.Status{}
	for _, r := range results {
		if !strings.HasPrefix(r.CheckID, prefix) || r.Object == nil {
			continue
		}
		require.Contains(t, []check.Status{check.StatusPass, check.StatusFail}, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
		if out[r.CheckID] == nil {
			out[r.CheckID] = map[string]check.Status{}
		}
		key := r.Object.String()
		_, dup := out[r.CheckID][key]
		require.False(t, dup, "%s: two results for %s", r.CheckID, key)
		out[r.CheckID][key] = r.Status
	}
	return out
}
