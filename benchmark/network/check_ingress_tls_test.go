package network_test

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check/checktest"
)

func TestIngressTLSFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:ingress-tls"), filepath.Join("testdata", "ingress-tls"))
}
