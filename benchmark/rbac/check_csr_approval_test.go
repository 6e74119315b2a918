package rbac

import (
	"path/filepath"
	"testing"
)

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

// A subject that holds one half of CSR approval directly and the other through a group every
// one of its members is in (system:authenticated, or system:serviceaccounts for a service
// account) holds both.
func TestCSRApprovalThroughImpliedGroups(t *testing.T) {
	c := findCheck(t, "rbac:csr-approval")
	inv := load(t, filepath.Join("testdata", "csr-approval", "implied-groups.yaml"), asCluster)
	assertFindings(t, run(t, c, inv, nil), []want{
		fail("ClusterRoleBinding bob-signer", "subjects[0]", "User bob can approve certificate signing requests",
			"ClusterRoleBinding everyone-approval", "ClusterRoleBinding bob-signer → ClusterRole signer-approve"),
		fail("ClusterRoleBinding signers-signer", "subjects[0]", "Group signers can approve certificate signing requests",
			"ClusterRoleBinding everyone-approval"),
		fail("ClusterRoleBinding signers-signer", "subjects[1]", "ServiceAccount ops/approver can approve certificate signing requests"),
	})
}
