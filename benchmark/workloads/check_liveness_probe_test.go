package workloads_test

import (
	"testing"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestLivenessProbeFixtures(t *testing.T) {
	runFixtures(t, workloads.LivenessProbe())
}
