package rbac

import "testing"

func TestSecretsReadClusterWide(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("no subject outside the allow-list can read secrets")},
		failWants: []want{
			// The fixture has no Roles or RoleBindings: more grants may hide there.
			notEvaluated("there may be more than the failures reported", "roles absent"),
			fail("ClusterRoleBinding bob-lists", "subjects[0]", "User bob can list secrets cluster-wide", "ClusterRole lister → rule #0"),
		},
	}.run(t, "rbac:secrets-read-cluster-wide")
}
