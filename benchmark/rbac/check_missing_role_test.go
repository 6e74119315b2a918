package rbac

import "testing"

func TestMissingRole(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("every binding references an existing role")},
		failWants: []want{
			fail("ClusterRoleBinding orphan", "roleRef", "references ClusterRole old-operator, which does not exist", "ServiceAccount tools/operator"),
			fail("ClusterRoleBinding role-in-crb", "roleRef", "a ClusterRoleBinding cannot grant a Role"),
			fail("RoleBinding shop/orphan", "roleRef", "references Role shop/deleted-role, which does not exist"),
		},
	}.run(t, "rbac:missing-role")
}
