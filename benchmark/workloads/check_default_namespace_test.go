package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/inventory"
)

func TestDefaultNamespaceFixtures(t *testing.T) {
	runFixtures(t, workloads.DefaultNamespace())
}

// A kind not seen completely leaves "nothing in default" not evaluated; failures stand beside
// one notEvaluated result about no object.
func TestDefaultNamespaceUnseen(t *testing.T) {
	c := workloads.DefaultNamespace()
	gaps := []inventory.Coverage{{Kind: "Secret", State: inventory.Forbidden, Reason: "no list"}}
	inv := clusterInventory(t, gaps, &corev1.ConfigMap{ObjectMeta: meta("shop", "x")})
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "no object but the control plane's own in namespace default, but some kinds were not completely seen: secrets forbidden: no list"),
	})
	inv = clusterInventory(t, gaps, &corev1.ConfigMap{ObjectMeta: meta("default", "x")})
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "secrets forbidden: no list"),
		fail("ConfigMap default/x", "metadata.namespace", "ConfigMap default/x is in namespace default"),
	})
}
