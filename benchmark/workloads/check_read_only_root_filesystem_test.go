package workloads_test

import (
	"testing"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestReadOnlyRootFilesystemFixtures(t *testing.T) {
	runFixtures(t, workloads.ReadOnlyRootFilesystem())
}
