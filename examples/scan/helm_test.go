package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// TestHelmChart scans the demo's chart: its objects are rendered, with the template and the
// chart as their source, and the --helm-* flags and --default-namespace reach the render.
func TestHelmChart(t *testing.T) {
	const chart = "../demo/status-page"
	values := filepath.Join(t.TempDir(), "values.yaml")
	require.NoError(t, os.WriteFile(values, []byte("image:\n  tag: \"2.4.1\"\nreplicaCount: 3\n"), 0o644))

	tests := []struct {
		name       string
		args       []string
		deployment string
		latestTag  check.Status
	}{
		{"defaults", nil, "Deployment default/release-name-status-page", check.StatusFail},
		{"release and namespace", []string{"--helm-release", "status-page-prod", "--default-namespace", "shop"},
			"Deployment shop/status-page-prod", check.StatusFail}, // the release name holds the chart's: not repeated
		{"values file", []string{"--helm-values", values}, "Deployment default/release-name-status-page", check.StatusPass},
		{"set after the values file", []string{"--helm-set", "image.tag=latest", "--helm-values", values},
			"Deployment default/release-name-status-page", check.StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, rep, stderr := scanJSON(t, "", append([]string{"-f", chart, "-b", "workloads"}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Empty(t, rep.Inventory.Errors)
			assert.Equal(t, tt.latestTag, verdict(rep, "workloads:latest-tag", tt.deployment))
			var src *inventory.Source
			for _, r := range rep.Results {
				if r.Object != nil && r.Object.String() == tt.deployment {
					src = r.Object.Source
				}
			}
			require.NotNil(t, src, "no result on %s", tt.deployment)
			assert.Equal(t, inventory.Source{File: "status-page/templates/deployment.yaml", Line: 1, Root: "helm:" + chart}, *src)
		})
	}
	code, rep, _ := scanJSON(t, "", "-f", chart, "-b", "workloads", "--helm-set", "image.repository=ghcr.io/acme/other")
	require.Equal(t, exitOK, code)
	assert.Equal(t, []string{`container "status-page" uses image "ghcr.io/acme/other:latest", whose tag latest is not pinned`},
		messages(rep, "workloads:latest-tag"))
}

// messages returns the messages of check id's results in rep.
func messages(rep *report.Report, id string) []string {
	var out []string
	for _, r := range rep.Results {
		if r.CheckID == id {
			out = append(out, r.Message)
		}
	}
	return out
}

// TestHelmErrors checks what goes wrong with a chart: a bad flag is a usage error; a values
// file that cannot be read, or a chart that cannot be rendered, is a load error naming it,
// and the rest of the input is scanned.
func TestHelmErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"values without -f", []string{"--helm-values", "x.yaml"}, "use them with -f"},
		{"bad set", []string{"-f", "../demo/status-page", "--helm-set", "a[x]=1"}, `helm: --set "a[x]=1"`},
		{"bad release", []string{"-f", "../demo/status-page", "--helm-release", "Status_Page"}, `helm: release name "Status_Page"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", tt.args...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
		})
	}

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ns.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"), 0o644))
	code, rep, stderr := scanJSON(t, "", "-f", "../demo/status-page", "-f", dir, "-b", "workloads",
		"--helm-values", filepath.Join(dir, "absent.yaml"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "load error: ../demo/status-page: helm: chart status-page: values file: open "+filepath.Join(dir, "absent.yaml"))
	assert.Equal(t, 1, rep.Inventory.Objects, "the Namespace is scanned; the chart is not rendered")
}
