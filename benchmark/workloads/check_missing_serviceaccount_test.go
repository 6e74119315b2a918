package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/inventory"
)

func TestMissingServiceAccountFixtures(t *testing.T) {
	c := workloads.MissingServiceAccount()
	runFixtures(t, c)
	runCompleteFixture(t, c, completeFixture(c))
}

// From a cluster, a ServiceAccount not listed does not exist, unless ServiceAccounts could
// not be listed.
func TestMissingServiceAccountCluster(t *testing.T) {
	c := workloads.MissingServiceAccount()
	spec := corev1.PodSpec{ServiceAccountName: "api", Containers: []corev1.Container{ctr("app", "a:1")}}
	inv := clusterInventory(t, nil, deployment("shop", "api", spec))
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		fail("Deployment shop/api", "spec.template.spec.serviceAccountName", "runs as ServiceAccount shop/api, which does not exist"),
	})
	inv = clusterInventory(t, []inventory.Coverage{{Kind: "ServiceAccount", State: inventory.Forbidden, Reason: "no list"}},
		deployment("shop", "api", spec))
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "serviceaccounts forbidden: no list"),
		notEvaluated("Deployment shop/api", "runs as ServiceAccount shop/api, which is not in the inventory (serviceaccounts forbidden: no list)"),
	})
}
