package check_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// finding is a finding flattened for assertions.
type finding struct {
	Object  string
	Status  check.Status
	Field   string
	Message string
}

// runCheck runs c over inv the way a runner does and returns its findings in report order.
func runCheck(t testing.TB, ctx context.Context, c check.Check, inv *inventory.Inventory, params map[string]any) ([]finding, error) {
	t.Helper()
	var (
		mu  sync.Mutex
		out []finding
	)
	pass := check.NewPass(inv, c.Meta(), params, func(f check.Finding) {
		mu.Lock()
		defer mu.Unlock()
		obj := ""
		if f.Object != nil {
			obj = f.Object.String()
		}
		out = append(out, finding{Object: obj, Status: f.Status, Field: f.Field, Message: f.Message})
	})
	err := c.Run(ctx, pass)
	return out, err
}

func mustRun(t testing.TB, c check.Check, inv *inventory.Inventory, params map[string]any) []finding {
	t.Helper()
	fs, err := runCheck(t, context.Background(), c, inv, params)
	require.NoError(t, err)
	return fs
}

func mustInventory(t testing.TB, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return inv
}

func mustCEL(t testing.TB, spec check.CELSpec) check.Check {
	t.Helper()
	c, err := check.CEL(spec)
	require.NoError(t, err)
	return c
}

func testMeta(id string, kinds ...schema.GroupKind) check.Meta {
	return check.Meta{ID: id, Title: "title of " + id, Severity: check.High, Remediation: "fix it", Kinds: kinds}
}

func pod(ns, name string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example.com/app:1"}}},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func hostNetwork(p *corev1.Pod) { p.Spec.HostNetwork = true }

func TestCELCompileErrors(t *testing.T) {
	tests := []struct {
		name       string
		spec       check.CELSpec
		field      string
		line, col  int
		typeErr    bool
		wantSubstr string
	}{
		{
			name:       "undeclared reference with position",
			spec:       check.CELSpec{Expression: "object.spec.hostNetwork == false &&\n  objct.spec.hostPID == false"},
			field:      "expression",
			line:       2,
			col:        3,
			wantSubstr: "undeclared reference to 'objct'",
		},
		{
			name:       "syntax error",
			spec:       check.CELSpec{Expression: "object.spec.(hostNetwork"},
			field:      "expression",
			line:       1,
			wantSubstr: "Syntax error",
		},
		{
			name:       "int result",
			spec:       check.CELSpec{Expression: "size(object.spec.containers)"},
			field:      "expression",
			typeErr:    true,
			wantSubstr: "got int, want bool",
		},
		{
			name:       "dyn result needs a comparison",
			spec:       check.CELSpec{Expression: "object.spec.hostNetwork"},
			field:      "expression",
			typeErr:    true,
			wantSubstr: "compare it",
		},
		{
			name:       "message must be a string",
			spec:       check.CELSpec{Expression: "true", Message: "1 + 1"},
			field:      "message",
			typeErr:    true,
			wantSubstr: "got int, want string",
		},
		{
			name:       "match must be a bool",
			spec:       check.CELSpec{Expression: "true", Match: "'yes'"},
			field:      "match",
			typeErr:    true,
			wantSubstr: "got string, want bool",
		},
		{
			name:       "podSpec only in pod-template mode",
			spec:       check.CELSpec{Expression: "podSpec.hostNetwork == true"},
			field:      "expression",
			line:       1,
			col:        1,
			wantSubstr: "undeclared reference to 'podSpec'",
		},
		{
			name:       "empty expression",
			spec:       check.CELSpec{Expression: "  "},
			field:      "expression",
			wantSubstr: "empty expression",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Meta = testMeta("custom:bad", inventory.KindPod)
			c, err := check.CEL(tt.spec)
			require.Error(t, err)
			assert.Nil(t, c)
			var ce *check.CELError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "custom:bad", ce.CheckID)
			assert.Equal(t, tt.field, ce.Field)
			if tt.line > 0 {
				assert.Equal(t, tt.line, ce.Line, "line")
			}
			if tt.col > 0 {
				assert.Equal(t, tt.col, ce.Column, "column")
			}
			assert.Equal(t, tt.typeErr, errors.Is(err, check.ErrCELType))
			assert.Contains(t, err.Error(), tt.wantSubstr)
			assert.Contains(t, err.Error(), "check custom:bad: "+tt.field)
		})
	}
}

