package rbac

import "testing"

func TestClusterAdminBinding(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("no binding outside the allow-list grants cluster-admin")},
		failWants: []want{
			fail("ClusterRoleBinding ops-admin", "subjects[0]", "User alice can do anything cluster-wide", "User alice → ClusterRoleBinding ops-admin → ClusterRole cluster-admin"),
			fail("ClusterRoleBinding ops-admin", "subjects[1]", "Group ops can do anything cluster-wide"),
			fail("RoleBinding team-a/deployer-admin", "subjects[0]", `ServiceAccount team-a/deployer can do anything in namespace "team-a"`),
		},
	}.run(t, "rbac:cluster-admin-binding")
}
