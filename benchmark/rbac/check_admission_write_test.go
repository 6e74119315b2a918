package rbac

import "testing"

func TestAdmissionWrite(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can write admission webhooks or admission policies")},
		failWants: []want{
			notEvaluated("roles absent"),
			fail("ClusterRoleBinding injector", "subjects[0]", "ServiceAccount mesh/injector can patch mutatingwebhookconfigurations.admissionregistration.k8s.io; delete validatingadmissionpolicybindings.admissionregistration.k8s.io cluster-wide"),
		},
	}.run(t, "rbac:admission-write")
}
