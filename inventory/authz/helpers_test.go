package authz

import (
	"testing"

	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/inventory"
)

func clusterRole(name string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
}

func role(ns, name string, rules ...rbacv1.PolicyRule) *rbacv1.Role {
	return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Rules: rules}
}

func crb(name, roleName string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subjects,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: KindClusterRole, Name: roleName}}
}

func rb(ns, name, roleKind, roleName string, subjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Subjects: subjects,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: roleName}}
}

func user(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: KindUser, APIGroup: rbacv1.GroupName, Name: name}
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: KindGroup, APIGroup: rbacv1.GroupName, Name: name}
}

func sa(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: KindServiceAccount, Namespace: ns, Name: name}
}

func pr(verbs, groups, resources []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
}

func l(s ...string) []string { return s }

// manifests builds a manifest-mode inventory.
func manifests(t testing.TB, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return inv
}

// cluster builds a cluster-mode inventory whose four RBAC kinds were listed completely,
// except those given in forbidden.
func cluster(t testing.TB, forbidden []string, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, gk := range Kinds() {
		c := inventory.Coverage{Group: gk.Group, Kind: gk.Kind, State: inventory.Listed}
		for _, f := range forbidden {
			if f == gk.Kind {
				c.State, c.Reason = inventory.Forbidden, "forbidden by the API server"
			}
		}
		b.SetCoverage(c)
	}
	for _, o := range objs {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	return b.Build()
}

// subjects returns the subjects of grants as strings, in order, without repeats.
func subjects(gs []Grant) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range gs {
		s := g.Subject.String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
