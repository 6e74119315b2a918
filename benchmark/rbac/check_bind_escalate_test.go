package rbac

import "testing"

func TestBindEscalate(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can bind or escalate roles")},
		failWants: []want{
			fail("ClusterRoleBinding binder", "subjects[0]", "ServiceAccount tools/operator can bind clusterroles.rbac.authorization.k8s.io cluster-wide", "resourceNames: cluster-admin"),
			fail("RoleBinding default/test", "subjects[0]",
				`User jane can bind clusterroles.rbac.authorization.k8s.io in namespace "default"`),
			fail("RoleBinding shop/role-writer", "subjects[0]", `User erin can escalate roles.rbac.authorization.k8s.io in namespace "shop"`),
		},
	}.run(t, "rbac:bind-escalate")
}
