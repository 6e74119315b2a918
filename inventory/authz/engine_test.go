package authz

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestBindingScope(t *testing.T) {
	readPods := clusterRole("read-pods", pr(l("get", "list"), l(""), l("pods")))
	inv := manifests(t,
		readPods,
		role("a", "exec", pr(l("create"), l(""), l("pods/exec"))),
		role("b", "exec", pr(l("create"), l(""), l("pods/exec"))),
		crb("global", "read-pods", user("root")),
		rb("a", "local", KindClusterRole, "read-pods", user("alice")),
		rb("a", "exec", KindRole, "exec", user("alice")),
		// A Role of another namespace with the same name is not this binding's role.
		rb("c", "exec", KindRole, "exec", user("carol")),
		// A ClusterRoleBinding cannot grant a Role.
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Subjects: []rbacv1.Subject{user("mallory")},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: KindRole, Name: "exec"}},
	)
	e := New(inv)
	get := MustParseRequest("get", "pods")
	exec := MustParseRequest("create", "pods/exec")
	tests := []struct {
		name string
		user User
		req  Request
		want bool
	}{
		{"ClusterRoleBinding grants in a namespace", AuthenticatedUser("root"), get.In("zzz"), true},
		{"ClusterRoleBinding grants across namespaces", AuthenticatedUser("root"), get, true},
		{"RoleBinding to a ClusterRole grants in its namespace", AuthenticatedUser("alice"), get.In("a"), true},
		{"RoleBinding to a ClusterRole does not grant in another namespace", AuthenticatedUser("alice"), get.In("b"), false},
		{"RoleBinding does not grant across namespaces", AuthenticatedUser("alice"), get, false},
		{"RoleBinding to a Role grants in its namespace", AuthenticatedUser("alice"), exec.In("a"), true},
		{"Role grants nothing elsewhere", AuthenticatedUser("alice"), exec.In("b"), false},
		{"RoleBinding to a Role of another namespace grants nothing", AuthenticatedUser("carol"), exec.In("c"), false},
		{"ClusterRoleBinding to a Role grants nothing", AuthenticatedUser("mallory"), exec.In("a"), false},
		{"verb not in the rule", AuthenticatedUser("root"), MustParseRequest("delete", "pods").In("a"), false},
		{"unbound user", AuthenticatedUser("eve"), get.In("a"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, gs := e.Can(tt.user, tt.req)
			assert.Equal(t, tt.want, ok)
			assert.Equal(t, tt.want, len(gs) > 0)
		})
	}

	var statuses []string
	for _, b := range e.Bindings() {
		statuses = append(statuses, b.String()+"="+string(b.RoleStatus))
	}
	assert.Equal(t, []string{
		"ClusterRoleBinding bad=invalid", "ClusterRoleBinding global=found",
		"RoleBinding a/exec=found", "RoleBinding a/local=found", "RoleBinding c/exec=missing",
	}, statuses)

	t.Run("WhoCan in a namespace", func(t *testing.T) {
		assert.Equal(t, []string{"User root", "User alice"}, subjects(e.WhoCan(get.In("a"))))
		assert.Equal(t, []string{"User root"}, subjects(e.WhoCan(get.In("b"))))
		assert.Equal(t, []string{"User root"}, subjects(e.WhoCan(get)))
		assert.Equal(t, []string{"User alice"}, subjects(e.WhoCan(exec.In("a"))))
		assert.Empty(t, e.WhoCan(exec.In("b")))
	})
	t.Run("WhoCanAnywhere", func(t *testing.T) {
		gs := e.WhoCanAnywhere(get)
		assert.Equal(t, []string{"User root", "User alice"}, subjects(gs))
		require.Len(t, gs, 2)
		assert.Equal(t, "cluster-wide", gs[0].Scope())
		assert.Equal(t, `in namespace "a"`, gs[1].Scope())
		ok, gs := e.CanAnywhere(AuthenticatedUser("alice"), exec)
		assert.True(t, ok)
		require.Len(t, gs, 1)
		assert.Equal(t, "RoleBinding a/exec", gs[0].Binding.String())
	})
}

