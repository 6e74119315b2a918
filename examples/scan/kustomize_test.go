package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
)

// TestScanKustomize checks that the scanner builds kustomization directories: a walk builds
// the base and the overlay each as a variant, the overlay's patch decides its verdict, and
// results name the file the object came from and the root that built it.
func TestScanKustomize(t *testing.T) {
	code, rep, stderr := scanJSON(t, "", "-f", "testdata/kustomize", "-b", "pss-baseline")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, check.StatusPass, verdict(rep, "pss:privileged", "Deployment default/web"))
	assert.Equal(t, check.StatusFail, verdict(rep, "pss:privileged", "Deployment prod/web"))
	for _, r := range rep.Results {
		if r.CheckID == "pss:privileged" && r.Object.String() == "Deployment prod/web" {
			require.NotNil(t, r.Object.Source)
			assert.Equal(t, "base/web.yaml:1 (kustomize:testdata/kustomize/prod)", r.Object.Source.String())
		}
	}
}

// TestScanKustomizeRemote checks that a kustomization with a remote base is a load error
// naming it (exit status 2), and that nothing is fetched.
func TestScanKustomizeRemote(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "testdata/kustomize-remote")
	assert.Equal(t, exitError, code, stdout)
	assert.Contains(t, stderr, `testdata/kustomize-remote/kustomization.yaml: resources: "github.com/kspm-dev/nowhere//deploy?ref=v1": remote reference`)
}
