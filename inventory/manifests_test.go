package inventory

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// mfObject is what the tests compare of a loaded object.
type mfObject struct {
	Kind, Namespace, Name string
	File                  string // base name
	Line                  int
}

func mfObjects(inv *Inventory) []mfObject {
	var out []mfObject
	for _, o := range inv.Objects() {
		out = append(out, mfObject{o.Kind(), o.Namespace(), o.Name(), filepath.Base(o.Source().File), o.Source().Line})
	}
	return out
}

// mfErrors returns the inventory's errors as text, with dir removed from paths.
func mfErrors(inv *Inventory, dir string) []string {
	var out []string
	for _, e := range inv.Errors() {
		s := e.Error()
		if dir != "" {
			s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
		}
		out = append(out, s)
	}
	return out
}

// mfWarnings returns the inventory's warnings as text, with dir removed from paths.
func mfWarnings(inv *Inventory, dir string) []string {
	var out []string
	for _, e := range inv.Warnings() {
		s := e.Error()
		if dir != "" {
			s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
		}
		out = append(out, s)
	}
	return out
}

func mfWrite(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func mfLoad(t testing.TB, paths []string, opts ...ManifestOption) *Inventory {
	t.Helper()
	inv, err := LoadManifests(context.Background(), paths, opts...)
	require.NoError(t, err)
	require.NotNil(t, inv)
	return inv
}

const mfMultiDoc = `# leading comment
apiVersion: v1
kind: ServiceAccount
metadata:
  name: first
  namespace: a
---
---   # an empty document, then a comment after the marker
---
# comment before content

apiVersion: v1
kind: ConfigMap
metadata: {name: script, namespace: a}
data:
  run.sh: |
    #!/bin/sh
    ---
    echo "not a document marker"
...
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: a
`

func TestLoadManifestsDocumentsAndLines(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		want    []mfObject
	}{
		{
			name: "multi-document YAML", file: "multi.yaml", content: mfMultiDoc,
			want: []mfObject{
				{"ConfigMap", "a", "script", "multi.yaml", 12},
				{"Secret", "a", "creds", "multi.yaml", 22},
				{"ServiceAccount", "a", "first", "multi.yaml", 2},
			},
		},
		{
			name: "CRLF and byte order mark", file: "crlf.yaml",
			content: "\ufeffapiVersion: v1\r\nkind: ServiceAccount\r\nmetadata:\r\n  name: one\r\n---\r\napiVersion: v1\r\nkind: ServiceAccount\r\nmetadata:\r\n  name: two\r\n",
			want: []mfObject{
				{"ServiceAccount", "default", "one", "crlf.yaml", 1},
				{"ServiceAccount", "default", "two", "crlf.yaml", 6},
			},
		},
		{
			name: "v1 List", file: "list.yaml",
			content: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: one}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: two, namespace: x}\nmetadata: {resourceVersion: \"\"}\n",
			want: []mfObject{
				{"ServiceAccount", "default", "one", "list.yaml", 4},
				{"Deployment", "x", "two", "list.yaml", 7},
			},
		},
		{
			name: "typed list: items take kind and apiVersion from it", file: "podlist.yaml",
			content: "apiVersion: v1\nkind: PodList\nitems:\n  - metadata: {name: p1}\n    spec: {containers: [{name: c, image: i}]}\n  - metadata: {name: p2}\n",
			want: []mfObject{
				{"Pod", "default", "p1", "podlist.yaml", 4},
				{"Pod", "default", "p2", "podlist.yaml", 6},
			},
		},
		{
			name: "empty list", file: "empty.yaml", content: "apiVersion: v1\nkind: List\nitems: []\n---\napiVersion: v1\nkind: List\nitems:\n",
		},
		{
			name: "YAML sequence of objects", file: "seq.yaml",
			content: "- apiVersion: v1\n  kind: Namespace\n  metadata: {name: n1}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: n2}\n",
			want: []mfObject{
				{"Namespace", "", "n1", "seq.yaml", 1},
				{"Namespace", "", "n2", "seq.yaml", 4},
			},
		},
		{
			name: "null document", file: "null.yaml", content: "~\n---\nnull\n",
		},
		{
			name: "JSON object", file: "pod.json",
			content: "\n\n{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\", \"namespace\": \"x\"},\n  \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\"}]}\n}\n",
			want:    []mfObject{{"Pod", "x", "p", "pod.json", 3}},
		},
		{
			name: "JSON array and stream", file: "many.json",
			content: "[\n {\"apiVersion\": \"v1\", \"kind\": \"ServiceAccount\", \"metadata\": {\"name\": \"a\"}},\n {\"apiVersion\": \"v1\", \"kind\": \"ServiceAccount\", \"metadata\": {\"name\": \"b\"}}\n]\n{\"apiVersion\": \"v1\", \"kind\": \"ServiceAccount\", \"metadata\": {\"name\": \"c\"}}\n",
			want: []mfObject{
				{"ServiceAccount", "default", "a", "many.json", 2},
				{"ServiceAccount", "default", "b", "many.json", 3},
				{"ServiceAccount", "default", "c", "many.json", 5},
			},
		},
		{
			name: "JSON List", file: "list.json",
			content: "{\"apiVersion\": \"v1\",\n \"items\": [\n  {\"metadata\": {\"name\": \"p1\"}},\n  {\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c1\"}}\n ],\n \"kind\": \"PodList\"}\n",
			want: []mfObject{
				{"ConfigMap", "default", "c1", "list.json", 4},
				{"Pod", "default", "p1", "list.json", 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := mfWrite(t, dir, tt.file, tt.content)
			inv := mfLoad(t, []string{p})
			assert.Empty(t, mfErrors(inv, dir))
			assert.Equal(t, tt.want, mfObjects(inv))
			assert.Equal(t, ModeManifests, inv.Mode())
			assert.Equal(t, []string{p}, inv.Sources())
		})
	}
}

