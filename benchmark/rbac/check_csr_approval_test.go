package rbac

import "testing"

func TestCSRApproval(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("can approve certificate signing requests")},
		failWants: []want{
			notEvaluated("roles absent"),
			fail("ClusterRoleBinding approvers-approval", "subjects[0]", "Group approvers can approve certificate signing requests",
				"ClusterRoleBinding approvers-approval → ClusterRole approval", "ClusterRoleBinding approvers-signer → ClusterRole any-signer"),
			fail("ClusterRoleBinding carol-approves", "subjects[0]", "User carol can approve certificate signing requests",
				"resourceNames: kubernetes.io/kube-apiserver-client"),
		},
	}.run(t, "rbac:csr-approval")
}
