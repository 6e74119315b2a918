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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func namespace(name string) *corev1.Namespace { return &corev1.Namespace{ObjectMeta: meta("", name)} }

func networkPolicy(ns, name string) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{ObjectMeta: meta(ns, name)}
}

func TestNamespaceNetworkPolicy(t *testing.T) {
	c := findCheck(t, "network:namespace-network-policy")
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
			name: "manifests: a policy that selects none of the pod templates counts, and is named",
			objs: []runtime.Object{namespace("shop"), namespace("empty"),
				selectingPolicy("shop", "db-only", map[string]string{"app": "db"}),
				selectingPolicy("empty", "future", map[string]string{"app": "later"}),
				labelled(deployment("shop", "web", app), "app", "web")},
			want: []verdict{
				pass("Namespace empty", "namespace has 1 NetworkPolicy"),
				pass("Namespace shop", `namespace has 1 NetworkPolicy (but NetworkPolicy "db-only" selects app=db, matching none of the pods and pod templates seen`),
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

// The parameter is declared: a value of the wrong type, or a misspelt key, fails the run
// before anything runs (kspm.ErrInvalidParams), as for every check.
func TestNamespaceNetworkPolicyParams(t *testing.T) {
	c := findCheck(t, "network:namespace-network-policy")
	inv := newInventory(t, namespace("a"), networkPolicy("a", "x"))
	for params, want := range map[string]map[string]any{
		`parameter "exemptNamespaces": want stringList, got int`:        {"exemptNamespaces": 3},
		`unknown parameter "exemptNamespace" (known: exemptNamespaces)`: {"exemptNamespace": []string{"a"}},
	} {
		_, err := kspm.Run(context.Background(), inv, []check.Check{c}, kspm.WithParams(c.Meta().ID, want))
		require.ErrorIs(t, err, kspm.ErrInvalidParams)
		assert.ErrorContains(t, err, params)
	}
}

// The fixtures hold the policy kinds of CNI plugins and of the Network Policy API beside
// NetworkPolicies: a namespace they may cover is not evaluated, never failed.
func TestNamespaceNetworkPolicyFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:namespace-network-policy"), filepath.Join("testdata", "namespace-network-policy"))
}

// With no complete knowledge of NetworkPolicies, "no policy" cannot be told from "not seen":
// the check is not evaluated at all, never failed or passed.
func TestNamespaceNetworkPolicyNotEvaluated(t *testing.T) {
	c := findCheck(t, "network:namespace-network-policy")
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
		assertVerdicts(t, c, run(t, c, inv), []verdict{fail("Namespace shop", "", "namespace has no NetworkPolicy")})
	})
	t.Run("cluster: CNI policy kinds served but not read", func(t *testing.T) {
		inv := clusterInventory(t, []inventory.Coverage{{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Absent,
			Reason: "the server serves ciliumnetworkpolicies.cilium.io (v2), but the loader does not list custom resources"}},
			append(objs, namespace("blog"), networkPolicy("blog", "deny"))...)
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			pass("Namespace blog", "namespace has 1 NetworkPolicy"),
			notEvaluated("Namespace shop", "namespace has no NetworkPolicy; but network policies of CNI plugins, which may isolate "+
				"its pods, were not all seen: CiliumNetworkPolicy.cilium.io absent: the server serves ciliumnetworkpolicies.cilium.io"),
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
			notEvaluated("Namespace shop", `namespace has no NetworkPolicy; but policies kspm does not evaluate may isolate its pods: CiliumNetworkPolicy "deny" (cilium.io)`),
		})
	})
	t.Run("cluster: a policy that selects none of the namespace's pods does not count", func(t *testing.T) {
		web := labelled(deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}), "app", "web")
		inv := clusterInventory(t, nil, namespace("shop"), namespace("blog"), namespace("empty"), web,
			labelled(deployment("blog", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}), "app", "web"),
			selectingPolicy("shop", "db-only", map[string]string{"app": "db"}),
			selectingPolicy("blog", "db-only", map[string]string{"app": "db"}), selectingPolicy("blog", "web", map[string]string{"app": "web"}),
			selectingPolicy("empty", "future", map[string]string{"app": "later"}))
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			pass("Namespace blog", "namespace has 2 NetworkPolicies"),
			pass("Namespace empty", "namespace has 1 NetworkPolicy"),
			fail("Namespace shop", "", `namespace has 1 NetworkPolicy, but none selects any of its pods (NetworkPolicy "db-only" selects app=db), so none is isolated`),
		})
	})
	t.Run("cluster: a label set at run time is seen on the pods listed", func(t *testing.T) {
		sts := &appsv1.StatefulSet{ObjectMeta: meta("db", "pg"), Spec: appsv1.StatefulSetSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "pg"}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{ctr("pg", "pg:16")}}}}}
		sts.UID = "uid-pg"
		running := pod("db", "pg-0", corev1.PodSpec{Containers: []corev1.Container{ctr("pg", "pg:16")}})
		running.Labels = map[string]string{"app": "pg", "role": "primary"}
		running.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "pg", UID: "uid-pg", Controller: ptr(true)}}
		inv := clusterInventory(t, nil, namespace("db"), sts, running, selectingPolicy("db", "primary", map[string]string{"role": "primary"}))
		assertVerdicts(t, c, run(t, c, inv), []verdict{pass("Namespace db", "namespace has 1 NetworkPolicy")})
	})
	t.Run("labels controllers add to pods: the pods listed, or no verdict on the selector", func(t *testing.T) {
		sts := &appsv1.StatefulSet{ObjectMeta: meta("db", "pg"), Spec: appsv1.StatefulSetSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "pg"}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{ctr("pg", "pg:16")}}}}}
		sts.UID = "uid-pg"
		running := pod("db", "pg-0", corev1.PodSpec{Containers: []corev1.Container{ctr("pg", "pg:16")}})
		running.Labels = map[string]string{"app": "pg", "statefulset.kubernetes.io/pod-name": "pg-0"}
		running.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "pg", UID: "uid-pg", Controller: ptr(true)}}
		primary := selectingPolicy("db", "primary", map[string]string{"statefulset.kubernetes.io/pod-name": "pg-0"})
		listed := clusterInventory(t, nil, namespace("db"), sts, running, primary)
		assertVerdicts(t, c, run(t, c, listed), []verdict{pass("Namespace db", "namespace has 1 NetworkPolicy")})
		manifests := newInventory(t, namespace("db"), sts, primary)
		assertVerdicts(t, c, run(t, c, manifests), []verdict{pass("Namespace db", "namespace has 1 NetworkPolicy")})
	})
	t.Run("pods not completely seen: a policy that selects none of those seen still counts", func(t *testing.T) {
		inv := clusterInventory(t, []inventory.Coverage{{Kind: "Pod", State: inventory.Forbidden, Reason: "no"}},
			namespace("shop"), selectingPolicy("shop", "db", map[string]string{"app": "db"}),
			labelled(deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}), "app", "web"))
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			notEvaluated("", "pods forbidden: no"),
			pass("Namespace shop", `namespace has 1 NetworkPolicy (but NetworkPolicy "db" selects app=db`),
		})
	})
	t.Run("cluster: workloads without a Namespace object get the namespace's verdict", func(t *testing.T) {
		inv := clusterInventory(t, []inventory.Coverage{{Kind: "Namespace", State: inventory.Forbidden, Reason: "no"}},
			selectingPolicy("shop", "db", map[string]string{"app": "db"}), selectingPolicy("shop", "x", map[string]string{"app": "x"}),
			labelled(deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}), "app", "web"),
			labelled(deployment("shop", "db", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "db:1")}}), "app", "db"),
			selectingPolicy("blog", "x", map[string]string{"app": "x"}),
			labelled(deployment("blog", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}), "app", "web"))
		assertVerdicts(t, c, run(t, c, inv), []verdict{
			notEvaluated("", "namespaces forbidden: no"),
			fail("Deployment blog/web", "", `runs in namespace "blog", which has 1 NetworkPolicy, but none selects any of its pods`),
			pass("Deployment shop/db", `runs in namespace "shop", which has 2 NetworkPolicies`),
			pass("Deployment shop/web", `runs in namespace "shop", which has 2 NetworkPolicies`),
		})
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

func selectingPolicy(ns, name string, labels map[string]string) *networkingv1.NetworkPolicy {
	p := networkPolicy(ns, name)
	p.Spec.PodSelector.MatchLabels = labels
	return p
}

// labelled sets a label on a Deployment's pod template.
func labelled(d *appsv1.Deployment, key, value string) *appsv1.Deployment {
	if d.Spec.Template.Labels == nil {
		d.Spec.Template.Labels = map[string]string{}
	}
	d.Spec.Template.Labels[key] = value
	return d
}