func TestLoadManifestsBadDocuments(t *testing.T) {
	tests := []struct {
		name         string
		file         string
		content      string
		wantErrors   []string
		wantWarnings []string
		wantNames    []string // objects that still load
		wantIs       error    // what every error or warning wraps
	}{
		{
			name: "syntax error in the middle",
			file: "mixed.yaml",
			content: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: before}\n" + // 1-3
				"---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [broken\n" + // 4-8
				"---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: after}\n", // 9-12
			wantErrors: []string{"mixed.yaml:8: yaml: did not find expected ',' or ']'"},
			wantNames:  []string{"after", "before"},
		},
		{
			name:         "duplicate key: the last value",
			file:         "dup.yaml",
			content:      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata: {}\ntype: kubernetes.io/tls\n",
			wantWarnings: []string{`dup.yaml:7: Secret s: field "type" written again (first at line 5); the last value is used`},
			wantNames:    []string{"s"},
			wantIs:       ErrDuplicateKey,
		},
		{
			name:    "duplicate key in a later document and in a List head",
			file:    "dup2.yaml",
			content: "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n---\napiVersion: v1\nkind: List\nkind: List\nitems: []\n",
			wantWarnings: []string{
				`dup2.yaml:9: Namespace b: field "metadata.name" written again (first at line 8); the last value is used`,
				`dup2.yaml:13: List: field "kind" written again (first at line 12); the last value is used`,
			},
			wantNames: []string{"b", "ok"},
			wantIs:    ErrDuplicateKey,
		},
		{
			name: "duplicate key nested: the last mapping replaces the first, whole",
			file: "nested.yaml",
			content: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n" +
				"    securityContext:\n      privileged: true\n      runAsUser: 0\n    securityContext:\n      runAsUser: 1000\n",
			wantWarnings: []string{`nested.yaml:11: Pod p: field "spec.containers[0].securityContext" written again (first at line 8); the last value is used`},
			wantNames:    []string{"p"},
			wantIs:       ErrDuplicateKey,
		},
		{
			name: "wrong type names the field and its line",
			file: "type.yaml",
			content: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ok}\n---\n" +
				"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: a\n      - name: b\n        image: b\n        ports:\n        - containerPort: http\n",
			wantErrors: []string{"type.yaml:17: Deployment web: spec.template.spec.containers[1].ports[0].containerPort: wrong type: found a string, want an integer (int32)"},
			wantNames:  []string{"ok"},
		},
		{
			name:       "wrong type in JSON",
			file:       "type.json",
			content:    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n \"spec\": {\n  \"hostNetwork\": \"yes\"}}\n",
			wantErrors: []string{"type.json:3: Pod p: spec.hostNetwork: wrong type: found a string, want a boolean"},
		},
		{
			name:         "duplicate key in JSON",
			file:         "dup.json",
			content:      "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n \"spec\": {\"hostNetwork\": false,\n  \"hostNetwork\": true}}\n",
			wantWarnings: []string{`dup.json:3: Pod p: field "spec.hostNetwork" written again (first at line 2); the last value is used`},
			wantNames:    []string{"p"},
			wantIs:       ErrDuplicateKey,
		},
		{
			name:         "duplicate key in JSON of an unknown kind",
			file:         "dupcr.json",
			content:      "{\"apiVersion\": \"x.io/v1\", \"kind\": \"Thing\", \"metadata\": {\"name\": \"t\"},\n \"spec\": {\"a\": 1,\n  \"a\": 2}}\n",
			wantWarnings: []string{`dupcr.json:3: Thing t: field "spec.a" written again (first at line 2); the last value is used`},
			wantNames:    []string{"t"},
			wantIs:       ErrDuplicateKey,
		},
		{
			name: "duplicate key in JSON: an earlier value of the wrong type is replaced",
			file: "dupfix.json",
			content: "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n \"spec\": {\"hostNetwork\": \"yes\"},\n" +
				" \"spec\": {\"hostNetwork\": true}}\n",
			wantWarnings: []string{`dupfix.json:3: Pod p: field "spec" written again (first at line 2); the last value is used`},
			wantNames:    []string{"p"},
			wantIs:       ErrDuplicateKey,
		},
		{
			name:       "JSON syntax error",
			file:       "bad.json",
			content:    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"p\"} \"spec\": {}}\n",
			wantErrors: []string{"bad.json:2: expected ',' or '}' after an object member"},
		},
		{
			name:    "missing identity",
			file:    "missing.yaml",
			content: "kind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n---\nfoo: bar\n---\napiVersion: v1/x/y\nkind: Pod\nmetadata: {name: c}\n",
			wantErrors: []string{
				"missing.yaml:1: Pod a: apiVersion is missing",
				"missing.yaml:4: kind is missing",
				"missing.yaml:7: Pod: metadata.name is missing",
				`missing.yaml:13: Pod c: apiVersion: unexpected GroupVersion string: v1/x/y`,
			},
			wantWarnings: []string{"missing.yaml:11: not a Kubernetes object (neither apiVersion nor kind): skipped"},
		},
		{
			name: "not a Kubernetes object: a notice",
			file: "config.yaml",
			content: "# an application's configuration\ncluster_name: 'Test Cluster'\nnum_tokens: 256\n---\njust text\n---\n- a\n- b\n---\n" +
				"- apiVersion: v1\n  kind: Namespace\n  metadata: {name: ok}\n- 3\n---\napiVersion: null\nkind: null\n",
			wantErrors: []string{"config.yaml:15: apiVersion and kind are missing"},
			wantWarnings: []string{
				"config.yaml:2: not a Kubernetes object (neither apiVersion nor kind): skipped",
				"config.yaml:5: not a Kubernetes object (a scalar): skipped",
				"config.yaml:7: not a Kubernetes object (a list): skipped",
				"config.yaml:13: not a Kubernetes object (not a mapping): skipped",
			},
			wantNames: []string{"ok"},
		},
		{
			name:         "not a Kubernetes object in JSON: a notice",
			file:         "package.json",
			content:      "{\"name\": \"app\", \"version\": \"1.0.0\"}\n[1, {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"ok\"}}]\n",
			wantWarnings: []string{"package.json:1: not a Kubernetes object (neither apiVersion nor kind): skipped", "package.json:2: not a Kubernetes object (not a JSON object): skipped"},
			wantNames:    []string{"ok"},
			wantIs:       ErrNotObject,
		},
		{
			name:       "not an object in a List: an error",
			file:       "scalar.yaml",
			content:    "apiVersion: v1\nkind: List\nitems: 3\n---\napiVersion: v1\nkind: List\nitems:\n- 5\n- metadata: {name: x}\n",
			wantErrors: []string{"scalar.yaml:3: List: items is not a list", "scalar.yaml:8: not an object", "scalar.yaml:9: kind is missing"},
		},
		{
			name:         "unknown field: a warning, the object kept without it",
			file:         "unknown.yaml",
			content:      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    securityContex:\n      privileged: true\n",
			wantWarnings: []string{`unknown.yaml:8: Pod p: unknown field "spec.containers[0].securityContex": dropped, as the API server drops it`},
			wantNames:    []string{"p"},
			wantIs:       ErrUnknownField,
		},
		{
			name:       "bad indentation: the line of the problem, not of its mapping",
			file:       "indent.yaml",
			content:    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n   ports: []\n",
			wantErrors: []string{"indent.yaml:9: yaml: did not find expected key"},
		},
		{
			name:       "unclosed flow mapping: the line it opens on",
			file:       "flow.yaml",
			content:    "apiVersion: v1\nkind: Pod\nmetadata: {name: p,\nspec: {}\n",
			wantErrors: []string{"flow.yaml:3: yaml: did not find expected ',' or '}'"},
		},
		{
			name:       "YAML 1.1 boolean where a string is expected",
			file:       "norway.yaml",
			content:    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels:\n    country: NO\n",
			wantErrors: []string{"norway.yaml:6: Namespace x: metadata.labels.country: wrong type: found a boolean, want a string (unquoted NO is a boolean in YAML 1.1, as kubectl reads it: quote it)"},
		},
		{
			name:         "unknown field in JSON",
			file:         "unknown.json",
			content:      "{\"apiVersion\": \"v1\", \"kind\": \"ServiceAccount\",\n \"metadata\": {\"name\": \"sa\"},\n \"automount\": false}\n",
			wantWarnings: []string{`unknown.json:3: ServiceAccount sa: unknown field "automount": dropped, as the API server drops it`},
			wantNames:    []string{"sa"},
			wantIs:       ErrUnknownField,
		},
		{
			name:       "value with no JSON form",
			file:       "inf.yaml",
			content:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: .inf\n",
			wantErrors: []string{"inf.yaml:5: ConfigMap c: .inf has no JSON form"},
		},
		{
			name:       "invalid base64 in a Secret",
			file:       "b64.yaml",
			content:    "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: not-base64!\n",
			wantErrors: []string{"b64.yaml:5: Secret s: data.password: invalid base64 (illegal base64 data at input byte 3)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := mfWrite(t, dir, tt.file, tt.content)
			inv := mfLoad(t, []string{p})
			assert.Equal(t, tt.wantErrors, mfErrors(inv, dir))
			assert.Equal(t, tt.wantWarnings, mfWarnings(inv, dir))
			var names []string
			for _, o := range inv.Objects() {
				names = append(names, o.Name())
			}
			assert.Equal(t, tt.wantNames, names)
			for _, err := range append(inv.Errors(), inv.Warnings()...) {
				var se *SourceError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, p, se.Source.File)
				assert.Positive(t, se.Source.Line)
				if tt.wantIs != nil {
					assert.ErrorIs(t, err, tt.wantIs)
				}
			}
			for _, c := range inv.CoverageAll() {
				if len(tt.wantErrors) == 0 {
					assert.NotEqual(t, Incomplete, c.State, "warnings leave coverage as it is: %s", c.Kind)
				}
			}
		})
	}
}

