package rbac

import "testing"

func TestWildcardRules(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("no binding outside the allow-list grants a wildcard rule")},
		failWants: []want{
			fail("ClusterRoleBinding ops-pods", "subjects[0]", "Group ops is granted wildcard rules cluster-wide", "rule #0 (verbs: *; apiGroups: \"\"; resources: pods)"),
			fail("ClusterRoleBinding scrapers", "subjects[0]", "Group scrapers is granted wildcard rules cluster-wide", "rule #0 (verbs: get; nonResourceURLs: *)"),
			fail("RoleBinding shop/any-group", "subjects[0]", "ServiceAccount shop/app", "Role shop/any-group → rule #0 (verbs: get; apiGroups: *; resources: deployments)"),
		},
	}.run(t, "rbac:wildcard-rules")
}
