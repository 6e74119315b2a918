package synth

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/inventory"
)

func TestGenerateIsSeededAndMixed(t *testing.T) {
	a, b := Generate(7, 1000), Generate(7, 1000)
	require.GreaterOrEqual(t, len(a), 1000)
	assert.True(t, reflect.DeepEqual(a, b), "same seed must give the same objects")
	c := Generate(8, 1000)
	assert.False(t, reflect.DeepEqual(a, c), "another seed must give other objects")

	kinds := map[string]int{}
	for _, o := range a {
		kinds[o.GetObjectKind().GroupVersionKind().Kind]++
	}
	for _, k := range []string{"Namespace", "ServiceAccount", "Deployment", "StatefulSet", "DaemonSet", "CronJob", "Pod",
		"Service", "Ingress", "ConfigMap", "Secret", "Role", "RoleBinding", "NetworkPolicy", "ResourceQuota", "LimitRange",
		"ClusterRole", "ClusterRoleBinding"} {
		assert.Positive(t, kinds[k], "kind %s missing from the mix", k)
	}
}

// TestGenerateIsRealistic checks what makes the corpus stand for real manifests: every kind
// built in (so that the objects can be created on an API server), and about 600 bytes of
// YAML per object, as in the 30 MB of 50,000 objects the peer measurements used.
func TestGenerateIsRealistic(t *testing.T) {
	objs := Generate(11, 2000)
	size := 0
	for _, o := range objs {
		gvk := o.GetObjectKind().GroupVersionKind()
		_, ok := inventory.LookupKind(gvk.GroupKind())
		assert.True(t, ok, "%s is not a built-in kind", gvk)
		b, err := yaml.Marshal(o)
		require.NoError(t, err)
		size += len(b)
	}
	avg := size / len(objs)
	assert.True(t, avg > 450 && avg < 800, "average object is %d bytes of YAML", avg)
}

func TestWriteManyFiles(t *testing.T) {
	objs := Generate(1, 50)
	dir := t.TempDir()
	require.NoError(t, WriteManyFiles(dir, objs, 5))
	files, err := filepath.Glob(filepath.Join(dir, "part-000", "*.yaml"))
	require.NoError(t, err)
	assert.Len(t, files, (len(objs)+4)/5)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(b, &m), "a written file must be YAML")
	assert.NotEmpty(t, m["kind"])
}
