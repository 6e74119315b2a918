package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
)

func TestWorkloadIngressIsolationFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:workload-ingress-isolation"), filepath.Join("testdata", "workload-ingress-isolation"))
}

// Listed from a cluster, a workload's Pods show the labels set at run time: an operator's
// label a policy selects makes the workload's pods differ, and the verdict unknown; pods that
// agree with their template leave the verdict as the template's.
func TestWorkloadIngressIsolationCluster(t *testing.T) {
	c := findCheck(t, "network:workload-ingress-isolation")
	for _, f := range []string{"operator-label.yaml", "pods-agree.yaml"} {
		checktest.RunInventory(t, c, loadCluster(t, filepath.Join("testdata", "workload-ingress-isolation-cluster", f)))
	}
}