func TestCELConstructionErrors(t *testing.T) {
	t.Run("pod templates of a kind without one", func(t *testing.T) {
		_, err := check.CEL(check.CELSpec{Meta: testMeta("custom:svc", inventory.KindService),
			PodTemplates: true, Expression: "true"})
		var ce *check.CELError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "kinds", ce.Field)
		assert.Contains(t, err.Error(), "check custom:svc: kinds: kind Service has no pod template")
	})
	t.Run("params that are not JSON-like", func(t *testing.T) {
		_, err := check.CEL(check.CELSpec{Meta: testMeta("custom:p"), Expression: "true",
			Params: map[string]any{"f": func() {}}})
		var ce *check.CELError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "params", ce.Field)
		assert.Contains(t, err.Error(), `check custom:p: params: param "f": unsupported value of type func()`)
	})
	t.Run("problems of the spec do not hide those of the expressions", func(t *testing.T) {
		_, err := check.CEL(check.CELSpec{Meta: testMeta("custom:y", inventory.KindService), PodTemplates: true,
			Expression: "", Message: "nope", Match: "'x'", CostLimit: check.MaxCELCostLimit + 1})
		require.Error(t, err)
		for _, want := range []string{"check custom:y: expression: empty expression", "check custom:y: kinds: kind Service has no pod template",
			"check custom:y: costLimit: ", "check custom:y: message: line 1, column 1: undeclared reference to 'nope'",
			"check custom:y: match: wrong result type: got string, want bool"} {
			assert.Contains(t, err.Error(), want)
		}
	})
	t.Run("all expression errors at once", func(t *testing.T) {
		_, err := check.CEL(check.CELSpec{Meta: testMeta("custom:x"), Expression: "nope", Message: "1", Match: "2"})
		require.Error(t, err)
		for _, f := range []string{"expression", "message", "match"} {
			assert.Contains(t, err.Error(), "check custom:x: "+f)
		}
	})
}

func TestCELVerdicts(t *testing.T) {
	inv := mustInventory(t,
		pod("shop", "web"),
		pod("shop", "agent", hostNetwork),
		pod("kube-system", "proxy", hostNetwork),
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}},
	)
	tests := []struct {
		name string
		spec check.CELSpec
		want []finding
	}{
		{
			name: "has() guards absent fields; message explains failures",
			spec: check.CELSpec{
				Expression: "!has(object.spec.hostNetwork) || object.spec.hostNetwork == false",
				Message:    "'pod ' + object.metadata.name + ' uses the host network'",
			},
			want: []finding{
				{Object: "Pod kube-system/proxy", Status: check.StatusFail, Message: "pod proxy uses the host network"},
				{Object: "Pod shop/agent", Status: check.StatusFail, Message: "pod agent uses the host network"},
				{Object: "Pod shop/web", Status: check.StatusPass},
			},
		},
		{
			name: "optional syntax; title is the default message",
			spec: check.CELSpec{Expression: "object.spec.?hostNetwork.orValue(false) == false"},
			want: []finding{
				{Object: "Pod kube-system/proxy", Status: check.StatusFail, Message: "title of custom:c"},
				{Object: "Pod shop/agent", Status: check.StatusFail, Message: "title of custom:c"},
				{Object: "Pod shop/web", Status: check.StatusPass},
			},
		},
		{
			name: "match skips objects",
			spec: check.CELSpec{
				Match:      "object.metadata.namespace != 'kube-system'",
				Expression: "object.spec.?hostNetwork.orValue(false) == false",
			},
			want: []finding{
				{Object: "Pod shop/agent", Status: check.StatusFail, Message: "title of custom:c"},
				{Object: "Pod shop/web", Status: check.StatusPass},
			},
		},
		{
			name: "an absent field is an error result, never a pass",
			spec: check.CELSpec{Expression: "object.spec.hostNetwork == false"},
			want: []finding{
				{Object: "Pod kube-system/proxy", Status: check.StatusFail, Message: "title of custom:c"},
				{Object: "Pod shop/agent", Status: check.StatusFail, Message: "title of custom:c"},
				{Object: "Pod shop/web", Status: check.StatusError,
					Message: "check custom:c: evaluating Pod shop/web: expression: line 1, column 12: no such key 'hostNetwork'"},
			},
		},
		{
			name: "a failing message expression keeps the fail verdict",
			spec: check.CELSpec{
				Expression: "object.spec.?hostNetwork.orValue(false) == false",
				Message:    "string(object.metadata.labels.team)",
				Match:      "object.metadata.namespace == 'shop'",
			},
			want: []finding{
				{Object: "Pod shop/agent", Status: check.StatusFail,
					Message: "title of custom:c (message expression failed: line 1, column 23: no such key 'labels')"},
				{Object: "Pod shop/web", Status: check.StatusPass},
			},
		},
		{
			name: "a match error is an error result",
			spec: check.CELSpec{Match: "object.metadata.labels.x == 'y'", Expression: "true"},
			want: []finding{
				{Object: "Pod kube-system/proxy", Status: check.StatusError,
					Message: "check custom:c: evaluating Pod kube-system/proxy: match: line 1, column 16: no such key 'labels'"},
				{Object: "Pod shop/agent", Status: check.StatusError,
					Message: "check custom:c: evaluating Pod shop/agent: match: line 1, column 16: no such key 'labels'"},
				{Object: "Pod shop/web", Status: check.StatusError,
					Message: "check custom:c: evaluating Pod shop/web: match: line 1, column 16: no such key 'labels'"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Meta = testMeta("custom:c", inventory.KindPod)
			c := mustCEL(t, tt.spec)
			assert.Equal(t, tt.want, mustRun(t, c, inv, nil))
		})
	}
}