func TestLoadManifestsStdin(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []mfObject
	}{
		{"YAML", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
			[]mfObject{{"Namespace", "", "a", "-", 1}, {"Namespace", "", "b", "-", 5}}},
		{"JSON", "  \n{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"j\"}}",
			[]mfObject{{"Namespace", "", "j", "-", 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := mfLoad(t, []string{"-"}, WithStdin(strings.NewReader(tt.input)))
			assert.Empty(t, inv.Errors())
			assert.Equal(t, tt.want, mfObjects(inv))
			assert.Equal(t, []string{"-"}, inv.Sources())
		})
	}

	inv := mfLoad(t, []string{"-"}, WithStdin(iotestErrReader{}))
	assert.Equal(t, []string{"-: read: boom"}, mfErrors(inv, ""))
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestLoadManifestsDirectory(t *testing.T) {
	dir := filepath.Join("testdata", "manifests", "app")
	inv := mfLoad(t, []string{dir})
	assert.Empty(t, inv.Errors())
	assert.Equal(t, []mfObject{
		{"ConfigMap", "default", "settings", "config.yml", 1},
		{"Service", "shop", "web", "deployment.yaml", 22},
		{"Deployment", "shop", "web", "deployment.yaml", 2},
		{"Certificate", "", "web-tls", "certificate.yaml", 1},
		{"NetworkPolicy", "shop", "deny-all", "netpol.yaml", 1},
		{"ClusterRole", "", "reader", "rbac.json", 1},
	}, mfObjects(inv))

	cert := inv.Get(schema.GroupKind{Group: "cert-manager.io", Kind: "Certificate"}, "", "web-tls")
	require.NotNil(t, cert, "a kind that is not built in is kept, its namespace as written")
	u, ok := cert.Object().(*unstructured.Unstructured)
	require.True(t, ok)
	assert.Equal(t, "web-tls", u.Object["spec"].(map[string]any)["secretName"])

	for _, gk := range []schema.GroupKind{KindDeployment, KindService, KindConfigMap, KindClusterRole, KindNetworkPolicy} {
		c := inv.Coverage(gk)
		assert.Equal(t, Loaded, c.State, gk.String())
		assert.Equal(t, 1, c.Count, gk.String())
		assert.True(t, c.Complete())
	}
	assert.Equal(t, Absent, inv.Coverage(KindPod).State)
	assert.False(t, inv.Coverage(KindPod).Complete())

	// The same file named twice, and through its directory, loads once.
	again := mfLoad(t, []string{dir, filepath.Join(dir, "config.yml"), "./" + filepath.Join(dir, "config.yml")})
	assert.Empty(t, again.Errors())
	assert.Equal(t, inv.Len(), again.Len())

	// A file named explicitly is read whatever its name.
	txt := mfLoad(t, []string{filepath.Join(dir, "notes.txt")})
	assert.Equal(t, []string{filepath.Join(dir, "notes.txt") + ":1: Pod: metadata.name is missing"}, mfErrors(txt, ""))
}

func TestLoadManifestsUsageErrors(t *testing.T) {
	_, err := LoadManifests(context.Background(), nil)
	assert.ErrorIs(t, err, ErrNoInput)

	_, err = LoadManifests(context.Background(), []string{"testdata", "no/such/file.yaml"})
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), "no/such/file.yaml")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = LoadManifests(ctx, []string{"testdata"})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestLoadManifestsUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: file permissions do not stop reads")
	}
	dir := t.TempDir()
	p := mfWrite(t, dir, "locked.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
	mfWrite(t, dir, "ok.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n")
	sub := filepath.Dir(mfWrite(t, dir, "sub/x.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n"))
	require.NoError(t, os.Chmod(p, 0))
	require.NoError(t, os.Chmod(sub, 0))
	t.Cleanup(func() { _ = os.Chmod(sub, 0o755) })
	inv := mfLoad(t, []string{dir})
	assert.Equal(t, []string{"locked.yaml: read: permission denied", "sub: read: permission denied"}, mfErrors(inv, dir))
	assert.Equal(t, 1, inv.Len())
}

