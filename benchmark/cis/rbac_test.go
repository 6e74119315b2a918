package cis

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/internal/rbacdefaults"
	"github.com/kspm-dev/kspm/inventory"
)

// overDefaults returns a cluster-mode inventory, every kind listed, holding the API server's
// bootstrap RBAC policy labelled as the server labels it, with the objects of the manifest
// file path added (each replacing the default object of the same kind, namespace and name).
// expect gives the checktest expectation of a default object the file does not replace.
func overDefaults(t *testing.T, path string, expect func(runtime.Object) string) *inventory.Inventory {
	t.Helper()
	overlay, err := inventory.LoadManifests(context.Background(), []string{path})
	require.NoError(t, err)
	require.Empty(t, overlay.Errors(), path)
	replaced := map[string]bool{}
	for _, o := range overlay.Objects() {
		replaced[o.GroupKind().String()+"/"+o.Namespace()+"/"+o.Name()] = true
	}
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, obj := range rbacdefaults.APIServer().Objects() {
		m, err := meta.Accessor(obj)
		require.NoError(t, err)
		gk := obj.GetObjectKind().GroupVersionKind().GroupKind()
		if replaced[gk.String()+"/"+m.GetNamespace()+"/"+m.GetName()] {
			continue
		}
		m.SetLabels(map[string]string{rbacdefaults.LabelBootstrapping: "rbac-defaults"})
		if e := expect(obj); e != "" {
			m.SetAnnotations(map[string]string{checktest.AnnotationExpect: e})
		}
		require.NoError(t, b.Add(obj, inventory.Source{}))
	}
	for _, o := range overlay.Objects() {
		require.NoError(t, b.Add(o.Object(), o.Source()))
	}
	return b.Build()
}

// TestRBACDefaultsByContent runs the 5.1 controls that tell the cluster's default RBAC
// objects from others over testdata/rbac: the defaults are recognised by their content (the
// exact subjects, role reference and rules of the bootstrap policy), never by name or label.
func TestRBACDefaultsByContent(t *testing.T) {
	none := func(runtime.Object) string { return "" }
	whoCan := []string{"5.1.8", "5.1.9", "5.1.10", "5.1.11", "5.1.12", "5.1.13"}
	controls := map[string]func(runtime.Object) string{
		// Each binding of cluster-admin gets a verdict; each role does.
		"5.1.1": func(o runtime.Object) string {
			if crb, ok := o.(*rbacv1.ClusterRoleBinding); ok && crb.RoleRef.Kind == "ClusterRole" && crb.RoleRef.Name == "cluster-admin" {
				return "pass"
			}
			return ""
		},
		"5.1.3": func(o runtime.Object) string {
			switch o.(type) {
			case *rbacv1.ClusterRole, *rbacv1.Role:
				return "pass"
			}
			return ""
		},
		"5.1.7": none,
	}
	for _, id := range whoCan {
		controls[id] = none
	}
	for id, expect := range controls {
		dirs := []string{filepath.Join("testdata", "rbac", id)}
		if slices.Contains(whoCan, id) {
			dirs = append(dirs, filepath.Join("testdata", "rbac", "whocan"))
		}
		c := checkByID(t, id)
		ran := 0
		for _, dir := range dirs {
			entries, err := os.ReadDir(dir)
			if os.IsNotExist(err) {
				continue
			}
			require.NoError(t, err)
			for _, e := range entries {
				if filepath.Ext(e.Name()) != ".yaml" {
					continue
				}
				ran++
				path := filepath.Join(dir, e.Name())
				t.Run(id+"/"+filepath.Base(dir)+"/"+e.Name(), func(t *testing.T) {
					checktest.RunInventory(t, c, overDefaults(t, path, expect))
				})
			}
		}
		require.NotZero(t, ran, "no fixture for %s", id)
	}
}
