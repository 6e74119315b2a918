package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

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

// An object is left to its controller only when the inventory holds that controller: an
// owner reference with a UID names that object, not another of the same name.
func TestDefaultNamespaceController(t *testing.T) {
	c := workloads.DefaultNamespace()
	owner := deployment("default", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})
	owner.UID = "uid-now"
	child := func(uid string) *corev1.Pod {
		p := pod("default", "web-1", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})
		controller := true
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: types.UID(uid), Controller: &controller}}
		return p
	}
	assertVerdicts(t, c, run(t, c, newInventory(t, owner, child("uid-now"))), []verdict{
		fail("Deployment default/web", "metadata.namespace", "Deployment default/web is in namespace default"),
	})
	assertVerdicts(t, c, run(t, c, newInventory(t, owner, child("uid-before"))), []verdict{
		fail("Pod default/web-1", "metadata.namespace", "Pod default/web-1 is in namespace default"),
		fail("Deployment default/web", "metadata.namespace", "Deployment default/web is in namespace default"),
	})
}
