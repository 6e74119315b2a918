package authz

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func labeled(cr *rbacv1.ClusterRole, kv ...string) *rbacv1.ClusterRole {
	cr.Labels = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		cr.Labels[kv[i]] = kv[i+1]
	}
	return cr
}

func aggregating(cr *rbacv1.ClusterRole, selectors ...metav1.LabelSelector) *rbacv1.ClusterRole {
	cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: selectors}
	return cr
}

func matchLabels(kv ...string) metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return metav1.LabelSelector{MatchLabels: m}
}

func ruleStrings(r *Role) []string {
	var out []string
	for _, x := range r.Rules {
		out = append(out, x.String())
	}
	return out
}

func TestAggregation(t *testing.T) {
	getPods := pr(l("get"), l(""), l("pods"))
	getSecrets := pr(l("get"), l(""), l("secrets"))
	createPods := pr(l("create"), l(""), l("pods"))

	t.Run("union of matching roles replaces the stored rules", func(t *testing.T) {
		e := New(manifests(t,
			aggregating(clusterRole("monitoring", pr(l("delete"), l(""), l("nodes"))), matchLabels("agg", "mon")),
			labeled(clusterRole("b-part", getSecrets, getPods), "agg", "mon"),
			labeled(clusterRole("a-part", getPods), "agg", "mon"),
			labeled(clusterRole("other", createPods), "agg", "other"),
			crb("mon", "monitoring", user("alice")),
		))
		r := e.Role(KindClusterRole, "", "monitoring")
		require.NotNil(t, r)
		assert.True(t, r.Aggregated)
		// Matched roles by name, duplicates dropped, stored rule gone.
		assert.Equal(t, []string{
			`rule #0 (verbs: get; apiGroups: ""; resources: pods) aggregated from ClusterRole a-part`,
			`rule #1 (verbs: get; apiGroups: ""; resources: secrets) aggregated from ClusterRole b-part`,
		}, ruleStrings(r))
		u := AuthenticatedUser("alice")
		ok, _ := e.Can(u, MustParseRequest("get", "secrets").In("x"))
		assert.True(t, ok)
		ok, _ = e.Can(u, MustParseRequest("delete", "nodes"))
		assert.False(t, ok, "the aggregation controller replaces rules written in the aggregated role")
		ok, _ = e.Can(u, MustParseRequest("create", "pods").In("x"))
		assert.False(t, ok, "a role that matches no selector is not aggregated")
	})

	t.Run("several selectors, in selector order", func(t *testing.T) {
		e := New(manifests(t,
			aggregating(clusterRole("edit"), matchLabels("to", "edit"), matchLabels("to", "view")),
			labeled(clusterRole("a-view", getPods), "to", "view"),
			labeled(clusterRole("z-edit", createPods), "to", "edit"),
		))
		assert.Equal(t, []string{
			`rule #0 (verbs: create; apiGroups: ""; resources: pods) aggregated from ClusterRole z-edit`,
			`rule #1 (verbs: get; apiGroups: ""; resources: pods) aggregated from ClusterRole a-view`,
		}, ruleStrings(e.Role(KindClusterRole, "", "edit")))
	})

	t.Run("matchExpressions and an empty selector", func(t *testing.T) {
		e := New(manifests(t,
			aggregating(clusterRole("expr"), metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"gold", "silver"}}}}),
			aggregating(clusterRole("everything"), metav1.LabelSelector{}),
			labeled(clusterRole("g", getPods), "tier", "gold"),
			labeled(clusterRole("s", getSecrets), "tier", "bronze"),
		))
		assert.Len(t, e.Role(KindClusterRole, "", "expr").Rules, 1)
		// The empty selector matches every other ClusterRole, itself excluded.
		assert.Len(t, e.Role(KindClusterRole, "", "everything").Rules, 2)
	})

	t.Run("nested aggregation settles", func(t *testing.T) {
		e := New(manifests(t,
			aggregating(clusterRole("admin"), matchLabels("to", "admin")),
			labeled(aggregating(clusterRole("edit"), matchLabels("to", "edit")), "to", "admin"),
			labeled(clusterRole("edit-part", createPods), "to", "edit"),
			labeled(clusterRole("admin-part", getSecrets), "to", "admin"),
			rb("ns", "admins", KindClusterRole, "admin", group("ops")),
		))
		assert.Equal(t, []string{
			`rule #0 (verbs: get; apiGroups: ""; resources: secrets) aggregated from ClusterRole admin-part`,
			`rule #1 (verbs: create; apiGroups: ""; resources: pods) aggregated from ClusterRole edit-part`,
		}, ruleStrings(e.Role(KindClusterRole, "", "admin")))
		ok, gs := e.Can(AuthenticatedUser("bob", "ops"), MustParseRequest("create", "pods").In("ns"))
		assert.True(t, ok)
		require.Len(t, gs, 1)
		assert.Equal(t, "edit-part", gs[0].Rule.AggregatedFrom)
	})

	t.Run("no match leaves no rules", func(t *testing.T) {
		e := New(manifests(t,
			aggregating(clusterRole("lonely", getPods), matchLabels("x", "y")),
		))
		r := e.Role(KindClusterRole, "", "lonely")
		assert.True(t, r.Aggregated)
		assert.Empty(t, r.Rules)
	})

	t.Run("a cycle uses stored rules and is reported", func(t *testing.T) {
		e := New(manifests(t,
			labeled(aggregating(clusterRole("a", getPods), matchLabels("n", "b")), "n", "a"),
			labeled(aggregating(clusterRole("b", getSecrets), matchLabels("n", "a")), "n", "b"),
		))
		assert.NotEmpty(t, e.Problems())
		assert.NotNil(t, e.Role(KindClusterRole, "", "a"))
	})

	t.Run("an invalid selector keeps the stored rules", func(t *testing.T) {
		e := New(manifests(t,
			aggregating(clusterRole("bad", getPods), metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "k", Operator: "Near"}}}),
			labeled(clusterRole("x", getSecrets), "k", "v"),
		))
		require.Len(t, e.Problems(), 1)
		assert.Contains(t, e.Problems()[0].Error(), "ClusterRole bad")
		r := e.Role(KindClusterRole, "", "bad")
		assert.False(t, r.Aggregated)
		assert.Equal(t, []string{`rule #0 (verbs: get; apiGroups: ""; resources: pods)`}, ruleStrings(r))
	})

	t.Run("cluster inventories use the stored rules", func(t *testing.T) {
		e := New(cluster(t, nil,
			aggregating(clusterRole("edit", createPods), matchLabels("to", "edit")),
			labeled(clusterRole("part", getSecrets), "to", "edit"),
		))
		r := e.Role(KindClusterRole, "", "edit")
		assert.False(t, r.Aggregated)
		assert.Equal(t, []string{`rule #0 (verbs: create; apiGroups: ""; resources: pods)`}, ruleStrings(r))
	})
}

