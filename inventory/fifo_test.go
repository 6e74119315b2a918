package inventory

import (
	"testing"

	"github.com/kspm-dev/kspm/internal/testio"
)

// MakeFIFO creates a FIFO at path for a test, skipping the test where that cannot be done
// (see testio.MakeFIFO).
func MakeFIFO(t *testing.T, path string) { testio.MakeFIFO(t, path) }
