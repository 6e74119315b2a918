package inventory_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kspm-dev/kspm/inventory"
)

var (
	ciliumPolicy      = schema.GroupKind{Group: "cilium.io", Kind: "CiliumNetworkPolicy"}
	ciliumClusterwide = schema.GroupKind{Group: "cilium.io", Kind: "CiliumClusterwideNetworkPolicy"}
	calicoGlobal      = schema.GroupKind{Group: "crd.projectcalico.org", Kind: "GlobalNetworkPolicy"}
	adminPolicy       = schema.GroupKind{Group: "policy.networking.k8s.io", Kind: "AdminNetworkPolicy"}
)

func TestOtherNetworkPolicyKinds(t *testing.T) {
	kinds := inventory.OtherNetworkPolicyKinds()
	require.NotEmpty(t, kinds)
	seen := map[schema.GroupKind]bool{}
	for _, k := range kinds {
		assert.False(t, seen[k.GroupKind()], "%s listed twice", k.GroupKind())
		seen[k.GroupKind()] = true
		_, builtin := inventory.LookupKind(k.GroupKind())
		assert.False(t, builtin, "%s is not a built-in kind", k.GroupKind())
		assert.NotEqual(t, inventory.KindNetworkPolicy, k.GroupKind())
		assert.NotEmpty(t, k.Resource)
		u, ok := k.New().(*unstructured.Unstructured)
		require.True(t, ok, "%s is held unstructured", k.GroupKind())
		assert.Equal(t, k.GroupVersionKind, u.GroupVersionKind())
		assert.False(t, strings.HasPrefix(k.Kind, "Staged"), "Calico's staged policies are not enforced")
	}
	for _, gk := range []schema.GroupKind{ciliumPolicy, ciliumClusterwide, calicoGlobal, adminPolicy} {
		assert.True(t, seen[gk], gk.String())
	}
	kinds[0].Resource = "changed"
	assert.NotEqual(t, "changed", inventory.OtherNetworkPolicyKinds()[0].Resource, "a fresh copy")
}

// On a cluster, the server's discovery tells a policy kind the cluster cannot have from one
// whose objects were not read.
func TestFromClientsetDiscoversOtherNetworkPolicyKinds(t *testing.T) {
	cilium := &metav1.APIResourceList{GroupVersion: "cilium.io/v2", APIResources: []metav1.APIResource{
		{Name: "ciliumnetworkpolicies", Namespaced: true, Kind: "CiliumNetworkPolicy"},
		{Name: "ciliumendpoints", Namespaced: true, Kind: "CiliumEndpoint"},
	}}
	tests := []struct {
		name      string
		discovery []*metav1.APIResourceList
		opts      []inventory.ClusterOption
		want      map[schema.GroupKind]inventory.Coverage // State and a substring of Reason
	}{
		{
			name:      "no CNI policy kinds served",
			discovery: coreDiscovery(),
			want: map[schema.GroupKind]inventory.Coverage{
				ciliumPolicy: {State: inventory.NotServed, Reason: "does not serve the API group cilium.io"},
				calicoGlobal: {State: inventory.NotServed, Reason: "does not serve the API group crd.projectcalico.org"},
				adminPolicy:  {State: inventory.NotServed, Reason: "does not serve the API group policy.networking.k8s.io"},
			},
		},
		{
			name:      "Cilium installed",
			discovery: append(coreDiscovery(), cilium),
			want: map[schema.GroupKind]inventory.Coverage{
				ciliumPolicy:      {State: inventory.Absent, Reason: "serves ciliumnetworkpolicies.cilium.io (v2), but the loader does not list custom resources"},
				ciliumClusterwide: {State: inventory.NotServed, Reason: "does not serve ciliumclusterwidenetworkpolicies.cilium.io in any version"},
				calicoGlobal:      {State: inventory.NotServed},
			},
		},
		{
			name: "discovery unreadable",
			want: map[schema.GroupKind]inventory.Coverage{
				ciliumPolicy: {State: inventory.Absent, Reason: "discovery, asked whether it serves ciliumnetworkpolicies.cilium.io, failed"},
				adminPolicy:  {State: inventory.Absent, Reason: "failed"},
			},
		},
		{
			name:      "WithKinds",
			discovery: coreDiscovery(),
			opts:      []inventory.ClusterOption{inventory.WithKinds(inventory.KindNamespace)},
			want: map[schema.GroupKind]inventory.Coverage{
				ciliumPolicy: {State: inventory.Absent, Reason: "not requested"},
			},
		},
		{
			// A program that lists only what its checks read names the policy kinds too:
			// they are still asked of discovery, the others are not requested.
			name:      "WithKinds naming policy kinds",
			discovery: append(coreDiscovery(), cilium),
			opts: []inventory.ClusterOption{inventory.WithKinds(inventory.KindNamespace, inventory.KindNetworkPolicy,
				ciliumPolicy, calicoGlobal)},
			want: map[schema.GroupKind]inventory.Coverage{
				ciliumPolicy:      {State: inventory.Absent, Reason: "serves ciliumnetworkpolicies.cilium.io (v2), but the loader does not list custom resources"},
				calicoGlobal:      {State: inventory.NotServed, Reason: "does not serve the API group crd.projectcalico.org"},
				ciliumClusterwide: {State: inventory.Absent, Reason: "not requested"},
				adminPolicy:       {State: inventory.Absent, Reason: "not requested"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset()
			cs.Resources = tt.discovery
			inv, err := inventory.FromClientset(t.Context(), cs, tt.opts...)
			require.NoError(t, err)
			for gk, want := range tt.want {
				c := inv.Coverage(gk)
				assert.Equal(t, want.State, c.State, gk.String())
				assert.Contains(t, c.Reason, want.Reason, gk.String())
			}
			for _, k := range inventory.OtherNetworkPolicyKinds() {
				assert.NotEqual(t, inventory.Listed, inv.Coverage(k.GroupKind()).State, "%s is never listed", k.GroupKind())
			}
			assert.Empty(t, inv.Errors(), "discovery asked on the side adds no load error")
		})
	}
}

func TestManifestsHoldOtherNetworkPolicies(t *testing.T) {
	inv, err := inventory.LoadManifests(t.Context(), []string{"-"}, inventory.WithStdin(strings.NewReader(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {endpointSelector: {}}
`)))
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	assert.Equal(t, inventory.Loaded, inv.Coverage(ciliumPolicy).State)
	require.Len(t, inv.InNamespace(ciliumPolicy, "shop"), 1)
	assert.Equal(t, inventory.Absent, inv.Coverage(calicoGlobal).State)
}
