package rbacdefaults

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// The embedded files load, every binding resolves, and each file is in Encode's canonical
// form (so a regenerated file differs only where the facts do).
func TestEmbeddedFiles(t *testing.T) {
	for name, data := range map[string][]byte{"apiserver.yaml": apiserverYAML, "kubeadm.yaml": kubeadmYAML} {
		t.Run(name, func(t *testing.T) {
			objs, err := Decode(data)
			require.NoError(t, err)
			require.NotEmpty(t, objs)
			var header []string
			for _, line := range strings.SplitAfter(string(data), "\n") {
				if !strings.HasPrefix(line, "#") {
					break
				}
				header = append(header, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
			}
			out, err := Encode(strings.Join(header, ""), objs)
			require.NoError(t, err)
			assert.Equal(t, string(data), string(out))
		})
	}
	for name, p := range map[string]*Policy{"APIServer": APIServer(), "WithKubeadm": WithKubeadm()} {
		t.Run(name, func(t *testing.T) {
			require.NotEmpty(t, p.Bindings())
			for _, b := range p.Bindings() {
				assert.Equal(t, authz.RoleFound, b.RoleStatus, b.String())
			}
		})
	}
	assert.Same(t, APIServer(), APIServer(), "built once")
	assert.Greater(t, len(WithKubeadm().Bindings()), len(APIServer().Bindings()))
	assert.Nil(t, APIServer().Role(authz.KindClusterRole, "", "system:coredns"), "kubeadm's objects are apart")
	assert.NotNil(t, WithKubeadm().Role(authz.KindClusterRole, "", "system:coredns"))
	assert.NotNil(t, WithKubeadm().Role(authz.KindRole, "kube-system", "kube-proxy"))
}

func TestDecodeErrors(t *testing.T) {
	for _, data := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: Secret\nmetadata: {name: x}\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x}\nrulez: []\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: [\n",
	} {
		_, err := Decode([]byte(data))
		assert.Error(t, err, data)
	}
	_, err := Encode("", []runtime.Object{&rbacv1.ClusterRoleList{}})
	assert.Error(t, err)
}

