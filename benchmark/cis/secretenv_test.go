package cis

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
)

// 5.4.1 over literal credentials in env and in the ConfigMaps env reads.
func TestSecretEnvFixtures(t *testing.T) {
	checktest.Run(t, checkByID(t, "5.4.1"), filepath.Join("testdata", "5.4.1"))
}
