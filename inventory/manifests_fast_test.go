package inventory

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/internal/yamldoc"
)

// loadBothWays loads paths with the fast YAML path and without it.
func loadBothWays(t *testing.T, paths []string, opts ...ManifestOption) (fast, parsed *Inventory) {
	t.Helper()
	fast = mfLoad(t, paths, opts...)
	fastYAML = false
	defer func() { fastYAML = true }()
	parsed = mfLoad(t, paths, opts...)
	return fast, parsed
}

// assertSameInventory asserts that two inventories hold equal objects from the same places
// and the same errors.
func assertSameInventory(t *testing.T, want, got *Inventory) {
	t.Helper()
	require.Equal(t, want.Len(), got.Len())
	for i, w := range want.Objects() {
		g := got.Objects()[i]
		require.Equal(t, w.String(), g.String())
		assert.Equal(t, w.Source(), g.Source(), "%s", w)
		assert.Equal(t, w.GroupVersionKind(), g.GroupVersionKind(), "%s", w)
		assert.True(t, reflect.DeepEqual(w.Object(), g.Object()), "%s: objects differ", w)
	}
	assert.Equal(t, mfErrors(want, ""), mfErrors(got, ""))
}

// TestFastYAMLLoadsWhatTheParserLoads loads the same manifests through the fast YAML path
// and through the parser, and compares everything: objects, sources, errors.
func TestFastYAMLLoadsWhatTheParserLoads(t *testing.T) {
	dir := t.TempDir()
	objs := synth.Generate(3, 400)
	require.NoError(t, synth.WriteOneFile(filepath.Join(dir, "one.yaml"), objs))
	require.NoError(t, synth.WriteManyFiles(filepath.Join(dir, "many"), objs, 7))
	mfWrite(t, dir, "multi.yaml", mfMultiDoc)
	// Documents the fast path reads but whose loading records problems: the parser path
	// must record them, with their lines.
	mfWrite(t, dir, "problems.yaml", `apiVersion: v1
kind: Pod
metadata:
  name: unknown-field
  namespace: a
spec:
  containers:
  - name: c
    image: x
    imagePullPolicy: Always
    bogus: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: wrong-type
  namespace: a
spec:
  containers:
  - name: c
    image: x
    ports:
    - containerPort: "80"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  namespace: a
---
kind: Service
metadata:
  name: no-api-version
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: dup
  namespace: a
data:
  a: "1"
  a: "2"
---
apiVersion: v1
kind: ServiceAccountList
items:
- metadata:
    name: from-list
    namespace: a
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: custom
  namespace: a
spec:
  size: 3
`)
	paths := []string{filepath.Join(dir, "one.yaml"), filepath.Join(dir, "many"), filepath.Join(dir, "multi.yaml"), filepath.Join(dir, "problems.yaml")}
	fast, parsed := loadBothWays(t, paths)
	require.NotEmpty(t, parsed.Errors(), "the problem documents record errors")
	assertSameInventory(t, parsed, fast)

	for _, name := range []string{"real", "real-invalid"} {
		p := filepath.Join("..", "..", "shared", "corpus", name)
		if _, err := os.Stat(p); err != nil {
			t.Logf("corpus folder %s not available: %v", p, err)
			continue
		}
		t.Run(name, func(t *testing.T) {
			fast, parsed := loadBothWays(t, []string{p})
			assertSameInventory(t, parsed, fast)
		})
	}
}

// TestFastYAMLIsUsed guards the fast path's reach: the generated corpus is in the layout
// it reads, so none of its documents should need the parser.
func TestFastYAMLIsUsed(t *testing.T) {
	dir := t.TempDir()
	objs := synth.Generate(5, 300)
	require.NoError(t, synth.WriteOneFile(filepath.Join(dir, "one.yaml"), objs))
	data, err := os.ReadFile(filepath.Join(dir, "one.yaml"))
	require.NoError(t, err)
	l := &manifestLoader{}
	var sink bufferedSink
	sc := new(decodeScratch)
	for i, d := range yamldoc.Split(data) {
		require.True(t, l.fastYAMLDocument(&sink, d, sc), "document %d went to the parser:\n%s", i, d.Data)
	}
	assert.Len(t, sink.objs, len(objs), "objects loaded")
	assert.Empty(t, sink.errs)
}
