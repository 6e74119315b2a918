package rbac

import "testing"

func TestCreatePods(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can create pods or pod controllers")},
		failWants: []want{
			fail("ClusterRoleBinding ds-patcher", "subjects[0]", "Group platform can create pods; patch daemonsets.apps cluster-wide", "rule #0", "rule #1"),
			fail("RoleBinding shop/ci-deployer", "subjects[0]", `ServiceAccount build/ci can create deployments.apps in namespace "shop"`, "Role shop/deployer"),
		},
	}.run(t, "rbac:create-pods")
}
