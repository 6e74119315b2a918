package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
)

func TestExposedServicesFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:exposed-services"), filepath.Join("testdata", "exposed-services"))
}