func TestCovers(t *testing.T) {
	rule := func(verbs, groups, resources []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
	}
	l := func(s ...string) []string { return s }
	named := func(r rbacv1.PolicyRule, names ...string) rbacv1.PolicyRule { r.ResourceNames = names; return r }
	urls := func(verbs []string, us ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, NonResourceURLs: us}
	}
	tests := []struct {
		name string
		d, r rbacv1.PolicyRule
		want bool
	}{
		{"same", rule(l("get", "list"), l(""), l("pods")), rule(l("get", "list"), l(""), l("pods")), true},
		{"subset in another order", rule(l("get", "list", "watch"), l("", "apps"), l("pods", "deployments")), rule(l("watch", "get"), l("apps"), l("deployments")), true},
		{"more verbs", rule(l("get"), l(""), l("pods")), rule(l("get", "delete"), l(""), l("pods")), false},
		{"verb wildcard needs a wildcard", rule(l("get", "list"), l(""), l("pods")), rule(l("*"), l(""), l("pods")), false},
		{"wildcard covers any verb", rule(l("*"), l(""), l("pods")), rule(l("escalate"), l(""), l("pods")), true},
		{"another group", rule(l("get"), l(""), l("pods")), rule(l("get"), l("apps"), l("pods")), false},
		{"group wildcard", rule(l("get"), l("*"), l("pods")), rule(l("get"), l("x.io"), l("pods")), true},
		{"group wildcard needs a wildcard", rule(l("get"), l(""), l("pods")), rule(l("get"), l("*"), l("pods")), false},
		{"another resource", rule(l("get"), l(""), l("pods")), rule(l("get"), l(""), l("secrets")), false},
		{"subresource is another resource", rule(l("get"), l(""), l("pods")), rule(l("get"), l(""), l("pods/exec")), false},
		{"resource wildcard", rule(l("get"), l(""), l("*")), rule(l("get"), l(""), l("pods/exec", "*/scale")), true},
		{"*/sub covers x/sub", rule(l("get"), l(""), l("*/scale")), rule(l("get"), l(""), l("deployments/scale")), true},
		{"*/sub does not cover x", rule(l("get"), l(""), l("*/scale")), rule(l("get"), l(""), l("deployments")), false},
		{"x/sub does not cover */sub", rule(l("get"), l(""), l("deployments/scale")), rule(l("get"), l(""), l("*/scale")), false},
		{"*/* covers the literal subresource x/*", rule(l("get"), l(""), l("*/*")), rule(l("get"), l(""), l("pods/*")), true},
		{"resource wildcard needs a wildcard", rule(l("get"), l(""), l("pods", "*/scale")), rule(l("get"), l(""), l("*")), false},
		{"names within names", named(rule(l("get"), l(""), l("configmaps")), "a", "b"), named(rule(l("get"), l(""), l("configmaps")), "b"), true},
		{"other names", named(rule(l("get"), l(""), l("configmaps")), "a"), named(rule(l("get"), l(""), l("configmaps")), "a", "c"), false},
		{"unnamed is wider than named", named(rule(l("get"), l(""), l("configmaps")), "a"), rule(l("get"), l(""), l("configmaps")), false},
		{"named within unnamed", rule(l("get"), l(""), l("configmaps")), named(rule(l("get"), l(""), l("configmaps")), "a"), true},
		{"same URL", urls(l("get"), "/healthz"), urls(l("get"), "/healthz"), true},
		{"URL under a prefix", urls(l("get"), "/api/*"), urls(l("get"), "/api/v1", "/api/*"), true},
		{"prefix URL under a shorter prefix", urls(l("get"), "/apis/*"), urls(l("get"), "/apis/apps*"), true},
		{"prefix is wider than the path", urls(l("get"), "/apis/apps"), urls(l("get"), "/apis/apps*"), false},
		{"URL wildcard needs a wildcard", urls(l("get"), "/api/*", "/healthz"), urls(l("get"), "*"), false},
		{"resource rule does not cover URLs", rule(l("*"), l("*"), l("*")), urls(l("get"), "/metrics"), false},
		{"URL rule does not cover resources", urls(l("*"), "*"), rule(l("get"), l(""), l("pods")), false},
		{"a rule without verbs allows nothing", rule(nil, l(""), l("pods")), rule(nil, l("*"), l("*")), true},
		{"a rule without resources allows no resource", rule(l("get"), l(""), l("pods")), rule(l("*"), l("*"), nil), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, covers(&tc.d, &tc.r))
			// Coverage is what RuleAllows sees: a covered rule allows no probe request
			// the covering rule refuses.
			if tc.want {
				for _, req := range probes() {
					if authz.RuleAllows(&tc.r, req) {
						assert.True(t, authz.RuleAllows(&tc.d, req), "%s allowed by r, not by d", req)
					}
				}
			}
		})
	}
}

// probes are requests that exercise every field of the rules in TestCovers.
func probes() []authz.Request {
	var out []authz.Request
	for _, verb := range []string{"get", "list", "delete", "escalate", "watch"} {
		for _, res := range []string{"pods", "pods/exec", "secrets", "configmaps", "deployments.apps", "deployments.apps/scale", "widgets.x.io"} {
			r := authz.MustParseRequest(verb, res)
			out = append(out, r, r.Named("a"), r.Named("b"), r.Named("c"), r.ForSomeName())
		}
		for _, p := range []string{"/healthz", "/api/v1", "/apis/apps/v1", "/apis/appsx", "/metrics"} {
			out = append(out, authz.NonResourceRequest(verb, p))
		}
	}
	return out
}

