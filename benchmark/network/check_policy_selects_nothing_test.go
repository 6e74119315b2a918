package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/inventory"
)

func TestPolicySelectsNothingFixtures(t *testing.T) {
	runPartialAndComplete(t, "network:policy-selects-nothing", filepath.Join("testdata", "policy-selects-nothing"))
}

// Listed from a cluster, pods show the labels set at run time; a policy that selects none of
// them fails, and one a listed Pod matches passes though its template does not.
func TestPolicySelectsNothingCluster(t *testing.T) {
	c := findCheck(t, "network:policy-selects-nothing")
	inv := loadCluster(t, filepath.Join("testdata", "policy-selects-nothing", "cluster.yaml"))
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		pass("NetworkPolicy db/primary", "selects the pods of StatefulSet db/pg"),
		fail("NetworkPolicy db/typo", "spec.podSelector", `podSelector role=primray selects none of the 2 pod templates and pods of namespace "db"`),
	})
	inv = loadCluster(t, filepath.Join("testdata", "policy-selects-nothing", "cluster.yaml"),
		inventory.Coverage{Kind: "Pod", State: inventory.Forbidden, Reason: "no"})
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "pods forbidden: no"),
		notEvaluated("NetworkPolicy db/primary", "selects none of the pods seen, but pods were not all seen: pods forbidden: no"),
		notEvaluated("NetworkPolicy db/typo", "selects none of the pods seen"),
	})
}