func TestCELEmptyKindsSelectsEveryObject(t *testing.T) {
	inv := mustInventory(t, pod("shop", "web"), namespace("shop", nil),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "cfg", Labels: map[string]string{"team": "a"}}})
	c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:team"),
		Expression: "'team' in object.metadata.?labels.orValue({})"})
	assert.Equal(t, []finding{
		{Object: "ConfigMap shop/cfg", Status: check.StatusPass},
		{Object: "Namespace shop", Status: check.StatusFail, Message: "title of custom:team"},
		{Object: "Pod shop/web", Status: check.StatusFail, Message: "title of custom:team"},
	}, mustRun(t, c, inv, nil))
}

func TestCELNamespaceObject(t *testing.T) {
	objs := []runtime.Object{
		namespace("prod", map[string]string{"env": "prod"}),
		pod("prod", "a"), pod("dev", "b"),
	}
	c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:ns", inventory.KindPod),
		Expression: "namespaceObject != null && namespaceObject.metadata.labels.env == 'prod'"})
	t.Run("a Namespace the manifests lack is not known", func(t *testing.T) {
		assert.Equal(t, []finding{
			{Object: "Pod dev/b", Status: check.StatusNotEvaluated, Message: "cannot be evaluated: its Namespace dev is not in the " +
				"manifests: it may be defined elsewhere (declare the manifests complete to judge)"},
			{Object: "Pod prod/a", Status: check.StatusPass},
		}, mustRun(t, c, mustInventory(t, objs...), nil))
	})
	t.Run("a cluster's Namespaces, listed completely, are all there are", func(t *testing.T) {
		assert.Equal(t, []finding{
			{Object: "Pod dev/b", Status: check.StatusFail, Message: "title of custom:ns"},
			{Object: "Pod prod/a", Status: check.StatusPass},
		}, mustRun(t, c, clusterInventory(t, nil, objs...), nil))
	})
	t.Run("cluster-scoped objects have none, as in admission", func(t *testing.T) {
		cs := mustCEL(t, check.CELSpec{Meta: testMeta("custom:cs", inventory.KindNamespace), Expression: "namespaceObject == null"})
		assert.Equal(t, []finding{{Object: "Namespace prod", Status: check.StatusPass}}, mustRun(t, cs, mustInventory(t, objs...), nil))
	})
}

func TestCELCostLimit(t *testing.T) {
	big := pod("shop", "big", func(p *corev1.Pod) { p.Annotations = map[string]string{"n": "3000"} })
	small := pod("shop", "small", func(p *corev1.Pod) { p.Annotations = map[string]string{"n": "3"} })
	inv := mustInventory(t, big, small)
	c := mustCEL(t, check.CELSpec{
		Meta:       testMeta("custom:costly", inventory.KindPod),
		Expression: "lists.range(int(object.metadata.annotations.n)).all(i, lists.range(int(object.metadata.annotations.n)).all(j, i + j >= 0))",
		CostLimit:  10_000,
	})
	got := mustRun(t, c, inv, nil)
	require.Len(t, got, 2)
	assert.Equal(t, finding{Object: "Pod shop/big", Status: check.StatusError,
		Message: "check custom:costly: evaluating Pod shop/big: cost limit 10000 exceeded"}, got[0])
	assert.Equal(t, finding{Object: "Pod shop/small", Status: check.StatusPass}, got[1])
}

