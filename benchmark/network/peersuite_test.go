package network_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/network"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestPeerSuite runs network:namespace-default-deny over the fixtures of kubescape
// regolibrary's internal-networking rule (the shared peer suite, read in place, never copied)
// and checks kspm's verdict on each fixture's Namespace, recording where it differs from the
// peer's and why. Each fixture is the whole cluster of its case, so it is loaded as complete
// input.
func TestPeerSuite(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "peersuite", "fixtures", "regolibrary", "internal-networking")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("peer suite not available at %s: %v", dir, err)
	}
	cilium := "kspm does not model Cilium policies: a namespace they may cover gets no verdict on half the picture"
	for _, tt := range []struct {
		fixture     string
		peer        check.Status // the peer's expected verdict
		kspm        check.Status
		disagreeing string // why kspm differs, when it does
	}{
		{"namespace-failed.yaml", check.StatusFail, check.StatusFail, ""},
		{"namespace-passed.yaml", check.StatusPass, check.StatusFail,
			"the peer asks for any NetworkPolicy in the namespace; kspm for default-deny (an empty podSelector), and this " +
				"policy selects purpose=demonstrate-command only"},
		{"namespace-cnp-passed.yaml", check.StatusPass, check.StatusNotEvaluated, cilium},
		{"namespace-ccnp-passed.yaml", check.StatusPass, check.StatusNotEvaluated, cilium},
		{"namespace-ccnp-specs-passed.yaml", check.StatusPass, check.StatusNotEvaluated, cilium},
		{"namespace-ccnp-match-expressions-selective-failed.yaml", check.StatusFail, check.StatusNotEvaluated, cilium},
	} {
		t.Run(tt.fixture, func(t *testing.T) {
			inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join(dir, tt.fixture)}, inventory.WithCompleteInput())
			require.NoError(t, err)
			c := findCheck(t, "network:namespace-default-deny")
			results, err := kspm.Run(context.Background(), inv, []check.Check{c})
			require.NoError(t, err)
			var got check.Status
			for _, r := range results {
				if r.Object != nil && r.Object.String() == "Namespace test" {
					got = r.Status
				}
			}
			assert.Equal(t, tt.kspm, got, "%+v", results)
			if tt.kspm != tt.peer {
				assert.NotEmpty(t, tt.disagreeing, "a disagreement with the peer says why")
				t.Logf("peer %s, kspm %s: %s", tt.peer, got, tt.disagreeing)
			}
		})
	}
}

// TestRealManifests runs the benchmark over the real manifests of the shared corpus (charts,
// kustomize bases and examples of real projects): no check errors, and each per-template
// check gives one result for every pod template.
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
	require.Positive(t, templates)
	results, err := kspm.Run(context.Background(), inv, network.Network().Checks)
	require.NoError(t, err)
	perCheck := make(map[string]int)
	for _, r := range results {
		require.NotEqual(t, check.StatusError, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
		if r.Object != nil {
			perCheck[r.CheckID]++
		}
	}
	for _, id := range []string{"network:workload-ingress-isolation", "network:workload-egress-isolation", "network:reachable-from-all-namespaces"} {
		assert.Equal(t, templates, perCheck[id], "%s: one result per pod template", id)
	}
	t.Logf("%d objects, %d pod templates, %d results", inv.Len(), templates, len(results))
}
