package inventory

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// asKubectlReads returns the object kubectl (and Helm) would send for one manifest document:
// YAML converted with sigs.k8s.io/yaml's YAMLToJSON, JSON decoded into a map (cli-runtime's
// unstructured builder) and encoded again; then decoded by the API server into its type, and
// defaulted as LoadManifests defaults.
func asKubectlReads(t *testing.T, doc string, isJSON bool, gk schema.GroupKind) runtime.Object {
	t.Helper()
	data := []byte(doc)
	if !isJSON {
		var err error
		data, err = sigsyaml.YAMLToJSON(data)
		require.NoError(t, err)
	}
	var m map[string]any
	require.NoError(t, sigsjson.UnmarshalCaseSensitivePreserveInts(data, &m))
	u := &unstructured.Unstructured{Object: m}
	k, ok := LookupKind(gk)
	if !ok {
		return u
	}
	obj := k.New()
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(m, obj))
	if obj.(interface{ GetNamespace() string }).GetNamespace() == "" && k.Namespaced {
		obj.(interface{ SetNamespace(string) }).SetNamespace("default")
	}
	ApplyDefaults(obj)
	return obj
}

// TestLoadManifestsDuplicateKeysAsKubectlReads checks that a manifest with a key written more
// than once loads as the object kubectl and Helm send to the API server: the value written
// last, whole (a mapping written again replaces the earlier one, it is not merged into it),
// at any depth, in YAML and in JSON; with one warning per repetition.
func TestLoadManifestsDuplicateKeysAsKubectlReads(t *testing.T) {
	tests := []struct {
		name         string
		file         string
		doc          string
		gk           schema.GroupKind
		wantWarnings []string
	}{
		{
			name: "nested mapping written twice",
			file: "pod.yaml",
			doc: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n" +
				"    securityContext:\n      privileged: true\n      runAsUser: 0\n    securityContext:\n      runAsUser: 1000\n",
			gk:           KindPod,
			wantWarnings: []string{`pod.yaml:11: Pod p: field "spec.containers[0].securityContext" written again (first at line 8); the last value is used`},
		},
		{
			name: "labels written twice, and a label in them",
			file: "deploy.yaml",
			doc: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels: {a: \"1\"}\n  labels:\n    b: \"2\"\n    b: \"3\"\n" +
				"spec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: i}]\n      hostNetwork: false\n",
			gk: KindDeployment,
			wantWarnings: []string{
				`deploy.yaml:6: Deployment d: field "metadata.labels" written again (first at line 5); the last value is used`,
				`deploy.yaml:8: Deployment d: field "metadata.labels.b" written again (first at line 7); the last value is used`,
				`deploy.yaml:16: Deployment d: field "spec.template.spec.hostNetwork" written again (first at line 14); the last value is used`,
			},
		},
		{
			name:         "a custom resource",
			file:         "cr.yaml",
			doc:          "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: {a: 1}\n  size: {b: 2}\n",
			gk:           schema.GroupKind{Group: "example.com", Kind: "Widget"},
			wantWarnings: []string{`cr.yaml:6: Widget w: field "spec.size" written again (first at line 5); the last value is used`},
		},
		{
			name: "JSON: a nested object written twice is replaced, not merged",
			file: "pod.json",
			doc: "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n" +
				" \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\"}], \"securityContext\": {\"runAsUser\": 0, \"runAsGroup\": 0},\n" +
				"  \"securityContext\": {\"runAsNonRoot\": true}}}\n",
			gk:           KindPod,
			wantWarnings: []string{`pod.json:3: Pod p: field "spec.securityContext" written again (first at line 2); the last value is used`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			inv := mfLoad(t, []string{mfWrite(t, dir, tt.file, tt.doc)})
			assert.Empty(t, inv.Errors())
			assert.Equal(t, tt.wantWarnings, mfWarnings(inv, dir))
			for _, w := range inv.Warnings() {
				assert.ErrorIs(t, w, ErrDuplicateKey)
			}
			require.Equal(t, 1, inv.Len())
			want := asKubectlReads(t, tt.doc, strings.HasSuffix(tt.file, ".json"), tt.gk)
			assert.Equal(t, want, inv.Objects()[0].Object())
		})
	}
}

// TestLoadManifestsDuplicateKeyLastValue pins what "the last value" is for a security
// setting written twice: the second securityContext replaces the first whole, so the
// container is not privileged (a merge would keep privileged: true).
func TestLoadManifestsDuplicateKeyLastValue(t *testing.T) {
	dir := t.TempDir()
	inv := mfLoad(t, []string{mfWrite(t, dir, "p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n"+
		"    securityContext:\n      privileged: true\n    securityContext:\n      runAsNonRoot: true\n")})
	require.Len(t, inv.Pods(), 1)
	sc := inv.Pods()[0].Spec.Containers[0].SecurityContext
	require.NotNil(t, sc)
	assert.Nil(t, sc.Privileged)
	assert.Equal(t, true, *sc.RunAsNonRoot)
}

// TestLoadManifestsNoticesKeepCoverage checks that a file that is no Kubernetes object (an
// application's configuration) is a notice, not an error, and leaves coverage complete,
// while a document that names a kind but cannot load is an error that makes it incomplete.
func TestLoadManifestsNoticesKeepCoverage(t *testing.T) {
	dir := t.TempDir()
	mfWrite(t, dir, "cassandra.yaml", "cluster_name: 'Test Cluster'\nnum_tokens: 256\nseed_provider:\n- class_name: x\n")
	mfWrite(t, dir, "compose.yml", "services:\n  web:\n    image: nginx\n    privileged: true\n")
	mfWrite(t, dir, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n")
	inv := mfLoad(t, []string{dir}, WithCompleteInput())
	assert.Empty(t, inv.Errors())
	assert.Equal(t, []string{
		"cassandra.yaml:1: not a Kubernetes object (neither apiVersion nor kind): skipped",
		"compose.yml:1: not a Kubernetes object (neither apiVersion nor kind): skipped",
	}, mfWarnings(inv, dir))
	for _, w := range inv.Warnings() {
		assert.ErrorIs(t, w, ErrNotObject)
	}
	assert.Equal(t, Loaded, inv.Coverage(KindPod).State)
	assert.Equal(t, Listed, inv.Coverage(KindDeployment).State)

	mfWrite(t, dir, "broken.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: [\n")
	inv = mfLoad(t, []string{dir}, WithCompleteInput())
	require.Len(t, inv.Errors(), 1)
	assert.False(t, errors.Is(inv.Errors()[0], ErrNotObject))
	assert.Equal(t, Incomplete, inv.Coverage(KindDeployment).State, "a document that failed to load may have held anything")
}

// TestLoadManifestsUnknownFieldIsAWarning checks that a field a built-in kind does not have
// is a warning and the object loads without it, as the API server stores it.
func TestLoadManifestsUnknownFieldIsAWarning(t *testing.T) {
	dir := t.TempDir()
	inv := mfLoad(t, []string{mfWrite(t, dir, "p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwrok: true\n  containers: [{name: c, image: i}]\n")},
		WithCompleteInput())
	assert.Empty(t, inv.Errors())
	require.Len(t, inv.Warnings(), 1)
	assert.ErrorIs(t, inv.Warnings()[0], ErrUnknownField)
	assert.Equal(t, `p.yaml:5: Pod p: unknown field "spec.hostNetwrok": dropped, as the API server drops it`, mfWarnings(inv, dir)[0])
	require.Len(t, inv.Pods(), 1)
	assert.False(t, inv.Pods()[0].Spec.HostNetwork)
	assert.Equal(t, Loaded, inv.Coverage(KindPod).State)
}

// TestLoadManifestsStrictFieldValidation: under WithStrictFieldValidation an unknown field and
// a repeated key are errors naming their file and line, as kubectl apply refuses such a file;
// the object still loads as the default mode loads it, and its kind's coverage stays Loaded
// (the object is there: nothing failed to load). Removed API versions and documents that are
// no object stay warnings; the default mode makes all of them warnings.
func TestLoadManifestsStrictFieldValidation(t *testing.T) {
	dir := t.TempDir()
	paths := []string{
		mfWrite(t, dir, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: false\n  hostNetwork: true\n"+
			"  containers:\n  - name: c\n    image: i\n    securityContex: {privileged: true}\n"),
		mfWrite(t, dir, "config.yaml", "listen: 8080\n"),
		mfWrite(t, dir, "old.yaml", "apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n"),
	}
	tests := []struct {
		name         string
		opts         []ManifestOption
		wantErrors   []string
		wantWarnings []string
	}{
		{
			name: "strict",
			opts: []ManifestOption{WithStrictFieldValidation()},
			wantErrors: []string{
				`pod.yaml:6: Pod p: field "spec.hostNetwork" written again (first at line 5); the last value is used`,
				`pod.yaml:10: Pod p: unknown field "spec.containers[0].securityContex": dropped, as the API server drops it`,
			},
			wantWarnings: []string{
				"config.yaml:1: not a Kubernetes object (neither apiVersion nor kind): skipped",
				"old.yaml:1: DaemonSet d: extensions/v1beta1 DaemonSet is not served since Kubernetes 1.16; read as apps/v1 DaemonSet",
			},
		},
		{
			name: "warn (the default)",
			wantWarnings: []string{ // in input order
				`pod.yaml:6: Pod p: field "spec.hostNetwork" written again (first at line 5); the last value is used`,
				`pod.yaml:10: Pod p: unknown field "spec.containers[0].securityContex": dropped, as the API server drops it`,
				"config.yaml:1: not a Kubernetes object (neither apiVersion nor kind): skipped",
				"old.yaml:1: DaemonSet d: extensions/v1beta1 DaemonSet is not served since Kubernetes 1.16; read as apps/v1 DaemonSet",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := mfLoad(t, paths, tt.opts...)
			assert.Equal(t, tt.wantErrors, mfErrors(inv, dir))
			assert.Equal(t, tt.wantWarnings, mfWarnings(inv, dir))
			require.Len(t, inv.Pods(), 1, "the object loads either way")
			assert.True(t, inv.Pods()[0].Spec.HostNetwork, "the last value is used")
			assert.Nil(t, inv.Pods()[0].Spec.Containers[0].SecurityContext, "the unknown field is dropped")
			assert.Equal(t, Loaded, inv.Coverage(KindPod).State)
			assert.Len(t, inv.DaemonSets(), 1)
		})
	}
}

// TestLoadManifestsCorpusInvalidStrict: as kubectl apply validates, both real but broken
// manifests of the corpus are errors; the Secret with a repeated key still loads.
func TestLoadManifestsCorpusInvalidStrict(t *testing.T) {
	dir := mfCorpus(t, "real-invalid")
	inv := mfLoad(t, []string{dir}, WithStrictFieldValidation())
	assert.Equal(t, []string{
		"fc.yaml:17: Pod fibre-channel-example-pod: spec.volumes[0].fc.lun: wrong type: found a string, want an integer (int32)",
		`quobyte-admin-secret.yaml:9: Secret quobyte-admin-secret: field "type" written again (first at line 5); the last value is used`,
	}, mfErrors(inv, dir))
	assert.Empty(t, inv.Warnings())
	require.Equal(t, 1, inv.Len())
	assert.Equal(t, Loaded, inv.Coverage(KindSecret).State)
}