func TestCELScanCostLimit(t *testing.T) {
	var objs []runtime.Object
	for i := range 10 {
		objs = append(objs, pod("shop", fmt.Sprintf("p%02d", i)))
	}
	inv := mustInventory(t, objs...)
	c := mustCEL(t, check.CELSpec{
		Meta:          testMeta("custom:budget", inventory.KindPod),
		Expression:    "object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
		ScanCostLimit: 30,
	})
	got := mustRun(t, c, inv, nil)
	require.Len(t, got, 10)
	var passed, spent int
	for i, f := range got {
		switch f.Status {
		case check.StatusPass:
			passed++
			assert.Zero(t, spent, "no pass after the budget is spent (#%d)", i)
		case check.StatusError:
			spent++
			assert.Contains(t, f.Message, "scan cost budget (30) is spent")
			assert.Contains(t, f.Message, "check custom:budget: Pod shop/")
		default:
			t.Errorf("unexpected %+v", f)
		}
	}
	assert.Positive(t, passed)
	assert.Positive(t, spent)
}

func TestCELContextCancellation(t *testing.T) {
	inv := mustInventory(t, pod("shop", "a"), pod("shop", "b"))
	t.Run("cancelled before the run", func(t *testing.T) {
		c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:c", inventory.KindPod), Expression: "true"})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got, err := runCheck(t, ctx, c, inv, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, got)
	})
	t.Run("interrupts a long evaluation", func(t *testing.T) {
		c := mustCEL(t, check.CELSpec{
			Meta:       testMeta("custom:slow", inventory.KindPod),
			Expression: "lists.range(10000).all(i, lists.range(10000).all(j, i + j >= 0))",
			CostLimit:  check.MaxCELCostLimit, ScanCostLimit: check.MaxCELScanCostLimit,
		})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		got, err := runCheck(t, ctx, c, inv, nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "check custom:slow")
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Empty(t, got, "an interrupted evaluation yields no verdict")
	})
}

func TestCELParams(t *testing.T) {
	inv := mustInventory(t,
		pod("shop", "ok"),
		pod("shop", "hub", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "docker.io/library/nginx" }),
	)
	c := mustCEL(t, check.CELSpec{
		Meta: testMeta("custom:registries", inventory.KindPod),
		Expression: `object.spec.containers.all(c,
			params.registries.exists(r, c.image.startsWith(r + '/')))`,
		Message: "'image not from ' + params.registries.join(', ') + ' (' + params.team + ')'",
		Params:  map[string]any{"registries": []string{"registry.example.com"}, "team": "platform"},
	})
	t.Run("defaults", func(t *testing.T) {
		assert.Equal(t, []finding{
			{Object: "Pod shop/hub", Status: check.StatusFail, Message: "image not from registry.example.com (platform)"},
			{Object: "Pod shop/ok", Status: check.StatusPass},
		}, mustRun(t, c, inv, nil))
	})
	t.Run("caller overrides key by key", func(t *testing.T) {
		got := mustRun(t, c, inv, map[string]any{"registries": []any{"docker.io", "registry.example.com"}})
		assert.Equal(t, []finding{
			{Object: "Pod shop/hub", Status: check.StatusPass},
			{Object: "Pod shop/ok", Status: check.StatusPass},
		}, got)
		got = mustRun(t, c, inv, map[string]any{"registries": []string{"quay.io"}})
		assert.Equal(t, "image not from quay.io (platform)", got[0].Message)
	})
	t.Run("defaults are not modified by overrides", func(t *testing.T) {
		got := mustRun(t, c, inv, nil)
		assert.Equal(t, "image not from registry.example.com (platform)", got[0].Message)
	})
}

