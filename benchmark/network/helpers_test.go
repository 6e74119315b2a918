package network_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/benchmark/network"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// findCheck returns the benchmark's check with the given ID.
func findCheck(t testing.TB, id string) check.Check {
	t.Helper()
	for _, c := range network.Network().Checks {
		if c.Meta().ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return nil
}

// loadCluster loads manifests as if listed from a cluster holding exactly these objects:
// every built-in kind listed and no kind of inventory.OtherNetworkPolicyKinds served (as the
// loader finds on a cluster without CNI policy kinds), but for the coverage given; objects of
// a kind given are left out unless it is listed.
func loadCluster(t *testing.T, path string, coverage ...inventory.Coverage) *inventory.Inventory {
	t.Helper()
	m, err := inventory.LoadManifests(context.Background(), []string{path})
	require.NoError(t, err)
	require.Empty(t, m.Errors())
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.NotServed})
	}
	for _, c := range coverage {
		b.SetCoverage(c)
	}
	for _, o := range m.Objects() {
		unlisted := slices.ContainsFunc(coverage, func(c inventory.Coverage) bool {
			return c.GroupKind() == o.GroupKind() && c.State != inventory.Listed
		})
		if !unlisted {
			require.NoError(t, b.Add(o.Object(), o.Source()))
		}
	}
	return b.Build()
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
