package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestDanglingIngressesFixtures(t *testing.T) {
	runPartialAndComplete(t, "network:dangling-ingresses", filepath.Join("testdata", "dangling-ingresses"))
}

// Listed from a cluster, a backend Service not listed does not exist, unless Services could
// not be listed.
func TestDanglingIngressesCluster(t *testing.T) {
	c := findCheck(t, "network:dangling-ingresses")
	dir := filepath.Join("testdata", "dangling-ingresses-cluster")
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "listed.yaml")))
	checktest.RunInventory(t, c, loadCluster(t, filepath.Join(dir, "services-forbidden.yaml"),
		inventory.Coverage{Kind: "Service", State: inventory.Forbidden, Reason: "no"}))
}
