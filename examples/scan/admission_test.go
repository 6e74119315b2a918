package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
)

func TestAdmissionPolicies(t *testing.T) {
	t.Run("what a new policy would reject", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", "-f", "testdata/admission/cluster",
			"--checks", "testdata/admission/new-policy.yaml", "-b", "admission-policies")
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, []string{"admission-policies"}, rep.Benchmarks)
		assert.Equal(t, check.StatusFail, verdict(rep, "vap:trusted-registry", "Deployment shop/web"))
		assert.Equal(t, check.StatusPass, verdict(rep, "vap:trusted-registry", "Deployment shop/api"))
		assert.Equal(t, check.StatusPass, verdict(rep, "vap:max-replicas", "Deployment shop/web"))
		for _, r := range rep.Results {
			if r.CheckID == "vap:trusted-registry" && r.Status == check.StatusFail {
				assert.Equal(t, "untrusted image: docker.io/library/nginx:1.27", r.Message)
				require.NotNil(t, r.Admission)
				assert.Equal(t, check.Admission{Binding: "trusted-registry-prod", ValidationActions: []string{"Deny"}}, *r.Admission)
			}
		}
	})
	t.Run("--checks alone runs only its policies", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", "-f", "testdata/admission/cluster",
			"--checks", "testdata/admission/new-policy.yaml")
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, []string{"admission-policies"}, rep.Benchmarks)
		assert.Empty(t, verdict(rep, "vap:max-replicas", "Deployment shop/web"))
		assert.Equal(t, check.StatusFail, verdict(rep, "vap:trusted-registry", "Deployment shop/web"))
	})
	t.Run("the default set holds the input's policies", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", "-f", "testdata/admission/cluster")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, rep.Benchmarks, "admission-policies")
		assert.Equal(t, check.StatusPass, verdict(rep, "vap:max-replicas", "Deployment shop/web"))
	})
	t.Run("input without policies: the benchmark is left out", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", "-f", "testdata/app")
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, rep.Benchmarks, "admission-policies")
		code, _, stderr = runScan(t, "", "-f", "testdata/app", "-b", "admission-policies")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "no checks selected: no ValidatingAdmissionPolicy in the input")
	})
	t.Run("--check names a policy", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", "-f", "testdata/admission/cluster", "--check", "vap:max-replicas")
		require.Equal(t, exitOK, code, stderr)
		for _, r := range rep.Results {
			assert.Equal(t, "vap:max-replicas", r.CheckID)
		}
		code, _, stderr = runScan(t, "", "-f", "testdata/admission/cluster", "--check", "vap:nope")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, `unknown check "vap:nope"`)
	})
	t.Run("--list shows the policies of --checks", func(t *testing.T) {
		code, stdout, stderr := runScan(t, "", "--list", "--checks", "testdata/admission/new-policy.yaml")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "vap:trusted-registry")
	})
	t.Run("a policy the API server would refuse: file and line", func(t *testing.T) {
		code, _, stderr := runScan(t, "", "-f", "testdata/admission/cluster", "--checks", "testdata/admission/bad-policy.yaml")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "testdata/admission/bad-policy.yaml:1: ValidatingAdmissionPolicy broken: the API server would refuse it")
	})
}
