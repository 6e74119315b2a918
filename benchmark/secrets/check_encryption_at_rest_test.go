package secrets_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

func TestEncryptionAtRestFixtures(t *testing.T) {
	checktest.Run(t, secrets.EncryptionAtRest(), filepath.Join("testdata", "encryption-at-rest"))
}

// Pods that could not be listed may hide the API server: not evaluated, never a pass.
func TestEncryptionAtRestPodsUnseen(t *testing.T) {
	c := secrets.EncryptionAtRest()
	inv := clusterInventory(t, []inventory.Coverage{{Kind: "Pod", State: inventory.Forbidden, Reason: "denied"}})
	assertVerdicts(t, c, run(t, c, inv), []verdict{notEvaluated("", "cannot find the kube-apiserver: pods forbidden: denied")})
}
