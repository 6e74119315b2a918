package rbac

import "testing"

func TestUnusedServiceAccount(t *testing.T) {
	fixtureTest{
		mode:      asCluster,
		passWants: []want{pass("every service account holding bindings or tokens is used")},
		failWants: []want{
			fail("ServiceAccount shop/legacy", "", "is used by no pod or workload but holds token Secret legacy-token"),
			fail("ServiceAccount shop/old-ci", "", `holds RoleBinding shop/old-ci (ClusterRole edit in namespace "shop")`),
		},
	}.run(t, "rbac:unused-serviceaccount")
}
