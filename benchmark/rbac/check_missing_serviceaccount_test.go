package rbac

import "testing"

func TestMissingServiceAccount(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("every service account named by a binding exists")},
		failWants: []want{
			fail("ClusterRoleBinding no-namespace", "subjects[0]", "without a namespace: in a ClusterRoleBinding it matches no one"),
			fail("RoleBinding shop/ghosts", "subjects[1]", "names ServiceAccount shop/ghost, which does not exist", `gets ClusterRole edit in namespace "shop"`),
			fail("RoleBinding shop/ghosts", "subjects[2]", "names ServiceAccount build/ghost2, which does not exist"),
		},
	}.run(t, "rbac:missing-serviceaccount")
}
