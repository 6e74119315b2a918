package rbac

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/rbacdefaults"
	"github.com/kspm-dev/kspm/inventory"
)

// overDefaults returns a cluster-mode inventory, every kind listed, holding the RBAC objects
// of the API server's bootstrap policy and of kubeadm (labelled
// kubernetes.io/bootstrapping=rbac-defaults, as the API server labels its own), with the
// objects of the manifest file path, if any, each replacing the default object of the same
// kind, namespace and name.
func overDefaults(t *testing.T, path string) *inventory.Inventory {
	t.Helper()
	replaced := map[string]bool{}
	var overlay []*inventory.Object
	if path != "" {
		inv, err := inventory.LoadManifests(context.Background(), []string{path})
		require.NoError(t, err)
		require.Empty(t, inv.Errors(), path)
		overlay = inv.Objects()
		for _, o := range overlay {
			replaced[o.GroupKind().String()+"/"+o.Namespace()+"/"+o.Name()] = true
		}
	}
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, obj := range rbacdefaults.WithKubeadm().Objects() {
		m, err := meta.Accessor(obj)
		require.NoError(t, err)
		if replaced[obj.GetObjectKind().GroupVersionKind().GroupKind().String()+"/"+m.GetNamespace()+"/"+m.GetName()] {
			continue
		}
		m.SetLabels(map[string]string{rbacdefaults.LabelBootstrapping: "rbac-defaults"})
		require.NoError(t, b.Add(obj, inventory.Source{}))
	}
	for _, o := range overlay {
		require.NoError(t, b.Add(o.Object(), o.Source()))
	}
	return b.Build()
}

// failures runs every check of the benchmark over inv and returns "CHECK OBJECT FIELD" for
// each failure, sorted.
func failures(t *testing.T, inv *inventory.Inventory, params map[string]any) []string {
	t.Helper()
	var out []string
	for _, c := range RBAC().Checks {
		for _, f := range run(t, c, inv, params) {
			if f.Status == check.StatusFail {
				out = append(out, c.Meta().ID+" "+refOf(f)+" "+f.Field)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestDefaultsByContent: the default grants are recognised by their content, not by the
// names of binding, role and subject: a default binding with a subject added, a default role
// edited to grant more, and a binding of a default name and role to a subject the default
// binding does not name are all reported (testdata/defaults, each laid over the real
// defaults).
func TestDefaultsByContent(t *testing.T) {
	everything := func(binding, field string) []string {
		var out []string
		for _, id := range []string{"admission-write", "bind-escalate", "create-persistentvolumes", "create-pods",
			"csr-approval", "impersonate", "nodes-proxy", "pod-exec", "secrets-read-cluster-wide", "serviceaccount-token",
			"wildcard-rules"} {
			out = append(out, "rbac:"+id+" "+binding+" "+field)
		}
		return out
	}
	tests := []struct {
		file string
		want []string
	}{
		{"kube-dns-edited.yaml", sorted(append(everything("ClusterRoleBinding system:kube-dns", "subjects[0]"),
			// Its service account does not exist: whoever creates it gets the edited role.
			"rbac:missing-serviceaccount ClusterRoleBinding system:kube-dns subjects[0]"))},
		{"kube-dns-workload.yaml", []string{
			"rbac:secrets-read-cluster-wide ClusterRoleBinding system:kube-dns subjects[0]",
			"rbac:workload-serviceaccount Deployment kube-system/kube-dns spec.template.spec.serviceAccountName",
		}},
		{"mallory.yaml", sorted(append(everything("ClusterRoleBinding cluster-admin", "subjects[1]"),
			"rbac:cluster-admin-binding ClusterRoleBinding cluster-admin subjects[1]"))},
		{"node-group.yaml", []string{
			"rbac:create-pods ClusterRoleBinding system:node subjects[0]",
			"rbac:secrets-read-cluster-wide ClusterRoleBinding system:node subjects[0]",
			"rbac:serviceaccount-token ClusterRoleBinding system:node subjects[0]",
		}},
		{"discovery-edited.yaml", []string{
			"rbac:secrets-read-cluster-wide ClusterRoleBinding system:discovery subjects[0]",
			"rbac:system-group-bindings ClusterRoleBinding system:discovery subjects[0]",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			assert.Equal(t, tc.want, failures(t, overDefaults(t, filepath.Join("testdata", "defaults", tc.file)), nil))
		})
	}
}

func sorted(xs []string) []string {
	slices.Sort(xs)
	return xs
}
