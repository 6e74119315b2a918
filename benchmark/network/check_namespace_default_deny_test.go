package network_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// The fixtures hold default-deny per direction, allow rules that undo it, exempt namespaces,
// workloads without a Namespace object, and the policy kinds of CNI plugins and of the
// Network Policy API beside NetworkPolicies: a namespace they may cover is not evaluated,
// never failed or passed.
func TestNamespaceDefaultDenyFixtures(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	checktest.Run(t, c, filepath.Join("testdata", "namespace-default-deny"))
	params := filepath.Join("testdata", "namespace-default-deny-params")
	checktest.Run(t, c, filepath.Join(params, "ingress-only"), checktest.WithParams(map[string]any{"policyTypes": []string{"Ingress"}}))
	checktest.Run(t, c, filepath.Join(params, "exempt"), checktest.WithParams(map[string]any{"exemptNamespaces": "sandbox"}))
}

// Listed from a cluster: no NetworkPolicy at all is a verdict; CNI policy kinds served but
// not read, or listed in the namespace, leave it not evaluated.
func TestNamespaceDefaultDenyCluster(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	dir := filepath.Join("testdata", "namespace-default-deny-cluster")
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "none.yaml")))
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "cni-served.yaml"), inventory.Coverage{Group: "cilium.io",
		Kind: "CiliumNetworkPolicy", State: inventory.Absent,
		Reason: "the server serves ciliumnetworkpolicies.cilium.io (v2), but the loader does not list custom resources"}))
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "cni-listed.yaml"),
		inventory.Coverage{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Listed}))
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "namespaces-forbidden.yaml"),
		inventory.Coverage{Kind: "Namespace", State: inventory.Forbidden, Reason: "no"}))
}

// With no complete knowledge of NetworkPolicies, "no policy" cannot be told from "not seen":
// the check is not evaluated at all, never failed or passed.
func TestNamespaceDefaultDenyNotEvaluated(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	require.Contains(t, c.Meta().Requires, inventory.KindNetworkPolicy)
	path := filepath.Join("testdata", "namespace-default-deny-cluster", "none.yaml")
	manifests, err := inventory.LoadManifests(context.Background(), []string{path})
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		inv  *inventory.Inventory
		want string
	}{
		{"forbidden in a cluster", loadCluster(t, path, inventory.Coverage{Group: "networking.k8s.io", Kind: "NetworkPolicy",
			State: inventory.Forbidden, Reason: "networkpolicies.networking.k8s.io is forbidden"}),
			"cannot be evaluated: networkpolicies forbidden: networkpolicies.networking.k8s.io is forbidden"},
		{"failed in a cluster", loadCluster(t, path, inventory.Coverage{Group: "networking.k8s.io", Kind: "NetworkPolicy",
			State: inventory.Failed, Reason: "timeout"}), "cannot be evaluated: networkpolicies failed: timeout"},
		{"none in manifests", manifests, "cannot be evaluated: networkpolicies absent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			results, err := kspm.Run(context.Background(), tt.inv, []check.Check{c})
			require.NoError(t, err)
			require.Len(t, results, 1)
			assert.Equal(t, check.StatusNotEvaluated, results[0].Status)
			assert.Nil(t, results[0].Object)
			assert.Contains(t, results[0].Message, tt.want)
		})
	}
}

// Built in code (inventory.New applies no defaults), a workload may have no namespace: it
// runs in the one it is applied to, which the input does not name.
func TestNamespaceDefaultDenyNoNamespace(t *testing.T) {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: map[string]string{
		checktest.AnnotationExpect:        "fail",
		checktest.AnnotationExpectMessage: "runs in the namespace it is applied to (metadata.namespace is not set), which does not deny",
	}}, Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:1"}}}}}}
	inv, err := inventory.New(d, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "deny"}})
	require.NoError(t, err)
	checktest.RunInventory(t, findCheck(t, "network:namespace-default-deny"), inv)
}

// The parameters are declared: a value of the wrong type, or a misspelt key, fails the run
// before anything runs (kspm.ErrInvalidParams); a direction that is none is an error result.
// A pass made without the runner (as BenchmarkCheckGrowth makes one) has no parameters: the
// check takes the default directions.
func TestNamespaceDefaultDenyParams(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("testdata", "namespace-default-deny-params", "ingress-only")})
	require.NoError(t, err)
	for want, params := range map[string]map[string]any{
		`parameter "exemptNamespaces": want stringList, got int`: {"exemptNamespaces": 3},
		`unknown parameter "exemptNamespace"`:                    {"exemptNamespace": []string{"a"}},
	} {
		_, err := kspm.Run(context.Background(), inv, []check.Check{c}, kspm.WithParams(c.Meta().ID, params))
		require.ErrorIs(t, err, kspm.ErrInvalidParams)
		assert.ErrorContains(t, err, want)
	}
	results, err := kspm.Run(context.Background(), inv, []check.Check{c}, kspm.WithParams(c.Meta().ID, map[string]any{"policyTypes": "Ingress, Sideways"}))
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, check.StatusError, results[0].Status)
	assert.Contains(t, results[0].Message, `parameter policyTypes: "Sideways" is not Ingress or Egress`)

	var got []check.Finding
	require.NoError(t, c.Run(context.Background(), check.NewPass(inv, c.Meta(), nil, func(f check.Finding) { got = append(got, f) })))
	require.Len(t, got, 1)
	assert.Equal(t, check.StatusFail, got[0].Status)
	assert.Contains(t, got[0].Message, "does not deny egress by default")
}
