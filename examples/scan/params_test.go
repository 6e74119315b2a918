package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
)

func writeParams(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "params.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// TestParams: --params sets checks' parameters, here the org pack's allowed registries.
func TestParams(t *testing.T) {
	args := []string{"-f", "../demo", "-b", "org", "--check", "org:allowed-registries"}
	code, rep, stderr := scanJSON(t, "", args...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, check.StatusFail, verdict(rep, "org:allowed-registries", "Deployment shop/cart"), "default: registry.example.com only")

	p := writeParams(t, "org:allowed-registries:\n  registries: [registry.example.com, ghcr.io/acme, docker.io/library]\n")
	code, rep, stderr = scanJSON(t, "", append(args, "--params", p)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, check.StatusPass, verdict(rep, "org:allowed-registries", "Deployment shop/cart"))
	assert.Equal(t, check.StatusFail, verdict(rep, "org:allowed-registries", "Pod default/netshoot"), "docker.io/nicolaka is not allowed")
}

// TestParamsErrors: a --params file that cannot be used stops the run before anything is
// loaded, naming the file and line.
func TestParamsErrors(t *testing.T) {
	other := writeParams(t, "org:loadbalancer-namespaces: {namespaces: [monitoring]}\n")
	tests := []struct {
		name, body string
		extra      []string
		want       []string
	}{
		{"unknown check", "org:nope: {a: 1}\n", nil, []string{":1: check \"org:nope\" is not in the run"}},
		{"check not selected", "workloads:latest-tag: {}\n", nil, []string{"is not in the run"}},
		{"misspelt parameter", "org:allowed-registries:\n  registires: [x]\n", nil,
			[]string{":1: check org:allowed-registries: unknown parameter \"registires\""}},
		{"not a mapping", "org:allowed-registries: [x]\n", nil, []string{"want a mapping of parameter names to values"}},
		{"a list at the top", "- a\n", nil, []string{":1: want a mapping of check IDs to parameters"}},
		{"set twice in a file", "org:loadbalancer-namespaces: {}\norg:loadbalancer-namespaces: {}\n", nil, []string{":2: check org:loadbalancer-namespaces is set twice"}},
		{"set in two files", "org:loadbalancer-namespaces: {namespaces: [a]}\n", []string{"--params", other},
			[]string{"check org:loadbalancer-namespaces is set already"}},
		{"syntax error", "org:allowed-registries: {registries: [\n", nil, []string{"--params "}},
		{"a second document", "org:allowed-registries: {registries: [a.example]}\n---\norg:nope: {a: 1}\n", nil,
			[]string{":3: a second YAML document"}},
		{"a second document that does not parse", "org:allowed-registries: {}\n---\norg: [\n", nil, []string{"--params "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeParams(t, tt.body)
			args := append([]string{"-f", "../demo", "-b", "org", "--params", p}, tt.extra...)
			code, stdout, stderr := runScan(t, "", args...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			for _, w := range tt.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
	t.Run("many problems", func(t *testing.T) {
		var b strings.Builder
		for i := 0; b.Len() < maxParamsFileBytes-20; i++ {
			fmt.Fprintf(&b, "%x: {}\n", i)
		}
		code, stdout, stderr := runScan(t, "", "-f", "../demo", "-b", "org", "--params", writeParams(t, b.String()))
		assert.Equal(t, exitError, code)
		assert.Empty(t, stdout)
		assert.Equal(t, maxParamsErrors, strings.Count(stderr, "is not in the run"), "the first problems are named")
		assert.Regexp(t, `--params: \d+ more problems`, stderr)
	})
	t.Run("not a regular file", func(t *testing.T) {
		code, _, stderr := runScan(t, "", "-f", "../demo", "-b", "org", "--params", t.TempDir())
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "not a regular file")
	})
	t.Run("missing file", func(t *testing.T) {
		code, _, stderr := runScan(t, "", "-f", "../demo", "-b", "org", "--params", filepath.Join(t.TempDir(), "none.yaml"))
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "--params: open")
	})
}

// TestPlanReadsFilesOnce: the plan made again for a cluster's version (as a fleet does for
// each cluster) reads the --checks and --params files no more: it shares the checks and
// parameters read the first time, so a file changed or gone meanwhile changes nothing and
// its problems are not reported once per cluster.
func TestPlanReadsFilesOnce(t *testing.T) {
	dir := t.TempDir()
	checks, err := os.ReadFile("testdata/checks.yaml")
	require.NoError(t, err)
	checksFile := filepath.Join(dir, "checks.yaml")
	require.NoError(t, os.WriteFile(checksFile, checks, 0o600))
	paramsFile := writeParams(t, "org:allowed-registries:\n  registries: [ghcr.io/acme]\n")
	o, err := parseArgs([]string{"-f", "../demo", "-b", "org,pss-restricted", "--checks", checksFile, "--params", paramsFile})
	require.NoError(t, err)
	first, err := plan(o)
	require.NoError(t, err)
	require.NotNil(t, o.params["org:allowed-registries"])
	custom := func(bms []benchmark.Benchmark) []check.Check {
		for _, b := range bms {
			if b.Name == customBenchmark {
				return b.Checks
			}
		}
		return nil
	}
	require.NotEmpty(t, custom(first))

	require.NoError(t, os.Remove(checksFile))
	require.NoError(t, os.WriteFile(paramsFile, []byte("not: [a mapping of checks"), 0o600))
	for _, version := range []string{"v1.30", "v1.37"} {
		oc := *o // as runFleet plans for each cluster
		oc.clusterVersion = version
		again, err := plan(&oc)
		require.NoError(t, err, "the files are not read again")
		assert.Equal(t, o.params, oc.params)
		require.Len(t, custom(again), len(custom(first)))
		for i, c := range custom(again) {
			assert.Same(t, custom(first)[i], c, "the same check value, shared")
		}
	}
}
