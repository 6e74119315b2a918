package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
)

// corpusDir returns ../shared/corpus/NAME relative to the repository root, or skips.
func corpusDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared corpus not available at %s: %v", dir, err)
	}
	return dir
}

// TestCorpusReadAsTheAPIServerStores scans the real-world corpus: what the API server would
// store is scanned, with warnings, and the only load errors left are objects defined in two
// files (reported elsewhere). The two extensions/v1beta1 DaemonSets get results.
func TestCorpusReadAsTheAPIServerStores(t *testing.T) {
	_, rep, stderr := scanJSON(t, "", "-f", corpusDir(t, "real"), "-b", "workloads")
	for _, e := range rep.Inventory.Errors {
		assert.Contains(t, e, "is already defined at", "only objects defined twice are errors")
	}
	var notices, warnings int
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case strings.HasPrefix(l, "kspm-scan: notice: "):
			notices++
			assert.Contains(t, l, "cassandra.yaml")
		case strings.HasPrefix(l, "kspm-scan: warning: "):
			warnings++
		case strings.HasPrefix(l, "kspm-scan: load error: "):
			assert.Contains(t, l, "is already defined at")
		}
	}
	assert.Equal(t, len(rep.Inventory.Warnings), notices+warnings)
	assert.Equal(t, 2, notices, "the two cassandra.yaml files")
	assert.Equal(t, check.StatusFail, verdict(rep, "workloads:privileged", "DaemonSet default/flex-ds"))
	assert.Equal(t, check.StatusFail, verdict(rep, "workloads:privileged", "DaemonSet default/newrelic-infra-agent"))
}

// TestCorpusInvalid: of the two broken real manifests, the wrong type is an error with its
// file and line (exit 2), and the key written twice, which the API server accepts, a warning.
func TestCorpusInvalid(t *testing.T) {
	dir := corpusDir(t, "real-invalid")
	code, rep, stderr := scanJSON(t, "", "-f", dir, "-b", "workloads")
	assert.Equal(t, exitError, code)
	assert.Equal(t, []string{filepath.Join(dir, "fc.yaml") + ":17: Pod fibre-channel-example-pod: spec.volumes[0].fc.lun: wrong type: found a string, want an integer (int32)"},
		rep.Inventory.Errors)
	require.Len(t, rep.Inventory.Warnings, 1)
	assert.Contains(t, rep.Inventory.Warnings[0], filepath.Join(dir, "quobyte-admin-secret.yaml")+`:9: Secret quobyte-admin-secret: field "type" written again (first at line 5)`)
	assert.Contains(t, stderr, "kspm-scan: load error: "+filepath.Join(dir, "fc.yaml")+":17:")
}
