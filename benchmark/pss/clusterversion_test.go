package pss

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// userNamespaceRoot runs as root in a user namespace (hostUsers: false) and sets no
// runAsNonRoot: restricted allows it from policy v1.35 on, and rejects it before.
func userNamespaceRoot() corev1.PodSpec {
	s := restrictedSpec()
	s.SecurityContext.RunAsNonRoot = nil
	s.HostUsers = ptr(false)
	return s
}

// A cluster's admission controller knows the policies up to its own version: "latest" there
// is that version, not the newest this module knows.
func TestClusterVersion(t *testing.T) {
	inv := newInventory(t,
		namespace("strict", map[string]string{lEnforce: "restricted"}),
		deployment("strict", "userns", userNamespaceRoot()))
	const obj = "Deployment strict/userns"

	t.Run("namespace violations: latest is the cluster's version", func(t *testing.T) {
		got := runCheck(t, inv, namespaceChecks(t)[NamespaceViolationsID])
		assert.Equal(t, check.StatusPass, got[obj].status, "latest = v1.37 relaxes runAsNonRoot for user namespaces")
		got = runCheck(t, inv, namespaceChecks(t, WithClusterVersion("v1.34"))[NamespaceViolationsID])
		assert.Equal(t, check.StatusFail, got[obj].status, "a v1.34 cluster's latest rejects it")
		assert.Contains(t, got[obj].message, "runAsNonRoot != true")
	})
	t.Run("level benchmarks: latest and newer versions are the cluster's version", func(t *testing.T) {
		for _, v := range []string{"latest", "v1.36"} {
			b, err := Restricted(WithVersion(v), WithClusterVersion("v1.34"))
			require.NoError(t, err)
			assert.Contains(t, b.Title, "evaluated as v1.34")
			var c check.Check
			for _, x := range b.Checks {
				if x.Meta().ID == "pss:runAsNonRoot" {
					c = x
				}
			}
			require.NotNil(t, c)
			assert.Equal(t, check.StatusFail, runCheck(t, inv, c)[obj].status, v)
		}
		b, err := Restricted(WithVersion("v1.30"), WithClusterVersion("v1.34"))
		require.NoError(t, err)
		assert.NotContains(t, b.Title, "evaluated as", "an older version is evaluated as itself")
	})
	t.Run("what-if", func(t *testing.T) {
		res, err := WhatIf(t.Context(), inv, "restricted", "", nil)
		require.NoError(t, err)
		assert.Zero(t, res.Rejected())
		res, err = WhatIf(t.Context(), inv, "restricted", "", nil, WithClusterVersion("v1.34"))
		require.NoError(t, err)
		assert.Equal(t, "restricted:v1.34", res.EvaluatedAs)
		assert.Equal(t, 1, res.Rejected())
		b, err := WhatIfBenchmark("restricted", "latest", nil, WithClusterVersion("v1.34"))
		require.NoError(t, err)
		assert.Equal(t, check.StatusFail, runCheck(t, inv, b.Checks[0])[obj].status)
	})
	t.Run("invalid", func(t *testing.T) {
		_, err := Restricted(WithClusterVersion("latest"))
		assert.ErrorIs(t, err, ErrInvalidVersion)
		_, err = Restricted(WithClusterVersion("1.30"))
		assert.ErrorIs(t, err, ErrInvalidVersion)
	})
}

// Workload kinds a cluster scan did not request are as unseen as forbidden ones.
func TestBlindSpotsNotRequested(t *testing.T) {
	checks, err := Checks("baseline", "latest")
	require.NoError(t, err)
	b := inventory.NewBuilder(inventory.ModeCluster)
	require.NoError(t, b.Add(deployment("shop", "web", baselineSpec()), inventory.Source{}))
	b.SetCoverage(inventory.Coverage{Group: "apps", Kind: "Deployment", State: inventory.Listed})
	b.SetCoverage(inventory.Coverage{Kind: "Pod", State: inventory.Absent, Reason: "not requested"})
	got := runCheck(t, b.Build(), checks[0])
	assert.Equal(t, check.StatusPass, got["Deployment shop/web"].status)
	assert.Equal(t, check.StatusNotEvaluated, got[""].status)
	assert.Contains(t, got[""].message, "Pod absent (not requested)")
}
