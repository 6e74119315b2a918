package secrets_test

import (
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestLegacySATokenFixtures(t *testing.T) {
	checktest.Run(t, secrets.LegacySAToken(), filepath.Join("testdata", "legacy-sa-token"))
}

// On a cluster: a token of a ServiceAccount that does not exist is deleted by the token
// controller; Secrets listed as metadata have no type, and their annotation tells.
func TestLegacySATokenCluster(t *testing.T) {
	c := secrets.LegacySAToken()
	secret := func(name, typ string, annotations map[string]string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: name, Annotations: annotations}, Type: corev1.SecretType(typ)}
	}
	forSA := map[string]string{corev1.ServiceAccountNameKey: "gone"}
	objs := []runtime.Object{
		secret("a-orphan", string(corev1.SecretTypeServiceAccountToken), forSA),
		secret("b-meta-token", "", forSA),
		secret("c-meta-other", "", nil),
	}
	assertVerdicts(t, c, run(t, c, clusterInventory(t, nil, objs...)), []verdict{
		fail("Secret ci/a-orphan", "type", "its ServiceAccount does not exist, so the token is rejected and the token controller deletes the Secret"),
		notEvaluated("Secret ci/b-meta-token", "its type is unknown (listed as metadata only), and it is annotated kubernetes.io/service-account.name=gone"),
		pass("Secret ci/c-meta-other", "no kubernetes.io/service-account.name annotation"),
	})
	// ServiceAccounts that could not be listed: who made the token is not known, and the
	// runner says ServiceAccounts were not seen.
	forbidden := clusterInventory(t, []inventory.Coverage{{Kind: "ServiceAccount", State: inventory.Forbidden, Reason: "denied"}}, objs[0])
	assertVerdicts(t, c, run(t, c, forbidden), []verdict{
		notEvaluated("", "serviceaccounts forbidden: denied"),
		fail("Secret ci/a-orphan", "type", "whether the token controller generated it is not known"),
	})
}
