package rbac

import "testing"

func TestDefaultServiceAccountBindings(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("names a default service account")},
		failWants: []want{
			fail("ClusterRoleBinding default-as-user", "subjects[0]", `default service account of namespace "batch" (User system:serviceaccount:batch:default)`),
			fail("RoleBinding shop/default-edit", "subjects[0]", `binds ClusterRole edit to the default service account of namespace "shop"`),
		},
	}.run(t, "rbac:default-serviceaccount-bindings")
}
