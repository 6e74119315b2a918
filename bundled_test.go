package kspm_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
)

func TestBundledBenchmarksValidate(t *testing.T) {
	bs, err := kspm.SelectBenchmarks(kspm.BenchmarkNames())
	require.NoError(t, err)
	require.Len(t, bs, len(kspm.BenchmarkNames()))
	for _, b := range bs {
		t.Run(b.Name, func(t *testing.T) {
			assert.NoError(t, b.Validate())
			assert.NotEmpty(t, b.Title)
		})
	}
}

func TestSelectBenchmarksUnknownNameListsValidOnes(t *testing.T) {
	_, err := kspm.SelectBenchmarks([]string{"workloads", "no-such-benchmark"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, kspm.ErrUnknownBenchmark))
	for _, name := range kspm.BenchmarkNames() {
		assert.Contains(t, err.Error(), name)
	}
}

func TestSelectBenchmarksPSSVersion(t *testing.T) {
	_, err := kspm.SelectBenchmarks([]string{"pss-restricted"}, kspm.WithPSSVersion("v1.24"))
	require.NoError(t, err)
	_, err = kspm.SelectBenchmarks([]string{"pss-restricted"}, kspm.WithPSSVersion("1.24-not-a-version"))
	assert.Error(t, err, "an invalid PSS version must be refused, not silently treated as latest")
}

func TestSelectBenchmarksClusterVersion(t *testing.T) {
	bs, err := kspm.SelectBenchmarks([]string{"pss-restricted", "pss-namespaces"}, kspm.WithClusterVersion("v1.30"))
	require.NoError(t, err)
	assert.Contains(t, bs[0].Title, "v1.30", "latest is the cluster's newest policy")
	_, err = kspm.SelectBenchmarks([]string{"pss-baseline"}, kspm.WithClusterVersion("latest"))
	assert.Error(t, err, "a cluster version is v1.N")
}