func TestClusterScopedResources(t *testing.T) {
	inv := manifests(t,
		clusterRole("nodes", pr(l("get"), l(""), l("nodes", "namespaces"))),
		rb("a", "nodes-in-a", KindClusterRole, "nodes", user("alice")),
		crb("nodes", "nodes", user("root")),
	)
	e := New(inv)
	// A RoleBinding never grants a request for nodes: it is never made in a namespace...
	assert.Equal(t, []string{"User root"}, subjects(e.WhoCanAnywhere(MustParseRequest("get", "nodes"))))
	ok, _ := e.CanAnywhere(AuthenticatedUser("alice"), MustParseRequest("get", "nodes"))
	assert.False(t, ok)
	// ...but does grant its own Namespace object, whose requests are made in it.
	ok, _ = e.Can(AuthenticatedUser("alice"), MustParseRequest("get", "namespaces").Named("a").In("a"))
	assert.True(t, ok)
}

// TestRequestPlacement: the "anywhere" questions count a RoleBinding only for requests the API
// server authorizes in the binding's namespace. A cluster-scoped resource's requests carry no
// namespace, except a Namespace object's own (GET /api/v1/namespaces/NAME is authorized in
// namespace NAME) and bind on ClusterRoles (asked in the namespace of the RoleBinding written).
func TestRequestPlacement(t *testing.T) {
	inv := manifests(t,
		crb("root", "ns-reader", user("root")),
		clusterRole("ns-reader", pr(l("get", "list"), l(""), l("namespaces"))),
		role("a", "ns-reader", pr(l("get", "list"), l(""), l("namespaces"))),
		rb("a", "ns-reader", KindRole, "ns-reader", user("u")),
		// Names another namespace: a request for it is never made in b.
		role("b", "zzz-reader", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("namespaces"), ResourceNames: l("zzz")}),
		rb("b", "zzz-reader", KindRole, "zzz-reader", user("v")),
		rb("zzz", "ns-reader", KindClusterRole, "ns-reader", user("w")),
		clusterRole("ns-admin", pr(l("create", "delete", "update"), l(""), l("namespaces", "namespaces/finalize"))),
		rb("c", "ns-admin", KindClusterRole, "ns-admin", user("x")),
		role("default", "test", pr(l("*"), l("rbac.authorization.k8s.io"), l("clusterroles"))),
		rb("default", "test", KindRole, "test", user("jane")),
		role("shop", "cr-escalate", pr(l("escalate"), l("rbac.authorization.k8s.io"), l("clusterroles"))),
		rb("shop", "cr-escalate", KindRole, "cr-escalate", user("pat")),
	)
	e := New(inv)
	ns := MustParseRequest("get", "namespaces")
	tests := []struct {
		name string
		req  Request
		want []string
	}{
		{"list namespaces is cluster-scoped", MustParseRequest("list", "namespaces"), l("User root")},
		{"get one namespace: only in that namespace", ns.Named("zzz"), l("User root", "User w")},
		{"get one namespace: a RoleBinding elsewhere never counts", ns.Named("a"), l("User root", "User u")},
		{"get every namespace: no RoleBinding grants it", ns, l("User root")},
		{"get some namespace: each RoleBinding for its own, resourceNames naming it", ns.ForSomeName(), l("User root", "User u", "User w")},
		{"delete some namespace: its own", MustParseRequest("delete", "namespaces").ForSomeName(), l("User x")},
		{"a namespace's subresource", MustParseRequest("update", "namespaces/finalize").Named("c"), l("User x")},
		{"create namespaces is cluster-scoped", MustParseRequest("create", "namespaces"), nil},
		{"bind ClusterRoles: in the RoleBinding's namespace", MustParseRequest("bind", "clusterroles.rbac.authorization.k8s.io"), l("User jane")},
		{"bind one ClusterRole", MustParseRequest("bind", "clusterroles.rbac.authorization.k8s.io").Named("cluster-admin"), l("User jane")},
		{"escalate ClusterRoles is cluster-scoped", MustParseRequest("escalate", "clusterroles.rbac.authorization.k8s.io"), nil},
		{"update ClusterRoles is cluster-scoped", MustParseRequest("update", "clusterroles.rbac.authorization.k8s.io"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, subjects(e.WhoCanAnywhere(tt.req)), "WhoCanAnywhere")
			for _, name := range l("root", "u", "v", "w", "x", "jane", "pat") {
				ok, gs := e.CanAnywhere(AuthenticatedUser(name), tt.req)
				assert.Equal(t, slices.Contains(tt.want, "User "+name), ok, "CanAnywhere for %s: %v", name, gs)
			}
		})
	}
	t.Run("grants name the namespace they hold in", func(t *testing.T) {
		gs := e.WhoCanAnywhere(ns.ForSomeName())
		require.Len(t, gs, 3)
		assert.Equal(t, []string{"cluster-wide", `in namespace "a"`, `in namespace "zzz"`},
			[]string{gs[0].Scope(), gs[1].Scope(), gs[2].Scope()})
	})
	t.Run("Can takes the attributes as given, as a SubjectAccessReview does", func(t *testing.T) {
		ok, _ := e.Can(AuthenticatedUser("u"), MustParseRequest("list", "namespaces").In("a"))
		assert.True(t, ok)
		ok, _ = e.Can(AuthenticatedUser("w"), ns.Named("zzz"))
		assert.False(t, ok, "no namespace in the attributes: only ClusterRoleBindings apply")
	})
}

