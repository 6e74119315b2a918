package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/inventory"
)

func TestDanglingIngressesFixtures(t *testing.T) {
	runPartialAndComplete(t, "network:dangling-ingresses", filepath.Join("testdata", "dangling-ingresses"))
}

// Listed from a cluster with Services forbidden, a backend Service not seen is not evaluated.
func TestDanglingIngressesServicesUnseen(t *testing.T) {
	c := findCheck(t, "network:dangling-ingresses")
	inv := loadCluster(t, filepath.Join("testdata", "dangling-ingresses", "complete"),
		inventory.Coverage{Kind: "Service", State: inventory.Forbidden, Reason: "no"})
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "services forbidden: no"),
		notEvaluated("Ingress shop/gone", `Service "web" is not in the inventory`),
	})
	inv = loadCluster(t, filepath.Join("testdata", "dangling-ingresses", "complete"))
	assertVerdicts(t, c, run(t, c, inv), []verdict{fail("Ingress shop/gone", "spec.rules[0].http.paths[1].backend.service", `backend Service "api" does not exist`)})
}