func TestLoadManifestsSecretsHoldNoValues(t *testing.T) {
	const value = "c3VwZXJzZWNyZXQ=" // "supersecret"
	content := fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    keep: me
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"%[1]s"}}'
data:
  password: %[1]s
stringData:
  token: supersecret
`, value)
	dir := t.TempDir()
	inv := mfLoad(t, []string{mfWrite(t, dir, "secret.yaml", content),
		mfWrite(t, dir, "secret.json", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"j"},"data":{"k":"`+value+`"}}`)})
	require.Empty(t, inv.Errors())
	secrets := inv.Secrets()
	require.Len(t, secrets, 2)
	s := secrets[0]
	assert.Equal(t, map[string][]byte{"password": nil}, s.Data, "key names stay, values go")
	assert.Equal(t, map[string]string{"token": ""}, s.StringData)
	assert.Equal(t, map[string]string{"keep": "me"}, s.Annotations)
	assert.Equal(t, corev1.SecretTypeOpaque, s.Type)
	assert.Equal(t, map[string][]byte{"k": nil}, secrets[1].Data)
	for _, o := range inv.Objects() {
		m, err := o.Map()
		require.NoError(t, err)
		text := fmt.Sprint(m)
		assert.NotContains(t, text, "supersecret")
		assert.NotContains(t, text, value)
	}
}

