package rbac

import "testing"

func TestPodExec(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can exec, attach or port-forward")},
		failWants: []want{
			fail("ClusterRoleBinding attach-anything", "subjects[0]", "Group sre can create pods/attach cluster-wide", "resources: */attach"),
			fail("RoleBinding shop/debug", "subjects[0]", `User dana can get pods/exec; patch pods/ephemeralcontainers in namespace "shop"`),
		},
	}.run(t, "rbac:pod-exec")
}
