package authz_test

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// Who may read Secrets in a cluster, asked of an inventory listed through a clientset (here
// client-go's fake one, as in an embedder's unit tests; a real one works the same way).
func ExampleEngine_WhoCan_clientset() {
	cs := fake.NewClientset(
		&rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "secret-reader"},
			Rules:      []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}}},
		},
		&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "auditors"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "secret-reader"},
			Subjects:   []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "auditors"}},
		},
	)
	inv, err := inventory.FromClientset(context.Background(), cs, inventory.WithSourceName("prod-eu"))
	if err != nil {
		fmt.Println(err)
		return
	}
	e := authz.New(inv)
	for _, g := range e.WhoCanAnywhere(authz.MustParseRequest("get", "secrets")) {
		fmt.Println(g.Subject, g.Scope())
	}
	fmt.Println("complete:", e.Incomplete() == "")
	// Output:
	// Group auditors cluster-wide
	// complete: true
}
