package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
)

func TestWorkloadEgressIsolationFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:workload-egress-isolation"), filepath.Join("testdata", "workload-egress-isolation"))
}
