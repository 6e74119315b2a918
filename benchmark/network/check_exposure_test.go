package network_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestExposedServicesFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:exposed-services"), filepath.Join("testdata", "exposed-services"))
}

func TestIngressTLSFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:ingress-tls"), filepath.Join("testdata", "ingress-tls"))
}

// runPartialAndComplete runs a check over dir/partial as manifests that are a part of a
// cluster, and over dir/complete as manifests declared complete.
func runPartialAndComplete(t *testing.T, id, dir string) {
	t.Helper()
	c := findCheck(t, id)
	checktest.Run(t, c, filepath.Join(dir, "partial"))
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join(dir, "complete")}, inventory.WithCompleteInput())
	require.NoError(t, err)
	checktest.RunInventory(t, c, inv)
}

func TestDanglingServicesFixtures(t *testing.T) {
	runPartialAndComplete(t, "network:dangling-services", filepath.Join("testdata", "dangling-services"))
}

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
