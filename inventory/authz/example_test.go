package authz_test

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

func ExampleEngine_WhoCan() {
	inv, err := inventory.New(
		&rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "secret-reader"},
			Rules:      []rbacv1.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"secrets"}}},
		},
		&rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "ci-reads-secrets"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "secret-reader"},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "ci"}},
		},
	)
	if err != nil {
		panic(err)
	}
	e := authz.New(inv)
	for _, g := range e.WhoCan(authz.MustParseRequest("list", "secrets").In("shop")) {
		fmt.Println(g)
	}
	ok, _ := e.Can(authz.ServiceAccountUser("shop", "ci"), authz.MustParseRequest("get", "secrets").In("prod"))
	fmt.Println("in prod:", ok)
	// Output:
	// ServiceAccount shop/ci → RoleBinding shop/ci-reads-secrets → ClusterRole secret-reader → rule #0 (verbs: get, list; apiGroups: ""; resources: secrets)
	// in prod: false
}
