package network_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func namespace(name string) *corev1.Namespace { return &corev1.Namespace{ObjectMeta: meta("", name)} }

// networkPolicy is a policy with an empty podSelector and the given policyTypes.
func networkPolicy(ns, name string, types ...networkingv1.PolicyType) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{ObjectMeta: meta(ns, name), Spec: networkingv1.NetworkPolicySpec{PolicyTypes: types}}
}

const (
	ingress = networkingv1.PolicyTypeIngress
	egress  = networkingv1.PolicyTypeEgress
)

func TestNamespaceDefaultDeny(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	app := corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}
	allowAll := networkPolicy("shop", "allow-all", ingress)
	allowAll.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{}}
	narrow := networkPolicy("shop", "from-front", ingress)
	narrow.Spec.PodSelector.MatchLabels = map[string]string{"app": "web"}
	narrow.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{}}
	invalid := networkPolicy("shop", "bad", ingress, egress)
	invalid.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{}}}}
	tests := []struct {
		name   string
		objs   []runtime.Object
		params map[string]any
		want   []verdict
	}{
		{
			name: "Namespace objects: with and without default-deny",
			objs: []runtime.Object{namespace("shop"), namespace("blog"), networkPolicy("shop", "deny-all", ingress, egress),
				deployment("blog", "web", app)},
			want: []verdict{
				fail("Namespace blog", "", "namespace does not deny ingress by default: no NetworkPolicy with an empty podSelector "+
					"lists Ingress in policyTypes; nor egress by default: no NetworkPolicy with an empty podSelector lists Egress"),
				pass("Namespace shop", "namespace denies ingress and egress by default"),
			},
		},
		{
			name: "policyTypes left out: Ingress only",
			objs: []runtime.Object{namespace("shop"), networkPolicy("shop", "deny")},
			want: []verdict{fail("Namespace shop", "", "namespace does not deny egress by default: no NetworkPolicy with an empty podSelector lists Egress")},
		},
		{
			name: "two policies, one direction each",
			objs: []runtime.Object{namespace("shop"), networkPolicy("shop", "in", ingress), networkPolicy("shop", "out", egress)},
			want: []verdict{pass("Namespace shop", "namespace denies ingress and egress by default")},
		},
		{
			name: "a policy that selects every pod and admits everything denies nothing",
			objs: []runtime.Object{namespace("shop"), networkPolicy("shop", "deny", ingress, egress), allowAll},
			want: []verdict{fail("Namespace shop", "", `namespace does not deny ingress by default: NetworkPolicy shop/allow-all selects every pod `+
				"but its ingress rule #0 admits every peer (from is empty) on every port")},
		},
		{
			name: "a narrower allow rule is what default-deny is for",
			objs: []runtime.Object{namespace("shop"), networkPolicy("shop", "deny", ingress, egress), narrow},
			want: []verdict{pass("Namespace shop", "namespace denies ingress and egress by default")},
		},
		{
			name: "a policy the API server rejects does not count",
			objs: []runtime.Object{namespace("shop"), invalid},
			want: []verdict{fail("Namespace shop", "", "namespace does not deny ingress by default")},
		},
		{
			name:   "the directions asked for",
			objs:   []runtime.Object{namespace("shop"), networkPolicy("shop", "deny")},
			params: map[string]any{"policyTypes": []string{"Ingress"}},
			want:   []verdict{pass("Namespace shop", "namespace denies ingress by default")},
		},
		{
			name: "namespaces with workloads but no Namespace object are reported on each workload",
			objs: []runtime.Object{networkPolicy("shop", "a", ingress, egress), deployment("shop", "web", app), pod("shop", "debug", app),
				deployment("blog", "web", app)},
			want: []verdict{
				pass("Pod shop/debug", `runs in namespace "shop", which denies ingress and egress by default`),
				fail("Deployment blog/web", "", `runs in namespace "blog", which does not deny ingress by default`),
				pass("Deployment shop/web", `runs in namespace "shop", which denies ingress and egress by default`),
			},
		},
		{
			name: "workloads with no namespace set",
			objs: []runtime.Object{networkPolicy("shop", "a"), deployment("", "web", app)},
			want: []verdict{fail("Deployment web", "", "runs in the namespace it is applied to (metadata.namespace is not set), which does not deny")},
		},
		{
			name: "system namespaces are exempt by default",
			objs: []runtime.Object{namespace("kube-system"), namespace("kube-public"), namespace("kube-node-lease"),
				namespace("default"), networkPolicy("shop", "a"), deployment("kube-system", "coredns", app)},
			want: []verdict{
				fail("Namespace default", "", "namespace does not deny"),
				notApplicable("Namespace kube-node-lease", "namespace is exempt (parameter exemptNamespaces)"),
				notApplicable("Namespace kube-public", "namespace is exempt"),
				notApplicable("Namespace kube-system", "namespace is exempt"),
			},
		},
		{
			name:   "the exempt list replaces the default",
			objs:   []runtime.Object{namespace("kube-system"), namespace("sandbox"), networkPolicy("shop", "a")},
			params: map[string]any{"exemptNamespaces": []string{"sandbox"}},
			want: []verdict{
				fail("Namespace kube-system", "", "namespace does not deny"),
				notApplicable("Namespace sandbox", "namespace is exempt"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []kspm.Option
			if tt.params != nil {
				opts = append(opts, kspm.WithParams(c.Meta().ID, tt.params))
			}
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...), opts...), tt.want)
		})
	}
}

