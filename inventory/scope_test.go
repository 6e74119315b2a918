package inventory

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// crdYAML is a CustomResourceDefinition of kind Widget in group example.com.
func crdYAML(name, plural, scope string, served ...string) string {
	s := fmt.Sprintf("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: %s\n"+
		"spec:\n  group: example.com\n  names: {kind: Widget, plural: %s}\n  scope: %s\n  versions:\n", name, plural, scope)
	for _, v := range []string{"v1", "v2"} {
		s += fmt.Sprintf("  - {name: %s, served: %t, storage: %t}\n", v, slices.Contains(served, v), v == "v1")
	}
	return s
}

// TestCustomResources: what the CustomResourceDefinitions of an inventory say of their kind,
// and nothing where the definitions of one kind (variants) disagree or say nothing valid.
func TestCustomResources(t *testing.T) {
	widget := schema.GroupKind{Group: "example.com", Kind: "Widget"}
	for _, tc := range []struct {
		name  string
		files []string
		want  CustomResource
	}{
		{"namespaced", []string{crdYAML("widgets.example.com", "widgets", "Namespaced", "v1", "v2")},
			CustomResource{Plural: "widgets", Scope: ScopeNamespaced, Served: []string{"v1", "v2"}}},
		{"cluster, one version served", []string{crdYAML("widgets.example.com", "widgets", "Cluster", "v2")},
			CustomResource{Plural: "widgets", Scope: ScopeCluster, Served: []string{"v2"}}},
		{"invalid scope", []string{crdYAML("widgets.example.com", "widgets", "Galaxy", "v1")},
			CustomResource{Plural: "widgets", Scope: ScopeUnknown, Served: []string{"v1"}}},
		{"variants that agree", []string{crdYAML("widgets.example.com", "widgets", "Cluster", "v1"), crdYAML("widgets.example.com", "widgets", "Cluster", "v1")},
			CustomResource{Plural: "widgets", Scope: ScopeCluster, Served: []string{"v1"}}},
		{"variants that disagree", []string{crdYAML("widgets.example.com", "widgets", "Cluster", "v1", "v2"), crdYAML("widgets.example.com", "gadgets", "Namespaced", "v2")},
			CustomResource{Plural: "", Scope: ScopeUnknown, Served: []string{"v2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, f := range tc.files {
				mfWrite(t, dir, fmt.Sprintf("d%d/crd.yaml", i), f)
			}
			crs := CustomResources(mfLoad(t, []string{dir}))
			require.Contains(t, crs, widget)
			assert.Equal(t, tc.want, crs[widget])
			assert.Equal(t, tc.want.Scope, ScopeOf(widget, crs))
		})
	}
}

// TestScopeOf: the scope of the kinds Kubernetes serves itself comes from Kubernetes, whatever
// a CustomResourceDefinition of the input claims; an unknown kind's is unknown.
func TestScopeOf(t *testing.T) {
	lie := map[schema.GroupKind]CustomResource{
		KindPod: {Scope: ScopeCluster}, {Group: "storage.k8s.io", Kind: "CSIDriver"}: {Scope: ScopeNamespaced},
	}
	for gk, want := range map[schema.GroupKind]Scope{
		KindPod:                      ScopeNamespaced,
		KindNamespace:                ScopeCluster,
		KindCustomResourceDefinition: ScopeCluster,
		{Group: "storage.k8s.io", Kind: "CSIDriver"}:         ScopeCluster,
		{Group: "apps", Kind: "ControllerRevision"}:          ScopeNamespaced,
		{Group: "", Kind: "Binding"}:                         ScopeNamespaced,
		{Group: "example.com", Kind: "Widget"}:               ScopeUnknown,
		{Group: "monitoring.coreos.com", Kind: "Prometheus"}: ScopeUnknown,
	} {
		assert.Equal(t, want, ScopeOf(gk, lie), "%s", gk)
	}
}
