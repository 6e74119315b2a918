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

// From a cluster read as metadata only, Secrets have no type: the default ServiceAccount's
// legacy token is still recognised by its name and annotation, and nothing else is.
func TestDefaultNamespaceMetadataOnlySecrets(t *testing.T) {
	c := workloads.DefaultNamespace()
	token := &corev1.Secret{ObjectMeta: meta("default", "default-token-x7k2p")}
	token.Annotations = map[string]string{corev1.ServiceAccountNameKey: "default"}
	other := &corev1.Secret{ObjectMeta: meta("default", "default-token-lookalike")}
	inv := clusterInventory(t, nil, token, other)
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		fail("Secret default/default-token-lookalike", "metadata.namespace", "is in namespace default"),
	})
}