func networkPolicy(ns, name string) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func TestCELInventoryLookups(t *testing.T) {
	hasPolicy := check.CELSpec{
		Meta:       testMeta("custom:netpol", inventory.KindNamespace),
		Expression: "inventory.list('NetworkPolicy', object.metadata.name).size() > 0",
		Message:    "'namespace ' + object.metadata.name + ' has no NetworkPolicy'",
	}
	t.Run("namespace has a NetworkPolicy", func(t *testing.T) {
		inv := mustInventory(t, namespace("a", nil), namespace("b", nil), networkPolicy("a", "deny"))
		assert.Equal(t, []finding{
			{Object: "Namespace a", Status: check.StatusPass},
			{Object: "Namespace b", Status: check.StatusFail, Message: "namespace b has no NetworkPolicy"},
		}, mustRun(t, mustCEL(t, hasPolicy), inv, nil))
	})
	t.Run("a kind not completely known makes objects notEvaluated", func(t *testing.T) {
		b := inventory.NewBuilder(inventory.ModeCluster)
		require.NoError(t, b.Add(namespace("a", nil), inventory.Source{}))
		b.SetCoverage(inventory.Coverage{Group: "networking.k8s.io", Kind: "NetworkPolicy", State: inventory.Forbidden, Reason: "RBAC denies list"})
		got := mustRun(t, mustCEL(t, hasPolicy), b.Build(), nil)
		require.Len(t, got, 1)
		assert.Equal(t, check.StatusNotEvaluated, got[0].Status)
		assert.Contains(t, got[0].Message, "networkpolicies forbidden: RBAC denies list")
	})
	t.Run("a completely listed kind with no objects is a fact", func(t *testing.T) {
		b := inventory.NewBuilder(inventory.ModeCluster)
		require.NoError(t, b.Add(namespace("a", nil), inventory.Source{}))
		b.SetCoverage(inventory.Coverage{Group: "networking.k8s.io", Kind: "NetworkPolicy", State: inventory.Listed})
		assert.Equal(t, []finding{
			{Object: "Namespace a", Status: check.StatusFail, Message: "namespace a has no NetworkPolicy"},
		}, mustRun(t, mustCEL(t, hasPolicy), b.Build(), nil))
	})
	t.Run("list all and get", func(t *testing.T) {
		inv := mustInventory(t,
			namespace("a", nil), networkPolicy("a", "deny"), networkPolicy("b", "allow"),
			&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "default"}},
		)
		c := mustCEL(t, check.CELSpec{
			Meta: testMeta("custom:lookups", inventory.KindNamespace),
			Expression: `inventory.list('networkpolicies.networking.k8s.io').size() == 2 &&
				inventory.list("NetworkPolicy").map(p, p.metadata.name) == ["deny", "allow"] &&
				inventory.get('ServiceAccount', object.metadata.name, 'default').hasValue() &&
				!inventory.get('ServiceAccount', object.metadata.name, 'builder').hasValue() &&
				inventory.get('Namespace', '', 'a').?metadata.name.orValue('') == 'a'`,
		})
		assert.Equal(t, []finding{{Object: "Namespace a", Status: check.StatusPass}}, mustRun(t, c, inv, nil))
	})
	t.Run("an empty kind is an error", func(t *testing.T) {
		inv := mustInventory(t, namespace("a", nil))
		c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:bad", inventory.KindNamespace),
			Expression: "inventory.list('').size() == 0"})
		got := mustRun(t, c, inv, nil)
		require.Len(t, got, 1)
		assert.Equal(t, check.StatusError, got[0].Status)
		assert.Contains(t, got[0].Message, "invalid kind")
	})
}

func deployment(ns, name string, mutate ...func(*appsv1.Deployment)) *appsv1.Deployment {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Spec: appsv1.DeploymentSpec{
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
			},
		},
	}
	for _, m := range mutate {
		m(d)
	}
	return d
}

func TestCELPodTemplates(t *testing.T) {
	web := deployment("shop", "web", func(d *appsv1.Deployment) { d.Spec.Template.Spec.HostPID = true })
	api := deployment("shop", "api")
	// A ReplicaSet controlled by web: its template is web's and is not evaluated twice.
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-123", OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "uid-web", Controller: ptr.To(true)}}},
		Spec: appsv1.ReplicaSetSpec{Template: web.Spec.Template},
	}
	bare := pod("shop", "debug", func(p *corev1.Pod) { p.Spec.HostPID = true; p.Labels = map[string]string{"app": "debug"} })
	inv := mustInventory(t, web, api, rs, bare, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}})

	spec := check.CELSpec{
		PodTemplates: true,
		Expression:   "podSpec.?hostPID.orValue(false) == false",
		Message:      "object.kind + ' ' + object.metadata.name + ': pods labelled app=' + podMetadata.labels.app + ' share the host PID namespace'",
	}
	t.Run("every pod template", func(t *testing.T) {
		spec.Meta = testMeta("custom:hostpid")
		assert.Equal(t, []finding{
			{Object: "Pod shop/debug", Status: check.StatusFail, Field: "spec",
				Message: "Pod debug: pods labelled app=debug share the host PID namespace"},
			{Object: "Deployment shop/api", Status: check.StatusPass, Field: "spec.template.spec"},
			{Object: "Deployment shop/web", Status: check.StatusFail, Field: "spec.template.spec",
				Message: "Deployment web: pods labelled app=web share the host PID namespace"},
		}, mustRun(t, mustCEL(t, spec), inv, nil))
	})
	t.Run("owners of the kinds selected", func(t *testing.T) {
		spec.Meta = testMeta("custom:hostpid", inventory.KindPod)
		assert.Equal(t, []finding{
			{Object: "Pod shop/debug", Status: check.StatusFail, Field: "spec",
				Message: "Pod debug: pods labelled app=debug share the host PID namespace"},
		}, mustRun(t, mustCEL(t, spec), inv, nil))
	})
}

