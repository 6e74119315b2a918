package workloads_test

import (
	"testing"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestRootGroupFixtures(t *testing.T) {
	runFixtures(t, workloads.RootGroup())
}
