package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestDefaultNamespaceRole: the optional default-namespace.yaml allows list, and nothing else,
// on every resource of namespace default only, to the scanner's and the monitor's
// ServiceAccounts, and a scan of it fails only what that grant is.
func TestDefaultNamespaceRole(t *testing.T) {
	deploy := filepath.Join("..", "deploy")
	inv := loadDeploy(t, filepath.Join(deploy, "default-namespace.yaml"))
	assert.Equal(t, 2, inv.Len(), "a Role and its RoleBinding, nothing cluster-wide")
	role := inv.Get(inventory.KindRole, "default", "kspm-default-namespace")
	require.NotNil(t, role)
	assert.Equal(t, []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"list"}}},
		role.Object().(*rbacv1.Role).Rules)
	rb := inv.Get(inventory.KindRoleBinding, "default", "kspm-default-namespace")
	require.NotNil(t, rb)
	binding := rb.Object().(*rbacv1.RoleBinding)
	assert.Equal(t, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "kspm-default-namespace"}, binding.RoleRef)

	// The subjects are the ServiceAccounts the other manifests make.
	others := loadDeploy(t, filepath.Join(deploy, "rbac.yaml"), filepath.Join(deploy, "monitor.yaml"))
	require.Len(t, binding.Subjects, 2)
	for _, s := range binding.Subjects {
		assert.Equal(t, "ServiceAccount", s.Kind)
		assert.NotNil(t, others.Get(inventory.KindServiceAccount, s.Namespace, s.Name), "%s/%s", s.Namespace, s.Name)
	}

	bs, err := kspm.SelectBenchmarks(kspm.DefaultBenchmarkNames())
	require.NoError(t, err)
	rep, err := kspm.Scan(t.Context(), inv, bs)
	require.NoError(t, err)
	var failed []string
	for _, r := range rep.Results {
		if r.Status != check.StatusFail && r.Status != check.StatusError {
			continue
		}
		ref := "-"
		if r.Object != nil {
			ref = r.Object.Kind + " " + r.Object.Name
		}
		failed = append(failed, r.CheckID+" "+ref)
	}
	slices.Sort(failed)
	failed = slices.Compact(failed)
	assert.Equal(t, []string{
		"cis:5.6.4 Role kspm-default-namespace", "cis:5.6.4 RoleBinding kspm-default-namespace",
		"rbac:secrets-read-namespaced RoleBinding kspm-default-namespace",
		"rbac:wildcard-rules RoleBinding kspm-default-namespace",
		"secrets:readers -",
		"workloads:default-namespace Role kspm-default-namespace", "workloads:default-namespace RoleBinding kspm-default-namespace",
	}, failed, "what examples/deploy/README.md says this file costs")
}