func TestCELConcurrentRuns(t *testing.T) {
	c := mustCEL(t, check.CELSpec{
		Meta:       testMeta("custom:netpol", inventory.KindNamespace),
		Expression: "inventory.list('NetworkPolicy', object.metadata.name).size() > 0",
	})
	invA := mustInventory(t, namespace("a", nil), networkPolicy("a", "p"))
	invB := mustInventory(t, namespace("a", nil), networkPolicy("b", "p"))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			inv, want := invA, check.StatusPass
			if i%2 == 1 {
				inv, want = invB, check.StatusFail
			}
			got, err := runCheck(t, context.Background(), c, inv, nil)
			assert.NoError(t, err)
			if assert.Len(t, got, 1) {
				assert.Equal(t, want, got[0].Status)
			}
		})
	}
	wg.Wait()
}

func TestCELCheckIsValid(t *testing.T) {
	c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:ok", inventory.KindPod), Expression: "true"})
	v, ok := c.(check.Validator)
	require.True(t, ok, "CEL checks implement Validator")
	assert.NoError(t, v.Validate())
	assert.NoError(t, check.Validate([]check.Check{c}))
}

func TestCELMetaIsACopy(t *testing.T) {
	kinds := []schema.GroupKind{inventory.KindPod}
	c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:copy", kinds...), Expression: "true"})
	kinds[0] = inventory.KindService
	assert.Equal(t, []schema.GroupKind{inventory.KindPod}, c.Meta().Kinds)
}

// clusterInventory builds a cluster inventory of objs in which every built-in kind was listed,
// except those given in gaps, which get the coverage given.
func clusterInventory(t testing.TB, gaps []inventory.Coverage, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, o := range objs {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, c := range gaps {
		b.SetCoverage(c)
	}
	return b.Build()
}

// Objects of a selected kind that the inventory could not see get no result of their own: the
// check says so once, so that a list of passes is not read as the whole picture.
func TestCELUnseenKinds(t *testing.T) {
	forbidden := func(group, kind string) inventory.Coverage {
		return inventory.Coverage{Group: group, Kind: kind, State: inventory.Forbidden, Reason: "RBAC denies list"}
	}
	noHostNet := "object.spec.?hostNetwork.orValue(false) == false"
	tests := []struct {
		name string
		spec check.CELSpec
		inv  *inventory.Inventory
		want []finding
	}{
		{
			name: "a selected kind forbidden in a cluster",
			spec: check.CELSpec{Meta: testMeta("custom:c", inventory.KindPod, inventory.KindService), Expression: "true"},
			inv:  clusterInventory(t, []inventory.Coverage{forbidden("", "Service")}, pod("shop", "web")),
			want: []finding{
				{Status: check.StatusNotEvaluated, Message: "objects of kinds not completely seen were not evaluated: services forbidden: RBAC denies list"},
				{Object: "Pod shop/web", Status: check.StatusPass},
			},
		},
		{
			name: "every object: any kind forbidden in a cluster",
			spec: check.CELSpec{Meta: testMeta("custom:c"), Expression: "true"},
			inv:  clusterInventory(t, []inventory.Coverage{forbidden("", "Secret")}, pod("shop", "web")),
			want: []finding{
				{Status: check.StatusNotEvaluated, Message: "objects of kinds not completely seen were not evaluated: secrets forbidden: RBAC denies list"},
				{Object: "Pod shop/web", Status: check.StatusPass},
			},
		},
		{
			name: "pod templates: a workload kind forbidden in a cluster",
			spec: check.CELSpec{Meta: testMeta("custom:c"), PodTemplates: true, Expression: "podSpec.?hostPID.orValue(false) == false"},
			inv:  clusterInventory(t, []inventory.Coverage{forbidden("apps", "Deployment")}, pod("shop", "web")),
			want: []finding{
				{Status: check.StatusNotEvaluated, Message: "objects of kinds not completely seen were not evaluated: deployments forbidden: RBAC denies list"},
				{Object: "Pod shop/web", Status: check.StatusPass, Field: "spec"},
			},
		},
		{
			name: "pod templates of selected kinds: other kinds' gaps do not matter",
			spec: check.CELSpec{Meta: testMeta("custom:c", inventory.KindPod), PodTemplates: true, Expression: "true"},
			inv:  clusterInventory(t, []inventory.Coverage{forbidden("apps", "Deployment")}, pod("shop", "web")),
			want: []finding{{Object: "Pod shop/web", Status: check.StatusPass, Field: "spec"}},
		},
		{
			name: "every object: a document of manifests that failed to load",
			spec: check.CELSpec{Meta: testMeta("custom:c"), Expression: "true"},
			inv: func() *inventory.Inventory {
				b := inventory.NewBuilder(inventory.ModeManifests)
				require.NoError(t, b.Add(pod("shop", "web"), inventory.Source{}))
				b.AddError(&inventory.SourceError{Source: inventory.Source{File: "cm.yaml", Line: 4},
					Object: "ConfigMap shop/settings", Err: errors.New("data: wrong type")})
				return b.Build()
			}(),
			want: []finding{
				{Status: check.StatusNotEvaluated, Message: "objects of kinds not completely seen were not evaluated: configmaps incomplete: 1 document failed to load: cm.yaml:4"},
				{Object: "Pod shop/web", Status: check.StatusPass},
			},
		},
		{
			name: "a kind absent from manifests is no gap",
			spec: check.CELSpec{Meta: testMeta("custom:c", inventory.KindPod, inventory.KindService), Expression: noHostNet},
			inv:  mustInventory(t, pod("shop", "web")),
			want: []finding{{Object: "Pod shop/web", Status: check.StatusPass}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mustRun(t, mustCEL(t, tt.spec), tt.inv, nil))
		})
	}
}

