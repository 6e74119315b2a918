package network_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestReachableFromAllNamespacesFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:reachable-from-all-namespaces"), filepath.Join("testdata", "reachable-from-all-namespaces"))
}

func TestReachableFromAllNamespacesPorts(t *testing.T) {
	c := findCheck(t, "network:reachable-from-all-namespaces")
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("testdata", "reachable-from-all-namespaces")})
	require.NoError(t, err)
	results, err := kspm.Run(context.Background(), inv, []check.Check{c}, kspm.WithParams(c.Meta().ID, map[string]any{"ports": "22, http, 9090/TCP"}))
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range results {
		got[r.Object.String()] = string(r.Status) + ": " + r.Message
	}
	assert.Equal(t, "fail: reachable from every namespace on 22/TCP, 9090/TCP (no NetworkPolicy isolates it for ingress)", got["Deployment open/web"])
	assert.Equal(t, "fail: reachable from every namespace on 8080/TCP (NetworkPolicy shop/web-from-all ingress rule #0)", got["Deployment shop/web"],
		"the name resolves against the workload's container ports")
	assert.Equal(t, "pass: none of 22, http, 9090/TCP is reachable from every namespace", got["StatefulSet shop/db"])
	assert.Equal(t, "pass: none of 22, http, 9090/TCP is reachable from every namespace", got["Pod edge/proxy"], "443 is not asked about")

	results, err = kspm.Run(context.Background(), inv, []check.Check{c}, kspm.WithParams(c.Meta().ID, map[string]any{"ports": "22/ICMP"}))
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, check.StatusError, results[0].Status)
	assert.Contains(t, results[0].Message, `parameter ports: port "22/ICMP": protocol "ICMP" is not TCP, UDP or SCTP`)
}

// Listed from a cluster, every namespace there is may be admitted by selectors that do not
// admit every namespace there may be.
func TestReachableFromAllNamespacesCluster(t *testing.T) {
	checktest.RunInventory(t, findCheck(t, "network:reachable-from-all-namespaces"),
		loadCluster(t, filepath.Join("testdata", "reachable-from-all-namespaces-cluster", "labelled.yaml")))
}