// The parameters are declared: a value of the wrong type, or a misspelt key, fails the run
// before anything runs (kspm.ErrInvalidParams); a direction that is none is an error result.
func TestNamespaceDefaultDenyParams(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	inv := newInventory(t, namespace("a"), networkPolicy("a", "x"))
	for params, want := range map[string]map[string]any{
		`parameter "exemptNamespaces": want stringList, got int`: {"exemptNamespaces": 3},
		`unknown parameter "exemptNamespace"`:                    {"exemptNamespace": []string{"a"}},
	} {
		_, err := kspm.Run(context.Background(), inv, []check.Check{c}, kspm.WithParams(c.Meta().ID, want))
		require.ErrorIs(t, err, kspm.ErrInvalidParams)
		assert.ErrorContains(t, err, params)
	}
	results := run(t, c, inv, kspm.WithParams(c.Meta().ID, map[string]any{"policyTypes": "Ingress, Sideways"}))
	require.Len(t, results, 1)
	assert.Equal(t, check.StatusError, results[0].Status)
	assert.Contains(t, results[0].Message, `parameter policyTypes: "Sideways" is not Ingress or Egress`)
}

// The fixtures hold the policy kinds of CNI plugins and of the Network Policy API beside
// NetworkPolicies: a namespace they may cover is not evaluated, never failed.
func TestNamespaceDefaultDenyFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:namespace-default-deny"), filepath.Join("testdata", "namespace-default-deny"))
}

// With no complete knowledge of NetworkPolicies, "no policy" cannot be told from "not seen":
// the check is not evaluated at all, never failed or passed.
func TestNamespaceDefaultDenyNotEvaluated(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	require.Contains(t, c.Meta().Requires, inventory.KindNetworkPolicy)
	objs := []runtime.Object{namespace("shop"), deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}})}
	tests := []struct {
		name string
		inv  *inventory.Inventory
		want string
	}{
		{"forbidden in a cluster", clusterInventory(t, []inventory.Coverage{{Group: "networking.k8s.io", Kind: "NetworkPolicy",
			State: inventory.Forbidden, Reason: `networkpolicies.networking.k8s.io is forbidden`}}, objs...),
			"cannot be evaluated: networkpolicies forbidden: networkpolicies.networking.k8s.io is forbidden"},
		{"failed in a cluster", clusterInventory(t, []inventory.Coverage{{Group: "networking.k8s.io", Kind: "NetworkPolicy",
			State: inventory.Failed, Reason: "timeout"}}, objs...),
			"cannot be evaluated: networkpolicies failed: timeout"},
		{"none in manifests", newInventory(t, objs...), "cannot be evaluated: networkpolicies absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results := run(t, c, tt.inv)
			require.Len(t, results, 1)
			assert.Equal(t, check.StatusNotEvaluated, results[0].Status)
			assert.Nil(t, results[0].Object)
			assert.Contains(t, results[0].Message, tt.want)
		})
	}

	t.Run("listed in a cluster with none", func(t *testing.T) {
		inv := clusterInventory(t, nil, objs...)
		assertVerdicts(t, c, run(t, c, inv), []verdict{fail("Namespace shop", "", "namespace does not deny ingress by default")})
	})
	t.Run("cluster: CNI policy kinds served but not read", func(t *testing.T) {
		inv := clusterInventory(t, []inventory.Coverage{{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Absent,
			Reason: "the server serves ciliumnetworkpolicies.cilium.io (v2), but the loader does not list custom resources"}},
			append(objs, namespace("blog"), networkPolicy("blog", "deny", ingress, egress))...)
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			pass("Namespace blog", "namespace denies ingress and egress by default"),
			notEvaluated("Namespace shop", "namespace does not deny ingress by default: no NetworkPolicy with an empty podSelector lists "+
				"Ingress in policyTypes; nor egress by default: no NetworkPolicy with an empty podSelector lists Egress in policyTypes; "+
				"but network policies of CNI plugins, which may apply to its pods, were not all seen: CiliumNetworkPolicy.cilium.io absent"),
		})
	})
	t.Run("cluster: a CNI policy listed in the namespace", func(t *testing.T) {
		cnp := &unstructured.Unstructured{}
		cnp.SetAPIVersion("cilium.io/v2")
		cnp.SetKind("CiliumNetworkPolicy")
		cnp.SetNamespace("shop")
		cnp.SetName("deny")
		inv := clusterInventory(t, []inventory.Coverage{{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Listed}},
			append(objs, cnp)...)
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			notEvaluated("Namespace shop", `but policies kspm does not evaluate may apply to the pods of namespace "shop": CiliumNetworkPolicy "deny" (cilium.io)`),
		})
	})
	t.Run("namespaces forbidden: workloads are judged, the gap is reported", func(t *testing.T) {
		inv := clusterInventory(t, []inventory.Coverage{{Kind: "Namespace", State: inventory.Forbidden, Reason: "no"}},
			deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}))
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			notEvaluated("", "namespaces forbidden: no"),
			fail("Deployment shop/web", "", `runs in namespace "shop", which does not deny ingress by default`),
		})
	})
}

// A pass made without the runner (as BenchmarkCheckGrowth makes one) has no parameters: the
// check falls back to its defaults rather than failing.
func TestNamespaceDefaultDenyWithoutParams(t *testing.T) {
	c := findCheck(t, "network:namespace-default-deny")
	inv := newInventory(t, namespace("shop"), networkPolicy("shop", "deny"))
	var got []check.Finding
	require.NoError(t, c.Run(context.Background(), check.NewPass(inv, c.Meta(), nil, func(f check.Finding) { got = append(got, f) })))
	require.Len(t, got, 1)
	assert.Equal(t, check.StatusFail, got[0].Status)
	assert.Contains(t, got[0].Message, "does not deny egress by default")
}
