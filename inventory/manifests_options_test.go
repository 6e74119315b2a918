package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestLoadManifestsDefaultNamespace(t *testing.T) {
	dir := t.TempDir()
	path := mfWrite(t, dir, "app.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web:1}]}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: pinned}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`)
	for _, tt := range []struct {
		name   string
		opts   []ManifestOption
		wantNS string
	}{
		{"kubectl's default", nil, "default"},
		{"like kubectl apply -n", []ManifestOption{WithDefaultNamespace("argocd")}, "argocd"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inv := mfLoad(t, []string{path}, tt.opts...)
			require.Empty(t, inv.Errors())
			assert.NotNil(t, inv.Get(KindDeployment, tt.wantNS, "web"), "unnamespaced Deployment lands in %s", tt.wantNS)
			assert.NotNil(t, inv.Get(KindServiceAccount, "pinned", "web"), "a written namespace is kept")
			assert.NotNil(t, inv.Get(KindClusterRole, "", "reader"), "cluster-scoped objects get no namespace")
			assert.NotNil(t, inv.Get(schema.GroupKind{Group: "example.com", Kind: "Widget"}, "", "w"),
				"a kind of unknown scope keeps its namespace as written")
		})
	}
}

func TestLoadManifestsConfigFileKindsNeedNoName(t *testing.T) {
	dir := t.TempDir()
	path := mfWrite(t, dir, "config.yaml", `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0
---
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources: []
`)
	other := mfWrite(t, dir, "pod.yaml", `apiVersion: v1
kind: Pod
spec: {containers: [{name: a, image: a}]}
`)
	inv := mfLoad(t, []string{path, other})
	kc := inv.ByKind(schema.GroupKind{Group: "kubelet.config.k8s.io", Kind: "KubeletConfiguration"})
	require.Len(t, kc, 1, "a kubelet config file as kubeadm writes it (no metadata) loads")
	assert.Equal(t, path+":1", kc[0].Name(), "named after its file and line")
	require.Len(t, inv.ByKind(schema.GroupKind{Group: "apiserver.config.k8s.io", Kind: "EncryptionConfiguration"}), 1)
	errs := inv.Errors()
	require.Len(t, errs, 1, "an API object without a name is still an error")
	assert.Contains(t, errs[0].Error(), "pod.yaml:1")
	assert.Contains(t, errs[0].Error(), "metadata.name is missing")
}
