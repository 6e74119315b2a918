package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
)

func TestPolicyAllowsAllFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:policy-allows-all"), filepath.Join("testdata", "policy-allows-all"))
}