func TestLoadManifestsDefaults(t *testing.T) {
	content := `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccount: legacy
          containers: [{name: c, image: busybox}]
          volumes: [{name: scratch}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr, namespace: ignored}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`
	dir := t.TempDir()
	inv := mfLoad(t, []string{mfWrite(t, dir, "d.yaml", content)})
	require.Empty(t, inv.Errors())
	cjs := inv.CronJobs()
	require.Len(t, cjs, 1)
	cj := cjs[0]
	assert.Equal(t, "default", cj.Namespace)
	spec := cj.Spec.JobTemplate.Spec.Template.Spec
	require.Len(t, spec.Volumes, 1)
	assert.NotNil(t, spec.Volumes[0].EmptyDir)
	assert.Equal(t, "legacy", spec.ServiceAccountName)
	assert.Equal(t, corev1.PullAlways, spec.Containers[0].ImagePullPolicy)
	assert.NotNil(t, inv.Get(KindClusterRole, "", "cr"), "a cluster-scoped object has no namespace")
	assert.NotNil(t, inv.Get(schema.GroupKind{Group: "example.com", Kind: "Widget"}, "", "w"), "unknown kinds keep their namespace as written")
	require.Len(t, inv.PodTemplates(), 1)
	assert.Equal(t, "default", inv.PodTemplates()[0].Namespace())
}

