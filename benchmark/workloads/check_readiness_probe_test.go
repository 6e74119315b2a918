package workloads_test

import (
	"testing"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestReadinessProbeFixtures(t *testing.T) {
	runFixtures(t, workloads.ReadinessProbe())
}
