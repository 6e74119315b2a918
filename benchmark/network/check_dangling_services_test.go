package network_test

import (
	"path/filepath"
	"testing"
)

func TestDanglingServicesFixtures(t *testing.T) {
	runPartialAndComplete(t, "network:dangling-services", filepath.Join("testdata", "dangling-services"))
}