// TestLoadManifestsSplitListMatchesWholeParse loads List documents both ways: split
// textually into items parsed in parallel, and parsed whole. The results must be the same,
// including errors and lines, and a List the textual split gets wrong must fall back.
func TestLoadManifestsSplitListMatchesWholeParse(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n")
	for i := range 50 {
		switch i % 10 {
		case 3:
			fmt.Fprintf(&b, "- apiVersion: v1\n  kind: Pod\n  metadata: {name: p%d}\n  spec:\n    containers:\n    - name: c\n      image: i\n      ports:\n      - containerPort: web\n", i)
		case 7:
			fmt.Fprintf(&b, "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c%d\n  data:\n    script: |\n      ---\n      - not an item\n", i)
		default:
			fmt.Fprintf(&b, "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: d%d\n    namespace: ns\n  spec:\n    selector: {matchLabels: {a: b}}\n    template:\n      spec:\n        containers: [{name: c, image: i}]\n", i)
		}
	}
	list := b.String()
	tests := []struct {
		name     string
		content  string
		wantObjs int
	}{
		{"list", list, 45},
		{"list with a syntax error in an item", strings.Replace(list, "name: d12", "name: [d12", 1), 0},
		{"list with a duplicate key in its head", strings.Replace(list, "kind: List\n", "kind: List\nkind: List\n", 1), 45},
		{"under-indented flow continuation", list + "- {apiVersion: v1, kind: ConfigMap, metadata: {name: flow},\ndata: {}}\n", 46},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := mfWrite(t, dir, "list.yaml", tt.content)
			old := splitListMin
			t.Cleanup(func() { splitListMin = old })

			splitListMin = len(tt.content) + 1
			whole := mfLoad(t, []string{p}, WithParallelism(1))
			splitListMin = 0
			split := mfLoad(t, []string{p}, WithParallelism(4))

			assert.Equal(t, mfObjects(whole), mfObjects(split))
			assert.Equal(t, mfErrors(whole, dir), mfErrors(split, dir))
			assert.Equal(t, mfWarnings(whole, dir), mfWarnings(split, dir))
			assert.Equal(t, tt.wantObjs, split.Len())
			assert.Equal(t, len(mfErrors(split, dir)) > 0, tt.wantObjs < 50)
		})
	}
}

func TestLoadManifestsDeterministic(t *testing.T) {
	dir := t.TempDir()
	for i := range 30 {
		var b strings.Builder
		for j := range 20 {
			if j == 7 {
				b.WriteString("---\nbroken: [\n")
				continue
			}
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d-%d, namespace: ns%d}\n", i, j, j%3)
		}
		mfWrite(t, dir, fmt.Sprintf("f%02d.yaml", i), b.String())
	}
	want := mfLoad(t, []string{dir}, WithParallelism(1))
	require.Equal(t, 30*19, want.Len())
	require.Len(t, want.Errors(), 30)
	assert.Equal(t, "f00.yaml:31: yaml: did not find expected node content", mfErrors(want, dir)[0])
	for _, n := range []int{2, 8} {
		got := mfLoad(t, []string{dir}, WithParallelism(n))
		assert.Equal(t, mfObjects(want), mfObjects(got), "parallelism %d", n)
		assert.Equal(t, mfErrors(want, dir), mfErrors(got, dir), "parallelism %d", n)
	}
}

// mfCorpus returns the path of a shared corpus folder, skipping the test when it is absent.
func mfCorpus(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("corpus sweep skipped in short mode")
	}
	p := filepath.Join("..", "..", "shared", "corpus", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus folder %s not available: %v", p, err)
	}
	return p
}

// mfCountDocuments counts the objects a file holds, independently of the loader: with the
// YAML parser's own document stream, null documents skipped, a List counting its items and
// a sequence its elements.
func mfCountDocuments(t *testing.T, path string) int {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return n
		}
		require.NoError(t, err, path)
		root := doc.Content[0]
		switch root.Kind {
		case yaml.ScalarNode:
			if root.Tag != "!!null" {
				n++
			}
		case yaml.SequenceNode:
			n += len(root.Content)
		case yaml.MappingNode:
			var kind string
			var items *yaml.Node
			for i := 0; i+1 < len(root.Content); i += 2 {
				switch root.Content[i].Value {
				case "kind":
					kind = root.Content[i+1].Value
				case "items":
					items = root.Content[i+1]
				}
			}
			if strings.HasSuffix(kind, "List") && items != nil {
				n += len(items.Content)
			} else {
				n++
			}
		}
	}
}

