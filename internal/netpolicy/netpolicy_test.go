package netpolicy_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/internal/netpolicy"
	"github.com/kspm-dev/kspm/inventory"
)

func policy(apiVersion, kind, ns, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func TestMayIsolate(t *testing.T) {
	many := make([]runtime.Object, 0, 5)
	for i := range 5 {
		many = append(many, policy("crd.projectcalico.org/v1", "GlobalNetworkPolicy", "", fmt.Sprintf("g%d", i)))
	}
	tests := []struct {
		name string
		objs []runtime.Object
		ns   string
		want string // "" or a substring
	}{
		{"nothing", nil, "shop", ""},
		{"in another namespace", []runtime.Object{policy("cilium.io/v2", "CiliumNetworkPolicy", "blog", "deny")}, "shop", ""},
		{"in the namespace", []runtime.Object{policy("cilium.io/v2", "CiliumNetworkPolicy", "shop", "deny")}, "shop",
			`may isolate its pods: CiliumNetworkPolicy "deny" (cilium.io)`},
		{"namespaced kind without a namespace", []runtime.Object{policy("crd.antrea.io/v1beta1", "NetworkPolicy", "", "deny")}, "shop",
			`NetworkPolicy "deny" (crd.antrea.io), whose metadata.namespace is not set, so it may be in any namespace`},
		{"cluster-scoped", []runtime.Object{policy("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", "", "tenants")}, "shop",
			`AdminNetworkPolicy "tenants" (policy.networking.k8s.io), which may select pods of any namespace`},
		{"at most three named", many, "shop", `GlobalNetworkPolicy "g2" (crd.projectcalico.org), which may select pods of any namespace; and 2 more`},
		{"same kind name, other group", []runtime.Object{policy("example.com/v1", "CiliumNetworkPolicy", "shop", "deny")}, "shop", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := inventory.New(tt.objs...)
			require.NoError(t, err)
			got := netpolicy.Read(inv).MayIsolate(inv.From(nil), tt.ns)
			if tt.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tt.want)
			assert.NotContains(t, got, "g3")
		})
	}
}

func TestUnseen(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.NotServed})
	}
	b.SetCoverage(inventory.Coverage{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Forbidden, Reason: "denied"})
	inv := b.Build()
	o := netpolicy.Read(inv)
	assert.Equal(t, "CiliumNetworkPolicy.cilium.io forbidden: denied", o.Unseen())
	assert.Contains(t, o.MayIsolate(inv.From(nil), "shop"), "were not all seen: CiliumNetworkPolicy.cilium.io forbidden: denied")

	// A cluster inventory that says nothing of these kinds did not see them.
	o = netpolicy.Read(inventory.NewBuilder(inventory.ModeCluster).Build())
	assert.Contains(t, o.Unseen(), "and 8 more kinds")
	// Manifests without them hold none: the input is what was asked about.
	inv, err := inventory.New()
	require.NoError(t, err)
	assert.Empty(t, netpolicy.Read(inv).Unseen())
}

// TestVariants: a policy defined in several places is named once, in its definition nearest
// the object asking.
func TestVariants(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeManifests)
	add := func(obj runtime.Object, file string) {
		require.NoError(t, b.Add(obj, inventory.Source{File: file, Line: 1}))
	}
	add(policy("cilium.io/v2", "CiliumNetworkPolicy", "shop", "deny"), "prod/cnp.yaml")
	add(policy("cilium.io/v2", "CiliumNetworkPolicy", "shop", "deny"), "dev/cnp.yaml")
	add(policy("v1", "Namespace", "", "shop"), "prod/ns.yaml")
	inv := b.Build()
	o := netpolicy.Read(inv)
	from := inv.From(inv.Get(inventory.KindNamespace, "", "shop"))
	got := o.InNamespace(from, "shop")
	require.Len(t, got, 1)
	assert.Equal(t, "prod/cnp.yaml", got[0].Source().File)
	assert.Equal(t, `policies kspm does not evaluate may isolate its pods: CiliumNetworkPolicy "deny" (cilium.io)`, o.MayIsolate(from, "shop"))
}