func TestRequestWithin(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		ns   string
		want Request
		ok   bool
	}{
		{"a namespaced resource", MustParseRequest("get", "pods"), "a", MustParseRequest("get", "pods").In("a"), true},
		{"an unknown resource may be namespaced", MustParseRequest("get", "widgets.example.com"), "a", MustParseRequest("get", "widgets.example.com").In("a"), true},
		{"a cluster-scoped resource", MustParseRequest("get", "nodes"), "a", Request{}, false},
		{"list namespaces", MustParseRequest("list", "namespaces"), "a", Request{}, false},
		{"create namespaces", MustParseRequest("create", "namespaces"), "a", Request{}, false},
		{"get some namespace: the one named", MustParseRequest("get", "namespaces").ForSomeName(), "a", MustParseRequest("get", "namespaces").Named("a").In("a"), true},
		{"get namespaces, naming none: a list", MustParseRequest("get", "namespaces"), "a", Request{}, false},
		{"get namespace a in a", MustParseRequest("get", "namespaces").Named("a"), "a", MustParseRequest("get", "namespaces").Named("a").In("a"), true},
		{"get namespace zzz in a", MustParseRequest("get", "namespaces").Named("zzz"), "a", Request{}, false},
		{"a namespace's status", MustParseRequest("patch", "namespaces/status").Named("a"), "a", MustParseRequest("patch", "namespaces/status").Named("a").In("a"), true},
		{"bind ClusterRoles", MustParseRequest("bind", "clusterroles.rbac.authorization.k8s.io"), "a",
			MustParseRequest("bind", "clusterroles.rbac.authorization.k8s.io").In("a"), true},
		{"escalate ClusterRoles", MustParseRequest("escalate", "clusterroles.rbac.authorization.k8s.io"), "a", Request{}, false},
		{"a non-resource request", NonResourceRequest("get", "/healthz"), "a", Request{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.req.Within(tt.ns)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSubjectsMatching(t *testing.T) {
	readAll := clusterRole("reader", pr(l("get"), l(""), l("configmaps")))
	inv := manifests(t,
		readAll,
		rb("shop", "sa-default-ns", KindClusterRole, "reader", rbacv1.Subject{Kind: KindServiceAccount, Name: "web"}),
		rb("shop", "sa-other-ns", KindClusterRole, "reader", sa("ci", "deployer")),
		crb("sa-no-ns", "reader", rbacv1.Subject{Kind: KindServiceAccount, Name: "orphan"}),
		rb("shop", "all-sa-of-shop", KindClusterRole, "reader", group("system:serviceaccounts:shop")),
		rb("team", "all-sa", KindClusterRole, "reader", group("system:serviceaccounts")),
		rb("open", "authenticated", KindClusterRole, "reader", group("system:authenticated")),
		rb("public", "anonymous", KindClusterRole, "reader", group("system:unauthenticated")),
		rb("named", "sa-as-user", KindClusterRole, "reader", user("system:serviceaccount:named:bot")),
		// Two subjects, and a repeat, that apply to the same service account.
		rb("twice", "sa-and-group", KindClusterRole, "reader", sa("twice", "bot"), group("system:serviceaccounts:twice"), sa("twice", "bot")),
		rb("odd", "unknown-kind", KindClusterRole, "reader", rbacv1.Subject{Kind: "Robot", Name: "r2"}),
	)
	e := New(inv)
	get := MustParseRequest("get", "configmaps")
	tests := []struct {
		name string
		user User
		ns   string
		want bool
	}{
		{"ServiceAccount subject without namespace takes the RoleBinding's", ServiceAccountUser("shop", "web"), "shop", true},
		{"ServiceAccount of another namespace bound here", ServiceAccountUser("ci", "deployer"), "shop", true},
		{"ServiceAccount of the same name in another namespace", ServiceAccountUser("ci", "web"), "shop", false},
		{"ClusterRoleBinding ServiceAccount without namespace matches no one", ServiceAccountUser("default", "orphan"), "x", false},
		{"namespace service account group", ServiceAccountUser("shop", "other"), "shop", true},
		{"namespace service account group is not another namespace's", ServiceAccountUser("ci", "deployer"), "nowhere", false},
		{"all service accounts group", ServiceAccountUser("anywhere", "x"), "team", true},
		{"all service accounts group excludes users", AuthenticatedUser("alice"), "team", false},
		{"system:authenticated covers users", AuthenticatedUser("alice"), "open", true},
		{"system:authenticated covers service accounts", ServiceAccountUser("x", "y"), "open", true},
		{"system:authenticated excludes anonymous", AnonymousUser(), "open", false},
		{"system:unauthenticated covers anonymous", AnonymousUser(), "public", true},
		{"system:unauthenticated excludes users", AuthenticatedUser("alice"), "public", false},
		{"User subject with a service account's user name", ServiceAccountUser("named", "bot"), "named", true},
		{"two subjects of one binding", ServiceAccountUser("twice", "bot"), "twice", true},
		{"unknown subject kinds match no one", AuthenticatedUser("r2"), "odd", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, _ := e.Can(tt.user, get.In(tt.ns))
			assert.Equal(t, tt.want, ok)
		})
	}

	t.Run("a user granted through a group is listed as the group", func(t *testing.T) {
		gs := e.WhoCan(get.In("open"))
		assert.Equal(t, []string{"Group system:authenticated"}, subjects(gs))
		ok, gs := e.Can(AuthenticatedUser("alice"), get.In("open"))
		require.True(t, ok)
		assert.Equal(t, Subject{Kind: KindGroup, Name: "system:authenticated"}, gs[0].Subject)
	})
	t.Run("a grant for every subject of a binding that applies", func(t *testing.T) {
		_, gs := e.Can(ServiceAccountUser("twice", "bot"), get.In("twice"))
		assert.Equal(t, []string{"ServiceAccount twice/bot", "Group system:serviceaccounts:twice"}, subjects(gs))
		assert.Len(t, gs, 2, "the repeated subject is left out")
		assert.Len(t, e.RulesFor(ServiceAccountUser("twice", "bot"), "twice"), 1, "RulesFor lists the binding's rule once")
	})
	t.Run("WhoCan skips subjects that match no one", func(t *testing.T) {
		assert.Empty(t, e.WhoCan(get.In("x")))
		assert.Empty(t, e.WhoCan(get.In("odd")))
	})
	t.Run("defaulted namespace is shown", func(t *testing.T) {
		assert.Equal(t, []string{"Group system:serviceaccounts:shop", "ServiceAccount shop/web", "ServiceAccount ci/deployer"},
			subjects(e.WhoCan(get.In("shop"))))
	})
	// What a user can do is what WhoCan lists for the subjects that apply to it.
	t.Run("User.Subjects picks a user's grants out of WhoCan", func(t *testing.T) {
		for _, tt := range tests {
			for _, req := range []Request{get.In(tt.ns), get} {
				applies := tt.user.Subjects()
				var picked []Grant
				for _, g := range e.WhoCanAnywhere(req) {
					if slices.Contains(applies, g.Subject) {
						picked = append(picked, g)
					}
				}
				_, want := e.CanAnywhere(tt.user, req)
				assert.Equal(t, want, picked, "%s: %s", tt.name, req)
			}
		}
	})
}

func TestCanReturnsEveryGrantInOrder(t *testing.T) {
	inv := manifests(t,
		clusterRole("a", pr(l("get"), l(""), l("secrets")), pr(l("*"), l("*"), l("*"))),
		role("ns", "b", pr(l("get", "list"), l(""), l("secrets"))),
		crb("z-crb", "a", group("devs"), user("alice")),
		rb("ns", "a-rb", KindRole, "b", user("alice"), user("alice")),
	)
	e := New(inv)
	ok, gs := e.Can(AuthenticatedUser("alice", "devs"), MustParseRequest("get", "secrets").In("ns"))
	require.True(t, ok)
	var got []string
	for _, g := range gs {
		got = append(got, g.String())
	}
	assert.Equal(t, []string{
		`Group devs → ClusterRoleBinding z-crb → ClusterRole a → rule #0 (verbs: get; apiGroups: ""; resources: secrets)`,
		`Group devs → ClusterRoleBinding z-crb → ClusterRole a → rule #1 (verbs: *; apiGroups: *; resources: *)`,
		// Every subject of the binding that applies: a caller setting one aside (an
		// allow-list naming the group, say) still sees the other.
		`User alice → ClusterRoleBinding z-crb → ClusterRole a → rule #0 (verbs: get; apiGroups: ""; resources: secrets)`,
		`User alice → ClusterRoleBinding z-crb → ClusterRole a → rule #1 (verbs: *; apiGroups: *; resources: *)`,
		`User alice → RoleBinding ns/a-rb → Role ns/b → rule #0 (verbs: get, list; apiGroups: ""; resources: secrets)`,
	}, got)
	// A subject listed twice is reported once.
	assert.Len(t, e.WhoCan(MustParseRequest("list", "secrets").In("ns")), 3)
}

func TestRulesFor(t *testing.T) {
	inv := manifests(t,
		clusterRole("a", pr(l("get"), l(""), l("pods")), pr(l("list"), l(""), l("pods"))),
		role("ns", "b", pr(l("create"), l(""), l("pods"))),
		crb("x", "a", user("alice")),
		rb("ns", "y", KindRole, "b", group("devs")),
	)
	e := New(inv)
	assert.Len(t, e.RulesFor(AuthenticatedUser("alice", "devs"), ""), 2)
	assert.Len(t, e.RulesFor(AuthenticatedUser("alice", "devs"), "ns"), 3)
	assert.Len(t, e.RulesFor(AuthenticatedUser("alice"), "ns"), 2)
}

func TestNonResourceURLs(t *testing.T) {
	inv := manifests(t,
		clusterRole("health", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz", "/livez/*")}),
		crb("health", "health", group("system:unauthenticated")),
		rb("ns", "health", KindClusterRole, "health", user("alice")),
	)
	e := New(inv)
	ok, _ := e.Can(AnonymousUser(), NonResourceRequest("get", "/livez/ping"))
	assert.True(t, ok)
	ok, _ = e.Can(AnonymousUser(), NonResourceRequest("get", "/metrics"))
	assert.False(t, ok)
	// Non-resource URLs are only granted by ClusterRoleBindings.
	req := NonResourceRequest("get", "/healthz")
	req.Namespace = "ns"
	ok, _ = e.Can(AuthenticatedUser("alice"), req)
	assert.False(t, ok)
	assert.Equal(t, []string{"Group system:unauthenticated"}, subjects(e.WhoCanAnywhere(req)))
}

func TestRoleStatus(t *testing.T) {
	t.Run("manifests", func(t *testing.T) {
		e := New(manifests(t,
			clusterRole("mine"),
			role("ns", "r"),
			crb("to-edit", "edit", user("a")),
			crb("to-system", "system:auth-delegator", user("a")),
			crb("to-admin", "cluster-admin", user("root")),
			crb("to-mine", "mine", user("a")),
			crb("to-gone", "gone", user("a")),
			rb("kube-system", "reader", KindRole, "extension-apiserver-authentication-reader", user("a")),
			rb("ns", "to-r", KindRole, "r", user("a")),
			rb("ns", "to-gone", KindRole, "gone", user("a")),
			&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "weird"},
				RoleRef: rbacv1.RoleRef{Kind: "Policy", Name: "x"}},
		))
		got := map[string]RoleStatus{}
		for _, b := range e.Bindings() {
			got[b.String()] = b.RoleStatus
		}
		assert.Equal(t, map[string]RoleStatus{
			"ClusterRoleBinding to-edit":     RoleUnknown,
			"ClusterRoleBinding to-system":   RoleUnknown,
			"ClusterRoleBinding to-admin":    RoleFound,
			"ClusterRoleBinding to-mine":     RoleFound,
			"ClusterRoleBinding to-gone":     RoleMissing,
			"RoleBinding kube-system/reader": RoleUnknown,
			"RoleBinding ns/to-r":            RoleFound,
			"RoleBinding ns/to-gone":         RoleMissing,
			"RoleBinding ns/weird":           RoleInvalid,
		}, got)
		assert.Len(t, e.Unresolved(), 3)
		assert.Contains(t, e.Incomplete(), "is a built-in role that the input does not define")
		assert.Equal(t, "", e.Unseen())

		// The cluster-admin stand-in grants everything.
		ok, gs := e.Can(AuthenticatedUser("root"), MustParseRequest("delete", "nodes"))
		assert.True(t, ok)
		require.Len(t, gs, 1)
		assert.Nil(t, gs[0].Role.Object)
		assert.Equal(t, "ClusterRole cluster-admin", gs[0].Role.String())
		ok, _ = e.Can(AuthenticatedUser("root"), NonResourceRequest("get", "/metrics"))
		assert.True(t, ok)
	})
	t.Run("cluster with every kind listed", func(t *testing.T) {
		e := New(cluster(t, nil,
			clusterRole("mine"),
			crb("to-edit", "edit", user("a")),
			crb("to-admin", "cluster-admin", user("root")),
		))
		assert.Equal(t, RoleMissing, e.Bindings()[0].RoleStatus, "no cluster-admin in a complete listing: it does not exist")
		assert.Equal(t, RoleMissing, e.Bindings()[1].RoleStatus)
		assert.Equal(t, "", e.Incomplete())
		assert.Empty(t, e.WhoCan(MustParseRequest("get", "pods")))
	})
	t.Run("cluster with ClusterRoles forbidden", func(t *testing.T) {
		e := New(cluster(t, []string{"ClusterRole"},
			crb("to-edit", "edit", user("a")),
			crb("to-admin", "cluster-admin", user("root")),
		))
		assert.Contains(t, e.Unseen(), "clusterroles forbidden")
		assert.Contains(t, e.Incomplete(), "not completely known")
		assert.Equal(t, RoleFound, e.Bindings()[0].RoleStatus, "cluster-admin stands in")
		assert.Equal(t, RoleUnknown, e.Bindings()[1].RoleStatus)
		assert.Equal(t, []string{"User root"}, subjects(e.WhoCan(MustParseRequest("get", "pods"))))
	})
	t.Run("absent kinds in manifests are not complete", func(t *testing.T) {
		e := New(manifests(t, clusterRole("x")))
		assert.Contains(t, e.Unseen(), "rolebindings absent")
	})
}

func TestSubjectBindings(t *testing.T) {
	e := New(manifests(t,
		clusterRole("r"),
		crb("b1", "r", sa("ns", "app"), group("devs")),
		rb("ns", "b2", KindClusterRole, "r", rbacv1.Subject{Kind: KindServiceAccount, Name: "app"}),
		rb("ns", "b3", KindClusterRole, "missing", user("system:serviceaccount:ns:app")),
	))
	bs := e.SubjectBindings(Subject{Kind: KindServiceAccount, Namespace: "ns", Name: "app"})
	require.Len(t, bs, 2)
	assert.Equal(t, "ClusterRoleBinding b1", bs[0].String())
	assert.Equal(t, "RoleBinding ns/b2", bs[1].String())
	bs = e.SubjectBindings(Subject{Kind: KindUser, Name: "system:serviceaccount:ns:app"})
	require.Len(t, bs, 1)
	assert.Equal(t, RoleMissing, bs[0].RoleStatus)
	assert.Len(t, e.SubjectBindings(Subject{Kind: KindGroup, Name: "devs"}), 1)
	assert.Empty(t, e.SubjectBindings(Subject{Kind: KindGroup, Name: "app"}))
}

func TestGrantJSON(t *testing.T) {
	e := New(manifests(t,
		clusterRole("reader", pr(l("get"), l(""), l("secrets"))),
		rb("shop", "read", KindClusterRole, "reader", rbacv1.Subject{Kind: KindServiceAccount, Name: "web"}),
	))
	gs := e.WhoCan(MustParseRequest("get", "secrets").In("shop"))
	require.Len(t, gs, 1)
	b, err := json.Marshal(map[string]any{"grants": gs})
	require.NoError(t, err)
	assert.JSONEq(t, `{"grants":[{
		"subject":{"kind":"ServiceAccount","name":"web","namespace":"shop"},
		"subjectIndex":0,
		"binding":{"kind":"RoleBinding","namespace":"shop","name":"read"},
		"role":{"kind":"ClusterRole","name":"reader"},
		"rule":{"index":0,"verbs":["get"],"apiGroups":[""],"resources":["secrets"]}}]}`, string(b))
}
