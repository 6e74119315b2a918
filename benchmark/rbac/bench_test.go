package rbac

import (
	"context"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// largeCluster builds a cluster of nNS namespaces, each with 10 service accounts, 10
// Deployments, 3 Roles and 20 RoleBindings, plus 200 ClusterRoles and 2,000
// ClusterRoleBindings.
func largeCluster(b *testing.B, nNS int) *inventory.Inventory {
	b.Helper()
	rules := []rbacv1.PolicyRule{
		{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"configmaps", "pods"}},
		{Verbs: []string{"create"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}},
		{Verbs: []string{"*"}, APIGroups: []string{"example.com"}, Resources: []string{"widgets"}},
	}
	var objs []runtime.Object
	for i := range 200 {
		objs = append(objs, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cr-%d", i)}, Rules: rules[i%4 : i%4+1]})
	}
	for i := range 2000 {
		objs = append(objs, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("crb-%d", i)},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: fmt.Sprintf("cr-%d", i%200)},
			Subjects: []rbacv1.Subject{{Kind: "User", Name: fmt.Sprintf("user-%d", i)}}})
	}
	for n := range nNS {
		ns := fmt.Sprintf("ns-%d", n)
		for r := range 3 {
			objs = append(objs, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("role-%d", r)}, Rules: rules[r : r+1]})
		}
		for s := range 10 {
			objs = append(objs, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("sa-%d", s)}})
			objs = append(objs, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("app-%d", s)},
				Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{ServiceAccountName: fmt.Sprintf("sa-%d", s),
					Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}}})
		}
		for k := range 20 {
			ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: fmt.Sprintf("role-%d", k%3)}
			if k%4 == 0 {
				ref = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: fmt.Sprintf("cr-%d", k)}
			}
			objs = append(objs, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("rb-%d", k)}, RoleRef: ref,
				Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: fmt.Sprintf("sa-%d", k%10)}, {Kind: "Group", Name: "team-" + ns}}})
		}
	}
	bld := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		bld.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, o := range objs {
		if err := bld.Add(o, inventory.Source{}); err != nil {
			b.Fatal(err)
		}
	}
	return bld.Build()
}

// BenchmarkBenchmark runs every check of the benchmark over a cluster of 1,000 namespaces
// (22,000 bindings, 10,000 Deployments and service accounts), engine build included.
func BenchmarkBenchmark(b *testing.B) {
	inv := largeCluster(b, 1000)
	for b.Loop() {
		bm := RBAC()
		for _, c := range bm.Checks {
			p := check.NewPass(inv, c.Meta(), nil, func(check.Finding) {})
			if err := c.Run(context.Background(), p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkChecks times each check alone over the same cluster (the engine built beforehand).
func BenchmarkChecks(b *testing.B) {
	inv := largeCluster(b, 1000)
	bm := RBAC()
	for _, c := range bm.Checks {
		b.Run(c.Meta().ID, func(b *testing.B) {
			for b.Loop() {
				p := check.NewPass(inv, c.Meta(), nil, func(check.Finding) {})
				if err := c.Run(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
