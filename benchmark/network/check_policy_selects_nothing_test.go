package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestPolicySelectsNothingFixtures(t *testing.T) {
	runPartialAndComplete(t, "network:policy-selects-nothing", filepath.Join("testdata", "policy-selects-nothing"))
}

// Listed from a cluster, pods show the labels set at run time; a policy that selects none of
// them fails, and one a listed Pod matches passes though its template does not. With Pods
// not listed, "selects none" cannot be told.
func TestPolicySelectsNothingCluster(t *testing.T) {
	c := findCheck(t, "network:policy-selects-nothing")
	dir := filepath.Join("testdata", "policy-selects-nothing-cluster")
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "listed.yaml")))
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "pods-forbidden.yaml"),
		inventory.Coverage{Kind: "Pod", State: inventory.Forbidden, Reason: "no"}))
}
