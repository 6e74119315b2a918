package rbac

import "testing"

func TestSecretsReadNamespaced(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("no subject outside the allow-list can read secrets")},
		failWants: []want{
			notEvaluated("there may be more than the failures reported"),
			fail("RoleBinding shop/app-secrets", "subjects[0]", `ServiceAccount shop/app can get, watch secrets in namespace "shop"`, "ClusterRole secret-reader → rule #0"),
		},
	}.run(t, "rbac:secrets-read-namespaced")
}
