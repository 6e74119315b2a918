package secrets_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check/checktest"
)

func TestConfigMapCredentialsFixtures(t *testing.T) {
	checktest.Run(t, secrets.ConfigMapCredentials(), filepath.Join("testdata", "configmap-credentials"))
}
