package rbac

import "testing"

func TestServiceAccountToken(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can create service account tokens")},
		failWants: []want{
			notEvaluated("clusterroles absent"),
			fail("RoleBinding shop/token-minter", "subjects[0]", `ServiceAccount shop/ci can create serviceaccounts/token in namespace "shop"`, "resourceNames: builder"),
		},
	}.run(t, "rbac:serviceaccount-token")
}
