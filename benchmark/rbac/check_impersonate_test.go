package rbac

import "testing"

func TestImpersonate(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can impersonate")},
		failWants: []want{
			fail("ClusterRoleBinding become-admin", "subjects[0]", "User grace can impersonate users cluster-wide", "resourceNames: admin"),
			fail("RoleBinding shop/be-any-sa", "subjects[0]", `Group shop-devs can impersonate serviceaccounts in namespace "shop"`),
		},
	}.run(t, "rbac:impersonate")
}