// TestLoadManifestsCorpus loads every real-world manifest of the shared corpus and checks
// that no document is dropped silently: each one is an object or an error naming its file.
func TestLoadManifestsCorpus(t *testing.T) {
	corpusDir := mfCorpus(t, "real")
	start := time.Now()
	inv := mfLoad(t, []string{corpusDir})
	t.Logf("loaded %d objects, %d errors in %v", inv.Len(), len(inv.Errors()), time.Since(start))

	perFile := map[string]int{}
	for _, o := range inv.Objects() {
		perFile[o.Source().File]++
	}
	for _, err := range inv.Errors() {
		var se *SourceError
		require.ErrorAs(t, err, &se)
		require.NotEmpty(t, se.Source.File, err.Error())
		assert.Positive(t, se.Source.Line, err.Error())
		assert.ErrorIs(t, err, ErrDuplicate, "the only errors of the corpus are objects defined twice")
		perFile[se.Source.File]++
	}
	warnings := map[error]int{}
	for _, err := range inv.Warnings() {
		var se *SourceError
		require.ErrorAs(t, err, &se)
		require.NotEmpty(t, se.Source.File, err.Error())
		assert.Positive(t, se.Source.Line, err.Error())
		known := false
		for _, is := range []error{ErrNotObject, ErrUnknownField, ErrDuplicateKey, ErrRemovedAPIVersion, ErrDuplicate} {
			if errors.Is(err, is) {
				warnings[is]++
				known = true
			}
		}
		assert.True(t, known, "a warning of an unexpected kind: %v", err)
		if errors.Is(err, ErrNotObject) {
			perFile[se.Source.File]++ // a document that is no object; the others are about objects
		}
	}
	files, docs := 0, 0
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isManifestName(d.Name()) {
			return err
		}
		files++
		n := mfCountDocuments(t, p)
		docs += n
		assert.Equal(t, n, perFile[p], "%s: documents versus objects and errors", p)
		return nil
	})
	require.NoError(t, err)
	t.Logf("%d files, %d documents; warnings: %d not objects, %d unknown fields, %d removed API versions, %d repeated keys",
		files, docs, warnings[ErrNotObject], warnings[ErrUnknownField], warnings[ErrRemovedAPIVersion], warnings[ErrDuplicateKey])
	assert.Equal(t, 2, warnings[ErrNotObject], "the two cassandra.yaml files")
	assert.Equal(t, 4, warnings[ErrUnknownField])
	assert.Equal(t, 12, warnings[ErrRemovedAPIVersion])
	assert.Equal(t, 4, warnings[ErrDuplicateKey])
	assert.Greater(t, docs, 500)
	assert.Greater(t, inv.Len(), 300)
	assert.NotEmpty(t, inv.Pods())
	assert.NotEmpty(t, inv.Deployments())
	assert.NotEmpty(t, inv.ClusterRoleBindings())
}

// TestLoadManifestsCorpusInvalid loads the two real but broken manifests of the corpus. A
// wrong type is an error (the API server refuses it); a key written twice is a warning, and
// the object loads with the last value, as kubectl, Helm and the API server read it (here the
// two values are the same).
func TestLoadManifestsCorpusInvalid(t *testing.T) {
	dir := mfCorpus(t, "real-invalid")
	inv := mfLoad(t, []string{dir})
	assert.Equal(t, []string{
		"fc.yaml:17: Pod fibre-channel-example-pod: spec.volumes[0].fc.lun: wrong type: found a string, want an integer (int32)",
	}, mfErrors(inv, dir))
	assert.Equal(t, []string{
		`quobyte-admin-secret.yaml:9: Secret quobyte-admin-secret: field "type" written again (first at line 5); the last value is used`,
	}, mfWarnings(inv, dir))
	require.Equal(t, 1, inv.Len())
	sec, ok := inv.Objects()[0].Object().(*corev1.Secret)
	require.True(t, ok)
	assert.Equal(t, corev1.SecretType("kubernetes.io/quobyte"), sec.Type)
	assert.Nil(t, inv.Get(KindPod, "default", "fibre-channel-example-pod"), "a document with a wrong type does not load")
}

