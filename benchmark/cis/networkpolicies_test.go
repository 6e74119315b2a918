package cis

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// 5.3.2 over namespaces whose policies are those of CNI plugins and of the Network Policy API.
func TestNetworkPoliciesFixtures(t *testing.T) {
	checktest.Run(t, checkByID(t, "5.3.2"), filepath.Join("testdata", "5.3.2"))
}

// On a cluster, the kinds of CNI policies are not listed: a cluster whose server serves one
// cannot fail 5.3.2 for lack of NetworkPolicies, one that serves none can.
func TestNetworkPoliciesCluster(t *testing.T) {
	cnp := &unstructured.Unstructured{}
	cnp.SetAPIVersion("cilium.io/v2")
	cnp.SetKind("CiliumNetworkPolicy")
	cnp.SetNamespace("cni")
	cnp.SetName("deny")
	tests := []struct {
		name   string
		cilium inventory.Coverage
		objs   []runtime.Object
		want   check.Status
		msg    string
	}{
		{"no CNI policy kind served", inventory.Coverage{State: inventory.NotServed}, nil, check.StatusFail,
			"no NetworkPolicy in namespace shop: all traffic to and from its pods is allowed"},
		{"served but not listed", inventory.Coverage{State: inventory.Absent, Reason: "the server serves ciliumnetworkpolicies.cilium.io (v2), but the loader does not list custom resources"},
			nil, check.StatusNotEvaluated, "were not all seen: CiliumNetworkPolicy.cilium.io absent: the server serves"},
		{"forbidden", inventory.Coverage{State: inventory.Forbidden, Reason: "no"}, nil, check.StatusNotEvaluated,
			"CiliumNetworkPolicy.cilium.io forbidden: no"},
		{"listed, in another namespace", inventory.Coverage{State: inventory.Listed}, []runtime.Object{cnp}, check.StatusFail, "no NetworkPolicy in namespace shop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := inventory.NewBuilder(inventory.ModeCluster)
			for _, o := range append(tt.objs, namespace("shop", nil)) {
				require.NoError(t, b.Add(o, inventory.Source{}))
			}
			for _, k := range inventory.BuiltinKinds() {
				b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
			}
			for _, k := range inventory.OtherNetworkPolicyKinds() {
				b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.NotServed})
			}
			tt.cilium.Group, tt.cilium.Kind = "cilium.io", "CiliumNetworkPolicy"
			b.SetCoverage(tt.cilium)
			fs := run(t, "5.3.2", b.Build())
			require.Len(t, fs, 1)
			assert.Equal(t, tt.want, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, tt.msg)
		})
	}
}
