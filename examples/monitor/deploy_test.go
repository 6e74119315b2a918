package main

// Tests of examples/deploy/monitor.yaml: the ClusterRole grants exactly what the Deployment's
// monitor watches (derived from the checks of the benchmarks its args select, so the two
// cannot drift), writes only its report kinds, and the manifests pass kspm's own scan.

import (
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/monitor/publish"
)

var monitorYAML = filepath.Join("..", "deploy", "monitor.yaml")

func loadMonitorYAML(t *testing.T) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.LoadManifests(t.Context(), []string{monitorYAML})
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	return inv
}

// deployed returns the Deployment's pod spec and the options its container's args give.
func deployed(t *testing.T, inv *inventory.Inventory) (corev1.PodSpec, *options) {
	t.Helper()
	obj := inv.Get(inventory.KindDeployment, "kspm", "kspm-monitor")
	require.NotNil(t, obj)
	spec := obj.Object().(*appsv1.Deployment).Spec.Template.Spec
	require.Len(t, spec.Containers, 1)
	o, err := parseArgs(append(spec.Containers[0].Command, spec.Containers[0].Args...), io.Discard)
	require.NoError(t, err, "the Deployment's args are the monitor's")
	return spec, o
}

// grants returns "verb resource.group" for every rule of ClusterRole name.
func grants(t *testing.T, inv *inventory.Inventory, name string) []string {
	t.Helper()
	obj := inv.Get(inventory.KindClusterRole, "", name)
	require.NotNil(t, obj, name)
	var out []string
	for _, r := range obj.Object().(*rbacv1.ClusterRole).Rules {
		assert.Empty(t, r.ResourceNames)
		assert.Empty(t, r.NonResourceURLs)
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					out = append(out, v+" "+res+"."+g)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestMonitorClusterRoleReadsExactlyTheWatchedKinds(t *testing.T) {
	inv := loadMonitorYAML(t)
	spec, o := deployed(t, inv)
	bs, err := kspm.SelectBenchmarks(o.benchmarks)
	require.NoError(t, err)
	kinds := watchedKinds(bs)
	if o.allKinds || kinds == nil {
		kinds = nil
		for _, k := range inventory.BuiltinKinds() {
			kinds = append(kinds, k.GroupKind())
		}
	}
	var want []string
	for _, gk := range kinds {
		k, builtin := inventory.LookupKind(gk)
		if !builtin {
			continue // the other network policy kinds: asked of discovery only
		}
		want = append(want, "list "+k.Resource+"."+k.Group, "watch "+k.Resource+"."+k.Group)
		if gk == inventory.KindSecret {
			want = append(want, "get secrets.") // the type of a Secret the watch shows first
		}
	}
	slices.Sort(want)
	assert.Equal(t, want, grants(t, inv, "kspm-monitor"), "list and watch on exactly what the monitor watches")

	writes := func(group string, resources ...string) []string {
		var out []string
		for _, r := range resources {
			for _, v := range []string{"create", "delete", "get", "list", "update"} {
				out = append(out, v+" "+r+"."+group)
			}
		}
		slices.Sort(out)
		return out
	}
	assert.Contains(t, o.reports, publish.OpenReports, "the Deployment writes what its role allows")
	assert.Equal(t, writes("openreports.io", "clusterreports", "reports"), grants(t, inv, "kspm-monitor-reports"))
	assert.Equal(t, writes("wgpolicyk8s.io", "clusterpolicyreports", "policyreports"), grants(t, inv, "kspm-monitor-policyreports"))

	for _, name := range []string{"kspm-monitor", "kspm-monitor-reports", "kspm-monitor-policyreports"} {
		obj := inv.Get(inventory.KindClusterRoleBinding, "", name)
		require.NotNil(t, obj, name)
		crb := obj.Object().(*rbacv1.ClusterRoleBinding)
		assert.Equal(t, name, crb.RoleRef.Name)
		assert.Equal(t, []rbacv1.Subject{{Kind: "ServiceAccount", Name: "kspm-monitor", Namespace: "kspm"}}, crb.Subjects)
	}
	assert.Equal(t, "kspm-monitor", spec.ServiceAccountName)
	assert.NotNil(t, inv.Get(inventory.KindServiceAccount, "kspm", "kspm-monitor"))
	assert.Len(t, inv.ByKind(inventory.KindClusterRole), 3, "no other role")
	assert.Len(t, inv.ByKind(inventory.KindClusterRoleBinding), 3)
	assert.Empty(t, inv.ByKind(inventory.KindRole))
	assert.Empty(t, inv.ByKind(inventory.KindRoleBinding))
}

// TestMonitorManifestsPassTheirOwnScan: the Pod Security Standards' restricted profile and
// the workloads benchmark find nothing to fail; every default benchmark fails only what a
// monitor's deployment cannot avoid.
func TestMonitorManifestsPassTheirOwnScan(t *testing.T) {
	inv := loadMonitorYAML(t)
	nonPass := func(names ...string) (failed, other []string) {
		bs, err := kspm.SelectBenchmarks(names)
		require.NoError(t, err)
		rep, err := kspm.Scan(t.Context(), inv, bs)
		require.NoError(t, err)
		for _, r := range rep.Results {
			ref := "-"
			if r.Object != nil {
				ref = r.Object.String()
			}
			switch r.Status {
			case check.StatusPass:
			case check.StatusFail, check.StatusError:
				failed = append(failed, r.CheckID+" "+ref)
			default:
				other = append(other, string(r.Status)+" "+r.CheckID+" "+ref)
			}
		}
		slices.Sort(failed)
		slices.Sort(other)
		return failed, other
	}

	failed, other := nonPass("pss-restricted", "workloads")
	assert.Empty(t, failed)
	assert.Equal(t, []string{
		// Nothing of this kind in the file: a Deployment, no bare Pod.
		"notApplicable workloads:naked-pod -",
		// A policy for the user to set (the registries images may come from).
		"notEvaluated workloads:allowed-registries -",
	}, other)

	failed, _ = nonPass(kspm.DefaultBenchmarkNames()...)
	assert.Equal(t, []string{
		// It mounts its ServiceAccount token: it talks to the API server.
		"cis:5.1.6 Deployment kspm/kspm-monitor",
		// It watches Secrets (as metadata), which RBAC can only grant as reading them.
		"rbac:secrets-read-cluster-wide ClusterRoleBinding kspm-monitor",
		"rbac:workload-serviceaccount Deployment kspm/kspm-monitor",
	}, failed)
}
