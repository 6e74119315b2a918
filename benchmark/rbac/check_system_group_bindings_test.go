package rbac

import "testing"

func TestSystemGroupBindings(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("names a system-wide group or the anonymous user")},
		failWants: []want{
			fail("ClusterRoleBinding everyone-views", "subjects[0]", "binds ClusterRole view to Group system:authenticated: every authenticated user and service account holds its rules cluster-wide"),
			fail("ClusterRoleBinding masters-again", "subjects[0]", "Group system:masters: its members bypass authorization anyway"),
			fail("RoleBinding public/anonymous-status", "subjects[0]", `User system:anonymous: every unauthenticated request holds its rules in namespace "public"`),
		},
	}.run(t, "rbac:system-group-bindings")
}
