package starter_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/starter"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func namespace(name string) *corev1.Namespace { return &corev1.Namespace{ObjectMeta: meta("", name)} }

func networkPolicy(ns, name string) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{ObjectMeta: meta(ns, name)}
}

func TestNamespaceNetworkPolicy(t *testing.T) {
	c := starter.NamespaceNetworkPolicy()
	app := corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}
	tests := []struct {
		name   string
		objs   []runtime.Object
		params map[string]any
		want   []verdict
	}{
		{
			name: "Namespace objects: with and without a policy",
			objs: []runtime.Object{namespace("shop"), namespace("blog"), networkPolicy("shop", "deny-all"),
				deployment("blog", "web", app)},
			want: []verdict{
				fail("Namespace blog", "", "namespace has no NetworkPolicy"),
				pass("Namespace shop", "namespace has 1 NetworkPolicy"),
			},
		},
		{
			name: "namespaces with workloads but no Namespace object are reported on each workload",
			objs: []runtime.Object{networkPolicy("shop", "a"), networkPolicy("shop", "b"),
				deployment("shop", "web", app), pod("shop", "debug", app), deployment("blog", "web", app)},
			want: []verdict{
				pass("Pod shop/debug", `runs in namespace "shop", which has 2 NetworkPolicies`),
				fail("Deployment blog/web", "", `runs in namespace "blog", which has no NetworkPolicy`),
				pass("Deployment shop/web", `runs in namespace "shop", which has 2 NetworkPolicies`),
			},
		},
		{
			name: "workloads with no namespace set",
			objs: []runtime.Object{networkPolicy("shop", "a"), deployment("", "web", app)},
			want: []verdict{fail("Deployment web", "", "runs in the namespace it is applied to (metadata.namespace is not set), which has no NetworkPolicy")},
		},
		{
			name: "system namespaces are exempt by default",
			objs: []runtime.Object{namespace("kube-system"), namespace("kube-public"), namespace("kube-node-lease"),
				namespace("default"), networkPolicy("shop", "a"), deployment("kube-system", "coredns", app)},
			want: []verdict{
				fail("Namespace default", "", "namespace has no NetworkPolicy"),
				notApplicable("Namespace kube-node-lease", "namespace is exempt (parameter exemptNamespaces)"),
				notApplicable("Namespace kube-public", "namespace is exempt"),
				notApplicable("Namespace kube-system", "namespace is exempt"),
			},
		},
		{
			name:   "the parameter replaces the default list",
			objs:   []runtime.Object{namespace("kube-system"), namespace("lab"), networkPolicy("shop", "a"), deployment("lab", "exp", app)},
			params: map[string]any{"exemptNamespaces": []any{"lab"}},
			want: []verdict{
				fail("Namespace kube-system", "", "namespace has no NetworkPolicy"),
				notApplicable("Namespace lab", "namespace is exempt"),
			},
		},
		{
			name:   "the parameter as a comma-separated string",
			objs:   []runtime.Object{namespace("a"), namespace("b"), networkPolicy("shop", "x")},
			params: map[string]any{"exemptNamespaces": "a, b"},
			want: []verdict{
				notApplicable("Namespace a", "namespace is exempt"),
				notApplicable("Namespace b", "namespace is exempt"),
			},
		},
		{
			name:   "a bad parameter is an error",
			objs:   []runtime.Object{namespace("a"), networkPolicy("a", "x")},
			params: map[string]any{"exemptNamespaces": 3},
			want:   []verdict{{Status: check.StatusError, Message: "parameter exemptNamespaces: got int, want a list of strings"}},
		},
		{
			name:   "an unknown parameter is an error",
			objs:   []runtime.Object{namespace("a"), networkPolicy("a", "x")},
			params: map[string]any{"exemptNamespace": []string{"a"}},
			want:   []verdict{{Status: check.StatusError, Message: `unknown parameter "exemptNamespace" (known: exemptNamespaces)`}},
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

// With no complete knowledge of NetworkPolicies, "no policy" cannot be told from "not seen":
// the check is not evaluated at all, never failed or passed.
func TestNamespaceNetworkPolicyNotEvaluated(t *testing.T) {
	c := starter.NamespaceNetworkPolicy()
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
			"cannot be evaluated: networkpolicies error: timeout"},
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
		assertVerdicts(t, c, run(t, c, inv), []verdict{fail("Namespace shop", "", "namespace has no NetworkPolicy")})
	})
	t.Run("namespaces forbidden: workloads are judged, the gap is reported", func(t *testing.T) {
		inv := clusterInventory(t, []inventory.Coverage{{Kind: "Namespace", State: inventory.Forbidden, Reason: "no"}},
			deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}))
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			notEvaluated("", "namespaces forbidden: no"),
			fail("Deployment shop/web", "", `runs in namespace "shop", which has no NetworkPolicy`),
		})
	})
}
