package authz

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/inventory"
)

// placed is an object and the file it was read from.
type placed struct {
	obj  runtime.Object
	file string
}

// variantInventories builds the manifests inventory of objs twice: added in the order given,
// and in reverse. Whatever a test asks must come out the same from both.
func variantInventories(t *testing.T, objs ...placed) map[string]*inventory.Inventory {
	t.Helper()
	out := make(map[string]*inventory.Inventory)
	for _, order := range []string{"given", "reversed"} {
		list := slices.Clone(objs)
		if order == "reversed" {
			slices.Reverse(list)
		}
		b := inventory.NewBuilder(inventory.ModeManifests)
		for _, p := range list {
			require.NoError(t, b.Add(p.obj.DeepCopyObject(), inventory.Source{File: filepath.FromSlash(p.file), Line: 1}))
		}
		inv := b.Build()
		require.True(t, inv.HasVariants())
		out[order] = inv
	}
	return out
}

// TestVariantsBindingsGrantTheNearestRole: a binding defined beside one of two definitions of
// its role grants that definition's rules, whatever the order of the input.
func TestVariantsBindingsGrantTheNearestRole(t *testing.T) {
	getPods := pr(l("get"), l(""), l("pods"))
	getSecrets := pr(l("get"), l(""), l("secrets"))
	tests := []struct {
		name string
		objs []placed
		// who can get pods and who can get secrets in namespace shop
		pods, secrets []string
	}{
		{
			name: "RoleBinding to Role, one per directory",
			objs: []placed{
				{role("shop", "reader", getPods), "prod/rbac.yaml"},
				{role("shop", "reader", getSecrets), "dev/rbac.yaml"},
				{rb("shop", "read", KindRole, "reader", user("alice")), "prod/rbac.yaml"},
				{rb("shop", "read", KindRole, "reader", user("bob")), "dev/rbac.yaml"},
			},
			pods: []string{"User alice"}, secrets: []string{"User bob"},
		},
		{
			name: "ClusterRoleBinding to ClusterRole, nearest directory",
			objs: []placed{
				{clusterRole("reader", getPods), "deploy/prod/role.yaml"},
				{clusterRole("reader", getSecrets), "deploy/role.yaml"},
				{crb("read", "reader", user("alice")), "deploy/prod/eu/binding.yaml"},
				{crb("read", "reader", user("bob")), "deploy/dev/binding.yaml"},
			},
			pods: []string{"User alice"}, secrets: []string{"User bob"},
		},
		{
			name: "RoleBinding to a ClusterRole defined twice; a tie goes to the last",
			objs: []placed{
				{clusterRole("reader", getPods), "a/role.yaml"},
				{clusterRole("reader", getSecrets), "b/role.yaml"},
				{rb("shop", "read", KindClusterRole, "reader", user("alice")), "c/binding.yaml"},
			},
			pods: nil, secrets: []string{"User alice"},
		},
		{
			name: "a binding defined once, in the same file as one role",
			objs: []placed{
				{role("shop", "reader", getPods), "all.yaml"},
				{role("shop", "reader", getSecrets), "z/other.yaml"},
				{rb("shop", "read", KindRole, "reader", user("alice")), "all.yaml"},
			},
			pods: []string{"User alice"}, secrets: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for order, inv := range variantInventories(t, tt.objs...) {
				e := New(inv)
				assert.Equal(t, tt.pods, subjects(e.WhoCan(MustParseRequest("get", "pods").In("shop"))), order)
				assert.Equal(t, tt.secrets, subjects(e.WhoCan(MustParseRequest("get", "secrets").In("shop"))), order)
				for _, b := range e.Bindings() {
					require.Equal(t, RoleFound, b.RoleStatus, order)
					assert.Equal(t, b.Role.Object, inv.From(b.Object).Get(b.Role.Object.GroupKind(), b.Role.Namespace, b.Role.Name), order)
				}
				assert.Empty(t, e.Problems(), order)
			}
		})
	}
}

// TestVariantsAggregation: an aggregated ClusterRole defined in two places collects, of each
// labelled role, the definition nearest it.
func TestVariantsAggregation(t *testing.T) {
	labelled := func(rule rbacv1.PolicyRule) *rbacv1.ClusterRole {
		cr := clusterRole("widgets-view", rule)
		cr.Labels = map[string]string{"aggregate-to-crd-view": "true"}
		return cr
	}
	agg := func() *rbacv1.ClusterRole {
		return aggregating(clusterRole("crd-view"), matchLabels("aggregate-to-crd-view", "true"))
	}
	invs := variantInventories(t,
		placed{agg(), "prod/view.yaml"},
		placed{agg(), "dev/view.yaml"},
		placed{labelled(pr(l("get"), l("example.com"), l("widgets"))), "prod/widgets.yaml"},
		placed{labelled(pr(l("list"), l("example.com"), l("widgets"))), "dev/widgets.yaml"},
	)
	for order, inv := range invs {
		e := New(inv)
		got := map[string][]string{}
		for _, r := range e.ClusterRoles() {
			if r.Name == "crd-view" {
				assert.True(t, r.Aggregated, order)
				got[filepath.ToSlash(r.Object.Source().File)] = ruleStrings(r)
			}
		}
		assert.Equal(t, map[string][]string{
			"dev/view.yaml":  {"rule #0 (verbs: list; apiGroups: example.com; resources: widgets) aggregated from ClusterRole widgets-view"},
			"prod/view.yaml": {"rule #0 (verbs: get; apiGroups: example.com; resources: widgets) aggregated from ClusterRole widgets-view"},
		}, got, order)
		var names []string
		for _, r := range e.ClusterRoles() {
			if r.Object == nil {
				names = append(names, r.Name)
				continue
			}
			names = append(names, r.Name+"@"+filepath.ToSlash(r.Object.Source().File))
		}
		assert.Equal(t, []string{"cluster-admin", "crd-view@dev/view.yaml", "crd-view@prod/view.yaml",
			"widgets-view@dev/widgets.yaml", "widgets-view@prod/widgets.yaml"}, names, "%s: every definition, in inventory order", order)
	}
}