// namespaceObject is null for a cluster-scoped object, and for a namespaced object whose
// Namespace does not exist (the inventory holds every Namespace there is). When the Namespace
// is not known (the Namespaces could not be listed, or the manifests lack it and may be a part
// of a cluster), null would say "no such namespace" about one that may exist: an expression
// whose verdict depends on namespaceObject makes the object notEvaluated instead, however it
// guards against null; one whose verdict does not (CEL's && and || decide without an operand
// that fails when the other decides) keeps its verdict.
func TestCELNamespaceObjectUnseen(t *testing.T) {
	forbidden := clusterInventory(t, []inventory.Coverage{{Kind: "Namespace", State: inventory.Forbidden, Reason: "RBAC denies list"}},
		pod("prod", "a"))
	const forbiddenMsg = "cannot be evaluated: namespaces forbidden: RBAC denies list"
	manifests := mustInventory(t, pod("prod", "a"), namespace("other", nil))
	const manifestsMsg = "cannot be evaluated: its Namespace prod is not in the manifests: it may be defined elsewhere (declare the manifests complete to judge)"
	tests := []struct {
		name, expr string
		inv        *inventory.Inventory
		want       finding
	}{
		{"forbidden: null-guarded label test", "namespaceObject == null || namespaceObject.metadata.labels.env == 'prod'", forbidden,
			finding{Object: "Pod prod/a", Status: check.StatusNotEvaluated, Message: forbiddenMsg}},
		{"forbidden: expressions that do not read it are evaluated", "object.spec.?hostNetwork.orValue(false) == false", forbidden,
			finding{Object: "Pod prod/a", Status: check.StatusPass}},
		{"manifests: a null test cannot pass", "namespaceObject == null", manifests,
			finding{Object: "Pod prod/a", Status: check.StatusNotEvaluated, Message: manifestsMsg}},
		{"manifests: nor can a null guard", "namespaceObject == null || namespaceObject.metadata.labels.env != 'prod'", manifests,
			finding{Object: "Pod prod/a", Status: check.StatusNotEvaluated, Message: manifestsMsg}},
		{"manifests: nor fail", "namespaceObject != null && namespaceObject.metadata.labels.env == 'prod'", manifests,
			finding{Object: "Pod prod/a", Status: check.StatusNotEvaluated, Message: manifestsMsg}},
		{"manifests: a verdict that does not depend on it stands", "object.metadata.name == 'a' || namespaceObject.metadata.labels.env == 'prod'", manifests,
			finding{Object: "Pod prod/a", Status: check.StatusPass}},
		{"manifests: on either side", "namespaceObject.metadata.labels.env == 'prod' && object.metadata.name == 'b'", manifests,
			finding{Object: "Pod prod/a", Status: check.StatusFail, Message: "title of custom:ns"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:ns", inventory.KindPod), Expression: tt.expr})
			assert.Equal(t, []finding{tt.want}, mustRun(t, c, tt.inv, nil))
		})
	}
	t.Run("manifests declared complete: the Namespace does not exist", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pod.yaml")
		require.NoError(t, os.WriteFile(path, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: prod}\nspec: {containers: [{name: c, image: i}]}\n"), 0o600))
		inv, err := inventory.LoadManifests(context.Background(), []string{path}, inventory.WithCompleteInput())
		require.NoError(t, err)
		c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:ns", inventory.KindPod), Expression: "namespaceObject == null"})
		assert.Equal(t, []finding{{Object: "Pod prod/a", Status: check.StatusPass}}, mustRun(t, c, inv, nil))
	})
}

