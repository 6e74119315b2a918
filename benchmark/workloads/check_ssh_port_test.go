package workloads_test

import (
	"testing"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestSSHPortFixtures(t *testing.T) {
	runFixtures(t, workloads.SSHPort())
}
