package secrets_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestUnreferencedFixtures(t *testing.T) {
	checktest.Run(t, secrets.Unreferenced(), filepath.Join("testdata", "unreferenced"))
}

// Declared the whole cluster, the same input judges the Secrets nothing names.
func TestUnreferencedComplete(t *testing.T) {
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("testdata", "unreferenced")}, inventory.WithCompleteInput())
	require.NoError(t, err)
	got := map[string]check.Status{}
	for _, r := range run(t, secrets.Unreferenced(), inv) {
		require.NotNil(t, r.Object, r.Message)
		got[r.Object.String()] = r.Status
		if r.Status == check.StatusFail {
			assert.Contains(t, r.Message, "no pod or workload template, ServiceAccount or Ingress of its namespace references it; "+
				"references from PersistentVolumes, StorageClasses, custom resources and controller flags are not seen")
		}
	}
	assert.Equal(t, check.StatusFail, got["Secret shop/leftover"])
	assert.Equal(t, check.StatusFail, got["Secret blog/db"])
	assert.Equal(t, check.StatusPass, got["Secret shop/db"])
	assert.Equal(t, check.StatusNotApplicable, got["Secret shop/web-token"])
}

// On a cluster, a kind that could not be listed may hold the reference; the ignoreTypes
// parameter replaces the default list.
func TestUnreferencedCluster(t *testing.T) {
	c := secrets.Unreferenced()
	objs := []runtime.Object{
		&corev1.Secret{ObjectMeta: meta("shop", "a"), Type: corev1.SecretTypeOpaque},
		&corev1.Secret{ObjectMeta: meta("shop", "b"), Type: "example.com/robot"},
		&corev1.Secret{ObjectMeta: meta("shop", "c"), Type: corev1.SecretTypeServiceAccountToken},
	}
	assertVerdicts(t, c, run(t, c, clusterInventory(t, nil, objs...), map[string]any{"ignoreTypes": "example.com/robot"}), []verdict{
		fail("Secret shop/a", "", "no pod or workload template, ServiceAccount or Ingress of its namespace references it"),
		notApplicable("Secret shop/b", "type example.com/robot is ignored"),
		fail("Secret shop/c", "", "references it"),
	})
	gap := clusterInventory(t, []inventory.Coverage{{Group: "networking.k8s.io", Kind: "Ingress", State: inventory.Forbidden, Reason: "denied"}}, objs[0])
	assertVerdicts(t, c, run(t, c, gap), []verdict{
		notEvaluated("", "ingresses forbidden: denied"),
		notEvaluated("Secret shop/a", "objects that can reference it were not all seen: ingresses forbidden: denied"),
	})
}