// A caller's parameter that no expression reads is a typo: the check would silently run with
// its defaults. It is an error, unless an expression reads params in a way that cannot be
// followed (a computed key, params passed whole).
func TestCELUnknownParams(t *testing.T) {
	inv := mustInventory(t, pod("shop", "web"))
	spec := check.CELSpec{
		Meta: testMeta("custom:regs", inventory.KindPod),
		Expression: `object.spec.containers.all(c, params.registries.exists(r, c.image.startsWith(r))) &&
			params.?strict.orValue(false) == false && ('team' in params || params['mode'] != 'x' || has(params.extra))`,
		Message: "'bad image; see ' + params.doc",
		Params:  map[string]any{"registries": []string{"registry.example.com/"}, "doc": "wiki", "mode": "y"},
	}
	c := mustCEL(t, spec)
	t.Run("parameters the expressions read are accepted", func(t *testing.T) {
		for _, key := range []string{"registries", "strict", "team", "mode", "extra", "doc"} {
			got, err := runCheck(t, context.Background(), c, inv, map[string]any{key: nil})
			require.NoError(t, err, key)
			require.NotEmpty(t, got, key)
		}
	})
	t.Run("a parameter no expression reads is an error", func(t *testing.T) {
		got, err := runCheck(t, context.Background(), c, inv, map[string]any{"registires": []any{"quay.io/"}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `check custom:regs: unknown parameter "registires"`)
		assert.Contains(t, err.Error(), "doc, extra, mode, registries, strict, team")
		assert.Empty(t, got, "no verdict with a parameter that would be ignored")
	})
	t.Run("params read whole: any parameter is accepted", func(t *testing.T) {
		dyn := mustCEL(t, check.CELSpec{Meta: testMeta("custom:dyn", inventory.KindPod),
			Expression: "params.all(k, k != '') && params.size() >= 0"})
		_, err := runCheck(t, context.Background(), dyn, inv, map[string]any{"anything": 1})
		require.NoError(t, err)
		key := mustCEL(t, check.CELSpec{Meta: testMeta("custom:key", inventory.KindPod),
			Expression: "cel.bind(k, 'a' + 'b', params[?k].orValue(1) == 1)"})
		_, err = runCheck(t, context.Background(), key, inv, map[string]any{"ab": 1})
		require.NoError(t, err)
	})
}

// TestCELNothingToEvaluate: a check whose kinds the inventory does not hold (a misspelt kind
// in a check file, or simply none in the input) says so instead of reporting nothing.
func TestCELNothingToEvaluate(t *testing.T) {
	for _, tt := range []struct {
		name         string
		kinds        []string
		podTemplates bool
		want         string
	}{
		{"misspelt kind", []string{"Ingres"}, false, "no objects of kind Ingres"},
		{"no pod templates", []string{"Deployment"}, true, "no pod templates of kind Deployment.apps"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var kinds []schema.GroupKind
			for _, k := range tt.kinds {
				kinds = append(kinds, inventory.ParseGroupKind(k))
			}
			c, err := check.CEL(check.CELSpec{Meta: check.Meta{ID: "t:nothing", Title: "t", Severity: check.Low, Remediation: "r", Kinds: kinds},
				PodTemplates: tt.podTemplates, Expression: "true"})
			require.NoError(t, err)
			inv, err := inventory.New(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "a"}})
			require.NoError(t, err)
			var got []check.Finding
			require.NoError(t, c.Run(context.Background(), check.NewPass(inv, c.Meta(), nil, func(f check.Finding) { got = append(got, f) })))
			require.Len(t, got, 1)
			assert.Equal(t, check.StatusNotApplicable, got[0].Status)
			assert.Nil(t, got[0].Object)
			assert.Contains(t, got[0].Message, tt.want)
		})
	}
}

// A failure message is bounded: a message expression may build a long string (within its
// cost limit), but a result carries at most MaxCELMessageLength bytes of it.
func TestCELMessageIsBounded(t *testing.T) {
	c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:long", inventory.KindPod), Expression: "false",
		Message: "lists.range(5000).map(i, 'line ' + string(i)).join(', ')"})
	got := mustRun(t, c, mustInventory(t, pod("shop", "a")), nil)
	require.Len(t, got, 1)
	msg := got[0].Message
	assert.LessOrEqual(t, len(msg), check.MaxCELMessageLength)
	assert.True(t, strings.HasPrefix(msg, "line 0, line 1, line 2"), msg[:40])
	assert.True(t, strings.HasSuffix(msg, " … (message truncated)"), msg[len(msg)-40:])
	assert.True(t, utf8.ValidString(msg))
}
