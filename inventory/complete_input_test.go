package inventory_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

func writeManifest(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// TestWithCompleteInput: manifests declared complete stand for the whole cluster, so a kind
// with no object in them is completely seen (there are none), while a kind that a document
// which failed to load may have held stays Incomplete, and the default stays cautious.
func TestWithCompleteInput(t *testing.T) {
	dir := t.TempDir()
	good := writeManifest(t, dir, "app.yaml", `apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
`)
	badRB := writeManifest(t, dir, "rbac.yaml", `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: shop}
roleRef: [not, a, mapping]
`)
	badAny := writeManifest(t, dir, "junk.yaml", "apiVersion: v1\nkind: [\n")
	ctx := context.Background()

	for _, tt := range []struct {
		name     string
		paths    []string
		complete bool
		gk       string
		want     inventory.State
		wantDone bool
	}{
		{"default: a kind with no object is absent", []string{good}, false, "NetworkPolicy", inventory.Absent, false},
		{"complete: a kind with no object is listed, none", []string{good}, true, "NetworkPolicy", inventory.Listed, true},
		{"complete: a kind with objects is loaded", []string{good}, true, "ServiceAccount", inventory.Loaded, true},
		{"complete: a kind whose document failed to load stays incomplete", []string{good, badRB}, true, "RoleBinding", inventory.Incomplete, false},
		{"complete: other kinds are still listed", []string{good, badRB}, true, "NetworkPolicy", inventory.Listed, true},
		{"complete: a document whose kind is unreadable leaves every kind incomplete", []string{good, badAny}, true, "NetworkPolicy", inventory.Incomplete, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts []inventory.ManifestOption
			if tt.complete {
				opts = append(opts, inventory.WithCompleteInput())
			}
			inv, err := inventory.LoadManifests(ctx, tt.paths, opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.complete, inv.InputComplete())
			assert.Equal(t, tt.complete, inv.Whole())
			gk := kindNamed(t, tt.gk)
			c := inv.Coverage(gk)
			assert.Equal(t, tt.want, c.State, c.Reason)
			assert.Equal(t, tt.wantDone, c.Complete())
			assert.Equal(t, tt.wantDone, inv.Unseen(gk) == "", inv.Unseen(gk))
			if tt.want == inventory.Listed {
				assert.Zero(t, c.Count)
				assert.Contains(t, c.Reason, "declared complete")
			}
			// CoverageAll agrees with Coverage.
			for _, ca := range inv.CoverageAll() {
				if ca.GroupKind() == gk {
					assert.Equal(t, c, ca)
				}
			}
		})
	}
}

func TestWholeCluster(t *testing.T) {
	inv := inventory.NewBuilder(inventory.ModeCluster).Build()
	assert.True(t, inv.Whole(), "an inventory listed from an API server stands for the whole cluster")
	assert.False(t, inv.InputComplete())
	inv, err := inventory.New()
	require.NoError(t, err)
	assert.False(t, inv.Whole())
}

func kindNamed(t *testing.T, name string) (gk schema.GroupKind) {
	t.Helper()
	for _, k := range inventory.BuiltinKinds() {
		if k.Kind == name {
			return k.GroupKind()
		}
	}
	t.Fatalf("no built-in kind %s", name)
	return gk
}
