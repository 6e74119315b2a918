package inventory

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestLoadManifestsUnknownKindInBuiltinGroup checks that a kind that a built-in API group
// does not have is an input error naming file and line, as the API server rejects it, while
// kinds of other groups (custom resources) and workloads of removed API versions load.
func TestLoadManifestsUnknownKindInBuiltinGroup(t *testing.T) {
	const privileged = "spec:\n  containers:\n  - name: c\n    image: i\n    securityContext: {privileged: true}\n"
	tests := []struct {
		name       string
		file       string
		content    string
		wantErrors []string
		wantKinds  []schema.GroupKind
	}{
		{
			name:       "misspelt kind",
			file:       "typo.yaml",
			content:    "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: d}\nspec:\n  template:\n" + indent(privileged, "    ", "    "),
			wantErrors: []string{`typo.yaml:1: Deploymnet d: unknown kind "Deploymnet" in API group "apps" (apiVersion apps/v1); did you mean "Deployment"?`},
		},
		{
			name:       "kind in lower case",
			file:       "lower.yaml",
			content:    "apiVersion: v1\nkind: pod\nmetadata: {name: p}\n" + privileged,
			wantErrors: []string{`lower.yaml:1: pod p: unknown kind "pod" in the core API group (apiVersion v1); did you mean "Pod"?`},
		},
		{
			name:       "kind of another group",
			file:       "group.yaml",
			content:    "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p}\n" + privileged,
			wantErrors: []string{`group.yaml:1: Pod p: unknown kind "Pod" in API group "apps" (apiVersion apps/v1); Pod is a kind of the core API group (apiVersion v1)`},
		},
		{
			name:       "in a List and in JSON, each with its line",
			file:       "list.json",
			content:    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n {\"apiVersion\": \"batch/v1\", \"kind\": \"CronJobs\", \"metadata\": {\"name\": \"c\"}},\n {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}]}\n",
			wantErrors: []string{`list.json:2: CronJobs c: unknown kind "CronJobs" in API group "batch" (apiVersion batch/v1); did you mean "CronJob"?`},
			wantKinds:  []schema.GroupKind{KindNamespace},
		},
		{
			name:       "no suggestion when nothing is close",
			file:       "far.yaml",
			content:    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Everything\nmetadata: {name: e}\n",
			wantErrors: []string{`far.yaml:1: Everything e: unknown kind "Everything" in API group "rbac.authorization.k8s.io" (apiVersion rbac.authorization.k8s.io/v1)`},
		},
		{
			name: "custom resources, built-in kinds kspm does not type, and removed workload versions load",
			file: "ok.yaml",
			content: "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\n---\n" +
				"apiVersion: example.com/v1\nkind: deploymnet\nmetadata: {name: x}\n---\n" +
				"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb}\n---\n" +
				"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: crd}\n---\n" +
				"apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: psp}\n---\n" +
				"apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: ds}\n" + "spec:\n  template:\n" + indent(privileged, "    ", "    "),
			wantKinds: []schema.GroupKind{
				{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"},
				{Group: "apps", Kind: "DaemonSet"},
				{Group: "example.com", Kind: "deploymnet"},
				{Group: "gateway.networking.k8s.io", Kind: "Gateway"},
				{Group: "policy", Kind: "PodDisruptionBudget"},
				{Group: "policy", Kind: "PodSecurityPolicy"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			inv := mfLoad(t, []string{mfWrite(t, dir, tt.file, tt.content)})
			assert.Equal(t, tt.wantErrors, mfErrors(inv, dir))
			for _, e := range inv.Errors() {
				assert.ErrorIs(t, e, ErrUnknownKind)
			}
			assert.ElementsMatch(t, tt.wantKinds, inv.Kinds())
		})
	}
}

// TestLoadManifestsUnknownKindSecretKeepsNoValues checks that a Secret written with a kind
// the API server does not know is not loaded, its values neither in the error nor in the
// decoding buffer.
func TestLoadManifestsUnknownKindSecretKeepsNoValues(t *testing.T) {
	const value = "c3VwZXJzZWNyZXQ="
	dir := t.TempDir()
	inv := mfLoad(t, []string{mfWrite(t, dir, "s.yaml", "apiVersion: v1\nkind: secret\nmetadata: {name: s}\ndata:\n  password: "+value+"\n")})
	require.Len(t, inv.Errors(), 1)
	assert.NotContains(t, inv.Errors()[0].Error(), value)
	assert.Zero(t, inv.Len())

	data := []byte(`{"apiVersion":"v1","kind":"secret","metadata":{"name":"s"},"data":{"password":"` + value + `"}}`)
	var sink bufferedSink
	decodeManifestObject(&sink, data, schema.GroupVersionKind{Version: "v1", Kind: "secret"}, 1, docHeader{apiVersion: "v1", kind: "secret", name: "s"},
		jsonFieldLocator{}, "", nil, false)
	require.Len(t, sink.errs, 1)
	assert.Empty(t, sink.objs)
	assert.False(t, bytes.Contains(data, []byte(value)), "the JSON text of a document that is not loaded is cleared")
}

func TestBuiltinGroupKinds(t *testing.T) {
	groups := builtinGroupKinds()
	for _, g := range []string{"", "apps", "batch", "rbac.authorization.k8s.io", "networking.k8s.io", "policy",
		"admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "extensions"} {
		assert.Contains(t, groups, g, "served by the API server")
	}
	for _, g := range []string{"gateway.networking.k8s.io", "snapshot.storage.k8s.io", "metrics.k8s.io",
		"kubelet.config.k8s.io", "audit.k8s.io", "apiserver.config.k8s.io", "kubeadm.k8s.io", "example.com"} {
		assert.NotContains(t, groups, g, "not served by the API server itself")
	}
	for _, k := range BuiltinKinds() {
		assert.True(t, groups[k.Group][k.Kind], k.GroupKind().String())
	}
	for _, gk := range []schema.GroupKind{{Group: "apps", Kind: "WatchEvent"}, {Group: "apps", Kind: "ListOptions"}, {Kind: "Status"}} {
		assert.False(t, groups[gk.Group][gk.Kind], "%s is not an object kind", gk)
	}
	for _, gk := range []schema.GroupKind{{Group: "apps", Kind: "ControllerRevision"}, {Group: "extensions", Kind: "Deployment"}, {Kind: "PodTemplate"}} {
		assert.True(t, groups[gk.Group][gk.Kind], gk.String())
	}
}