// In manifests, an aggregated ClusterRole's selectors may match ClusterRoles the cluster has and
// the input lacks: the built-in aggregate-to-admin/edit/view roles, or the roles a stored rule
// came from. Its rules are then only what the input shows: grants found are real, but "nobody
// can" is no answer.
func TestAggregationIncomplete(t *testing.T) {
	getWidgets := pr(l("get"), l("example.com"), l("widgets"))
	getSecrets := pr(l("get"), l(""), l("secrets"))
	// rbacKinds makes every RBAC kind present, so that only the aggregation is in question.
	rbacKinds := func(objs ...runtime.Object) []runtime.Object {
		return append(objs, role("x", "r"), rb("x", "rb", KindRole, "r"), crb("other", "other-role"), clusterRole("other-role"))
	}
	tests := []struct {
		name       string
		objs       []runtime.Object
		role       string
		incomplete string // substring of Role.Incomplete; "" for complete
		complete   string // substring of Engine.Incomplete(); "" for complete
	}{
		{
			name: "selector matching a built-in aggregate-to-admin role the input lacks",
			objs: rbacKinds(
				aggregating(clusterRole("team-admin"), matchLabels("rbac.authorization.k8s.io/aggregate-to-admin", "true")),
				labeled(clusterRole("widgets-admin", getWidgets), "rbac.authorization.k8s.io/aggregate-to-admin", "true"),
				crb("team-admins", "team-admin", user("alice"))),
			role:       "team-admin",
			incomplete: "built-in ClusterRoles the input does not define: edit, system:aggregate-to-admin",
			complete:   "ClusterRoleBinding team-admins: ClusterRole team-admin",
		},
		{
			name: "an empty selector matches every built-in role",
			objs: rbacKinds(
				aggregating(clusterRole("all"), metav1.LabelSelector{}),
				crb("all", "all", user("alice"))),
			role:       "all",
			incomplete: "the other bootstrap roles",
			complete:   "ClusterRole all",
		},
		{
			name: "stored rules the input's roles do not produce",
			objs: rbacKinds(
				aggregating(clusterRole("dumped", getSecrets), matchLabels("to", "dumped")),
				crb("dumped", "dumped", user("alice"))),
			role:       "dumped",
			incomplete: `its stored rule #0 (verbs: get; apiGroups: ""; resources: secrets) comes from no ClusterRole of the input`,
			complete:   "ClusterRole dumped",
		},
		{
			name: "nested: an aggregated role that aggregates an incomplete one",
			objs: rbacKinds(
				aggregating(clusterRole("outer"), matchLabels("to", "outer")),
				labeled(aggregating(clusterRole("inner"), matchLabels("rbac.authorization.k8s.io/aggregate-to-view", "true")), "to", "outer"),
				rb("x", "outer", KindClusterRole, "outer", group("devs"))),
			role:       "outer",
			incomplete: "ClusterRole inner",
			complete:   "RoleBinding x/outer: ClusterRole outer",
		},
		{
			name: "an unbound incomplete role leaves the answers complete",
			objs: rbacKinds(
				aggregating(clusterRole("team-admin"), matchLabels("rbac.authorization.k8s.io/aggregate-to-admin", "true"))),
			role:       "team-admin",
			incomplete: "system:aggregate-to-admin",
		},
		{
			name: "the input holds everything its selectors match",
			objs: rbacKinds(
				aggregating(clusterRole("mine", getWidgets), matchLabels("to", "mine")),
				labeled(clusterRole("part", getWidgets), "to", "mine"),
				crb("mine", "mine", user("alice"))),
			role: "mine",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(manifests(t, tt.objs...))
			r := e.Role(KindClusterRole, "", tt.role)
			require.NotNil(t, r)
			if tt.incomplete == "" {
				assert.Empty(t, r.Incomplete)
			} else {
				assert.Contains(t, r.Incomplete, tt.incomplete)
			}
			if tt.complete == "" {
				assert.Empty(t, e.Incomplete())
			} else {
				assert.Contains(t, e.Incomplete(), tt.complete)
			}
		})
	}

	t.Run("grants found are still reported", func(t *testing.T) {
		e := New(manifests(t, rbacKinds(
			aggregating(clusterRole("team-admin"), matchLabels("rbac.authorization.k8s.io/aggregate-to-admin", "true")),
			labeled(clusterRole("widgets-admin", getWidgets), "rbac.authorization.k8s.io/aggregate-to-admin", "true"),
			crb("team-admins", "team-admin", user("alice")))...))
		ok, _ := e.Can(AuthenticatedUser("alice"), MustParseRequest("get", "widgets.example.com").In("x"))
		assert.True(t, ok)
	})
	t.Run("cluster inventories read the stored rules: complete", func(t *testing.T) {
		e := New(cluster(t, nil,
			aggregating(clusterRole("team-admin", getSecrets), matchLabels("rbac.authorization.k8s.io/aggregate-to-admin", "true")),
			crb("team-admins", "team-admin", user("alice"))))
		assert.Empty(t, e.Role(KindClusterRole, "", "team-admin").Incomplete)
		assert.Empty(t, e.Incomplete())
	})
}