// scanned builds an engine over objs as if listed from a cluster, every RBAC kind complete.
func scanned(t *testing.T, objs ...runtime.Object) *authz.Engine {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, o := range objs {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	for _, gk := range authz.Kinds() {
		b.SetCoverage(inventory.Coverage{Group: gk.Group, Kind: gk.Kind, State: inventory.Listed})
	}
	return authz.New(b.Build())
}

func find[T runtime.Object](t *testing.T, p *Policy, name string) T {
	t.Helper()
	for _, o := range p.Objects() {
		if x, ok := o.(T); ok {
			if m, err := metaOf(x); err == nil && m.Name == name {
				return x
			}
		}
	}
	t.Fatalf("no %T %s in the policy", *new(T), name)
	return *new(T)
}

func bindingOf(t *testing.T, e *authz.Engine, ref string) *authz.Binding {
	t.Helper()
	for _, b := range e.Bindings() {
		if b.String() == ref {
			return b
		}
	}
	t.Fatalf("no %s", ref)
	return nil
}

func TestRecognisedByContent(t *testing.T) {
	p := APIServer()
	crb := func(name, role string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
		return &rbacv1.ClusterRoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{LabelBootstrapping: "rbac-defaults"}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: subjects}
	}
	user := func(n string) rbacv1.Subject {
		return rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: n}
	}
	masters := rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:masters"}
	kubeDNS := rbacv1.Subject{Kind: "ServiceAccount", Namespace: "kube-system", Name: "kube-dns"}

	kubeDNSRole := find[*rbacv1.ClusterRole](t, p, "system:kube-dns")
	edited := kubeDNSRole.DeepCopy()
	edited.Rules = append(edited.Rules, rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}})

	e := scanned(t,
		find[*rbacv1.ClusterRole](t, p, "cluster-admin"),
		crb("cluster-admin", "cluster-admin", masters, user("mallory")),
		crb("system:kube-dns", "system:kube-dns", kubeDNS),
		crb("system:kube-scheduler", "cluster-admin", user("system:kube-scheduler")), // default name and subject, other role
		edited)
	listSecrets := authz.MustParseRequest("list", "secrets")
	listServices := authz.MustParseRequest("list", "services")
	admin := bindingOf(t, e, "ClusterRoleBinding cluster-admin")
	assert.True(t, p.Binds(admin, authz.Subject{Kind: "Group", Name: "system:masters"}))
	assert.False(t, p.Binds(admin, authz.Subject{Kind: "User", Name: "mallory"}), "a subject the default binding does not name")
	assert.False(t, p.Binds(bindingOf(t, e, "ClusterRoleBinding system:kube-scheduler"), authz.Subject{Kind: "User", Name: "system:kube-scheduler"}),
		"a default binding's name and subject with another role")
	dns := bindingOf(t, e, "ClusterRoleBinding system:kube-dns")
	dnsSA := authz.Subject{Kind: "ServiceAccount", Namespace: "kube-system", Name: "kube-dns"}
	assert.False(t, p.Binds(dns, dnsSA), "its role was edited to grant more")

	grantsFor := func(req authz.Request) map[string]bool {
		out := map[string]bool{}
		for _, g := range e.WhoCan(req) {
			out[g.Subject.String()+" "+g.Rule.String()] = p.Grants(g, req)
		}
		return out
	}
	assert.Equal(t, map[string]bool{
		"Group system:masters rule #0 (verbs: *; apiGroups: *; resources: *)":                true,
		"User mallory rule #0 (verbs: *; apiGroups: *; resources: *)":                        false,
		"User system:kube-scheduler rule #0 (verbs: *; apiGroups: *; resources: *)":          false,
		"ServiceAccount kube-system/kube-dns rule #1 (verbs: *; apiGroups: *; resources: *)": false,
	}, grantsFor(listSecrets))
	got := grantsFor(listServices)
	assert.True(t, got["ServiceAccount kube-system/kube-dns rule #0 (verbs: list, watch; apiGroups: \"\"; resources: endpoints, services)"],
		"the default role's own rule is a default grant")
	assert.True(t, got["ServiceAccount kube-system/kube-dns rule #1 (verbs: *; apiGroups: *; resources: *)"],
		"what the default role allows anyway is default, whatever rule grants it")

	assert.True(t, p.DefaultRule(authz.KindClusterRole, "", "cluster-admin", &rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}))
	assert.False(t, p.DefaultRule(authz.KindClusterRole, "", "system:kube-dns", &edited.Rules[1]))
	assert.False(t, p.DefaultRule(authz.KindClusterRole, "", "no-such-role", &kubeDNSRole.Rules[0]))
	assert.True(t, p.NamesSubject(dnsSA))
	assert.False(t, p.NamesSubject(authz.Subject{Kind: "User", Name: "mallory"}))
}

// Objects returns copies: changing them changes nothing in the policy.
func TestObjectsAreCopies(t *testing.T) {
	p := APIServer()
	cr := find[*rbacv1.ClusterRole](t, p, "system:kube-dns")
	cr.Rules[0].Verbs[0] = "*"
	again := find[*rbacv1.ClusterRole](t, p, "system:kube-dns")
	assert.NotEqual(t, "*", again.Rules[0].Verbs[0])
}