// mfBenchFile writes a multi-document file of n objects (Deployments, Services, ConfigMaps
// and Secrets in turn) and returns its path and bytes.
func mfBenchFile(b *testing.B, n int) (string, []byte) {
	var sb strings.Builder
	for i := range n {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&sb, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
  labels: {app: app-%[1]d, tier: backend}
spec:
  replicas: 3
  selector:
    matchLabels: {app: app-%[1]d}
  template:
    metadata:
      labels: {app: app-%[1]d}
    spec:
      serviceAccountName: app-%[1]d
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: registry.example.com/app:%[1]d
        ports: [{containerPort: 8080, name: http}]
        resources:
          limits: {cpu: 500m, memory: 256Mi}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
        env:
        - {name: MODE, value: production}
        volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes: [{name: tmp, emptyDir: {}}]
`, i, i%50)
		case 1:
			fmt.Fprintf(&sb, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d\n  namespace: team-%d\nspec:\n  selector: {app: app-%d}\n  ports:\n  - port: 80\n    targetPort: http\n", i, i%50, i-1)
		case 2:
			fmt.Fprintf(&sb, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-%d\n  namespace: team-%d\ndata:\n  config.yaml: |\n    level: info\n    listen: :8080\n    ---\n    extra: true\n", i, i%50)
		default:
			fmt.Fprintf(&sb, "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: app-%d\n  namespace: team-%d\ntype: Opaque\ndata:\n  password: c2VjcmV0\n", i, i%50)
		}
	}
	data := []byte(sb.String())
	p := filepath.Join(b.TempDir(), "bench.yaml")
	require.NoError(b, os.WriteFile(p, data, 0o644))
	return p, data
}

const mfBenchObjects = 8000

// BenchmarkLoadManifests loads a generated file of 8,000 objects with the default
// parallelism; compare objects/s with BenchmarkLoadManifestsBaseline.
func BenchmarkLoadManifests(b *testing.B) {
	p, data := mfBenchFile(b, mfBenchObjects)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		inv, err := LoadManifests(context.Background(), []string{p})
		if err != nil || inv.Len() != mfBenchObjects || len(inv.Errors()) != 0 {
			b.Fatalf("loaded %v objects, errors %v, %v", inv.Len(), inv.Errors(), err)
		}
	}
	b.ReportMetric(float64(mfBenchObjects*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkLoadManifestsSerial is BenchmarkLoadManifests on one worker.
func BenchmarkLoadManifestsSerial(b *testing.B) {
	p, data := mfBenchFile(b, mfBenchObjects)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		inv, err := LoadManifests(context.Background(), []string{p}, WithParallelism(1))
		if err != nil || inv.Len() != mfBenchObjects {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(mfBenchObjects*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkLoadManifestsManyFiles loads 2,000 small files (one object each) from a directory
// tree.
func BenchmarkLoadManifestsManyFiles(b *testing.B) {
	dir := b.TempDir()
	const files = 2000
	for i := range files {
		mfWrite(b, dir, fmt.Sprintf("team-%02d/app-%04d.yaml", i%40, i),
			fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app-%d\n  namespace: team-%d\nautomountServiceAccountToken: false\n", i, i%40))
	}
	b.ResetTimer()
	for b.Loop() {
		inv, err := LoadManifests(context.Background(), []string{dir})
		if err != nil || inv.Len() != files {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(files*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkLoadManifestsBaseline only splits the same bytes into documents (kubectl's
// reader) and decodes each with sigs.k8s.io/yaml into map[string]any, on one goroutine: no
// typing, no lines, no checks.
func BenchmarkLoadManifestsBaseline(b *testing.B) {
	_, data := mfBenchFile(b, mfBenchObjects)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		n := 0
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			var m map[string]any
			if err := sigsyaml.Unmarshal(doc, &m); err != nil {
				b.Fatal(err)
			}
			if m != nil {
				n++
			}
		}
		if n != mfBenchObjects {
			b.Fatalf("decoded %d objects", n)
		}
	}
	b.ReportMetric(float64(mfBenchObjects*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// TestLoadManifestsSecretValuesStayOutOfErrors loads Secrets whose values cannot be decoded
// and Secrets inside Lists: no value may reach an error message or an object.
func TestLoadManifestsSecretValuesStayOutOfErrors(t *testing.T) {
	tests := []struct {
		name, file, content, secret string
	}{
		{"number in stringData", "pin.yaml",
			"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  pin: 8675309\n", "8675309"},
		{"number in data", "num.yaml",
			"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  pin: 8675309\n", "8675309"},
		{"number in JSON stringData", "pin.json",
			`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"pin":8675309}}`, "8675309"},
		{"tagged value that does not convert", "tag.yaml",
			"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: !!int hunter2\n", "hunter2"},
		{"boolean in stringData", "bool.yaml",
			"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  enabled: on\n", " on "},
		{"YAML List item", "list.yaml",
			"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n    annotations:\n      kubectl.kubernetes.io/last-applied-configuration: '{\"stringData\":{\"k\":\"hunter2\"}}'\n  stringData:\n    k: hunter2\n", "hunter2"},
		{"JSON List item", "list.json",
			`{"apiVersion":"v1","kind":"SecretList","items":[{"metadata":{"name":"s"},"stringData":{"k":"hunter2"}}]}`, "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			inv := mfLoad(t, []string{mfWrite(t, dir, tt.file, tt.content)})
			for _, e := range mfErrors(inv, dir) {
				assert.NotContains(t, e, tt.secret)
			}
			for _, o := range inv.Objects() {
				m, err := o.Map()
				require.NoError(t, err)
				assert.NotContains(t, fmt.Sprint(m), tt.secret)
			}
		})
	}
}
