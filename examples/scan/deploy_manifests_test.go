package main

// Tests of the deployment manifests in examples/deploy: the ClusterRole grants exactly what
// the loader lists, and the manifests pass kspm's own scan but for the findings a scanner cannot avoid.

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func loadDeploy(t *testing.T, paths ...string) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.LoadManifests(t.Context(), paths)
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	return inv
}

// TestClusterRoleGrantsExactlyTheLoadedKinds: list on every kind inventory.BuiltinKinds
// names, nothing more. When a kind joins the loader, this fails until rbac.yaml grants it.
func TestClusterRoleGrantsExactlyTheLoadedKinds(t *testing.T) {
	inv := loadDeploy(t, filepath.Join("..", "deploy", "rbac.yaml"))
	obj := inv.Get(inventory.KindClusterRole, "", "kspm-scanner")
	require.NotNil(t, obj)
	cr := obj.Object().(*rbacv1.ClusterRole)

	var granted []string
	for _, r := range cr.Rules {
		assert.Empty(t, r.ResourceNames)
		assert.Empty(t, r.NonResourceURLs)
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					granted = append(granted, v+" "+res+"."+g)
				}
			}
		}
	}
	var want []string
	for _, k := range inventory.BuiltinKinds() {
		want = append(want, "list "+k.Resource+"."+k.Group)
	}
	slices.Sort(granted)
	slices.Sort(want)
	assert.Equal(t, want, granted)

	kubelet := inv.Get(inventory.KindClusterRole, "", "kspm-kubelet-config")
	require.NotNil(t, kubelet, "the optional kubelet-config role")
	assert.Equal(t, []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes/proxy"}, Verbs: []string{"get"}}},
		kubelet.Object().(*rbacv1.ClusterRole).Rules, "nodes/proxy get, for /configz, and nothing else")

	crb := inv.Get(inventory.KindClusterRoleBinding, "", "kspm-scanner").Object().(*rbacv1.ClusterRoleBinding)
	assert.Equal(t, "kspm-scanner", crb.RoleRef.Name)
	require.Len(t, crb.Subjects, 1)
	sa := crb.Subjects[0]
	assert.NotNil(t, inv.Get(inventory.KindServiceAccount, sa.Namespace, sa.Name), "the bound ServiceAccount is in rbac.yaml")
}

// TestManifestsPassTheirOwnScan scans rbac.yaml and cronjob.yaml with every bundled
// benchmark. The only failures are the ones a scanner's deployment cannot avoid: it lists
// Secrets cluster-wide (as metadata, which RBAC cannot express), mounts its token, (with
// the optional kubelet-config role) can reach the kubelet API through nodes/proxy, and names
// its image by tag, since only whoever builds the image knows its digest.
func TestManifestsPassTheirOwnScan(t *testing.T) {
	inv := loadDeploy(t, filepath.Join("..", "deploy", "rbac.yaml"), filepath.Join("..", "deploy", "cronjob.yaml"))
	cj := inv.Get(inventory.KindCronJob, "kspm", "kspm-scan")
	require.NotNil(t, cj)
	spec := cj.Object().(*batchv1.CronJob).Spec.JobTemplate.Spec.Template.Spec
	assert.NotNil(t, inv.Get(inventory.KindServiceAccount, "kspm", spec.ServiceAccountName))

	bms, err := kspm.Benchmarks()
	require.NoError(t, err)
	rep, err := kspm.Scan(t.Context(), inv, bms)
	require.NoError(t, err)
	var failed []string
	for _, r := range rep.Results {
		switch r.Status {
		case check.StatusFail:
			failed = append(failed, r.CheckID+" "+r.Object.String())
		case check.StatusError:
			t.Errorf("%s: error: %s", r.CheckID, r.Message)
		}
	}
	expected := []string{
		"cis:5.1.10 ClusterRoleBinding kspm-kubelet-config",
		"cis:5.1.6 CronJob kspm/kspm-scan",
		"rbac:nodes-proxy ClusterRoleBinding kspm-kubelet-config",
		"rbac:secrets-read-cluster-wide ClusterRoleBinding kspm-scanner",
		"rbac:workload-serviceaccount CronJob kspm/kspm-scan",
		"workloads:image-digest CronJob kspm/kspm-scan",
	}
	slices.Sort(failed)
	assert.Equal(t, expected, failed)
}
