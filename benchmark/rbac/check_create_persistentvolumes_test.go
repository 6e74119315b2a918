package rbac

import "testing"

func TestCreatePersistentVolumes(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can create persistent volumes")},
		failWants: []want{
			notEvaluated("roles absent"),
			fail("ClusterRoleBinding pv-maker", "subjects[0]", "Group storage can create persistentvolumes cluster-wide"),
		},
	}.run(t, "rbac:create-persistentvolumes")
}
