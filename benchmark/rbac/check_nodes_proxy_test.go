package rbac

import "testing"

func TestNodesProxy(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("through nodes/proxy")},
		failWants: []want{
			notEvaluated("roles absent"),
			fail("ClusterRoleBinding monitoring-kubelet", "subjects[0]", "ServiceAccount monitoring/prometheus can get nodes/proxy cluster-wide"),
		},
	}.run(t, "rbac:nodes-proxy")
}
