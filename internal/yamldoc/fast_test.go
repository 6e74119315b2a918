package yamldoc

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// slowJSON is what the manifest loader does without FastJSON: parse the one document with
// go-yaml v3 and convert its root mapping with AppendJSON. ok is false when the document
// does not parse, is not a single mapping, or does not convert.
func slowJSON(data []byte) (out string, line int, ok bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return "", 0, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return "", 0, false
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return "", 0, false
	}
	b, _, err := AppendJSON(nil, doc.Content[0])
	if err != nil {
		return "", 0, false
	}
	return string(b), doc.Content[0].Line, true
}

// checkFast asserts that when FastJSON takes data, the parser agrees on every byte.
func checkFast(t *testing.T, data []byte) (accepted bool) {
	t.Helper()
	got, h, ok := FastJSON(nil, data)
	if !ok {
		return false
	}
	want, wantLine, wantOK := slowJSON(data)
	require.True(t, wantOK, "FastJSON took a document the parser rejects:\n%s\nFastJSON: %s", data, got)
	require.Equal(t, want, string(got), "document:\n%s", data)
	require.Equal(t, wantLine, h.Line, "line of the root mapping:\n%s", data)
	require.Equal(t, jsonHeader(t, []byte(want), wantLine), h, "header:\n%s", data)
	return true
}

// jsonHeader reads the header from the JSON form, as the manifest loader reads JSON.
func jsonHeader(t *testing.T, data []byte, line int) Header {
	h := Header{Line: line}
	members, err := JSONMembers(Document{Data: data, Line: 1})
	require.NoError(t, err)
	for _, m := range members {
		switch m.Key {
		case "apiVersion":
			h.APIVersion, _ = JSONString(m.Value)
		case "kind":
			h.Kind, _ = JSONString(m.Value)
		case "items":
			h.Items = true
		case "metadata":
			if md, err := JSONMembers(m.Value); err == nil {
				for _, mm := range md {
					switch mm.Key {
					case "name":
						h.Name, _ = JSONString(mm.Value)
					case "namespace":
						h.Namespace, _ = JSONString(mm.Value)
					}
				}
			}
		}
	}
	return h
}

func TestFastJSONAgreesWithTheParser(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"kubectl layout", `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
      - env:
        - name: MODE
          value: prod
        image: nginx:1.25
        name: web
        ports:
        - containerPort: 8080
          protocol: TCP
        resources: {}
      volumes: []
status: {}
`},
		{"indented sequences and comments", `# leading comment
kind: Pod   # trailing comment
spec:
  containers:
    - name: a # c
      args:
        - --flag=1
        - -v
        - "quoted # not a comment"
        - 'it''s'
    # between entries
    - name: b
      command:
      - sh
`},
		{"YAML 1.1 scalars", `a: yes
b: No
c: on
d: ~
e: null
f: 0777
g: 1_000
h: 0x1F
i: 1.5
j: -2
k: 1e3
l: .5
m: "yes"
n: 'on'
o:
p: 2024-01-02
q: 12345678901234567890
r: +1
s: 0b101
t: 1e-7
u: 3.
`},
		{"keys that are not strings", `1: a
true: b
no: c
0x10: d
`},
		{"literal scalars", `a: |
  line 1

  line 3
b: |-
  stripped
c: |+
  kept

d: |
    deeper
      more
    back
e: |
  # not a comment
f: after
`},
		{"literal at end", `data:
  config.yaml: |
    server:
      port: 8080
`},
		{"literal in a sequence", `args:
- |
  multi
  line
- plain
`},
		{"literal with leading empty line", "a: |\n\n  x\n"},
		{"literal then a comment", "a: |\n  x\n\n# c\nb: 1\n"},
		{"literal with lines of spaces", "a: |-\n  x\n    \n  \n  y\n     \nb: |+\n  z\n   \n\nc: 1\n"},
		{"double-quoted escapes", `a: "tab\there \"q\" back\\slash \u00e9 \n"
b: "#not comment"
c: ""
d: ''
`},
		{"unicode", "name: café\nnote: \"日本語\"\nk: 'ü'\n"},
		{"compact nested mappings", `items:
- a: 1
  b:
    c: 2
  d:
  - e: 3
    f: 4
  g: 5
- z: 0
`},
		{"empty values", "a:\nb: # comment\nc:\n  # only a comment\nd: 1\n"},
		{"plain scalars with colons and hashes", `url: http://example.com:8080/path
tag: a#b
time: 12:30
ipv6: "::1"
`},
		{"marker remainder is a comment", " # after the marker\na: 1\n"},
		{"empty mapping entries in sequence", "a:\n-\n- x\n-\n"},
		{"flow collections", `metadata: {name: web, namespace: "shop", labels: {app: web, tier: "1"}}
spec:
  containers:
  - name: c
    command: ["sh", "-c", 'echo hi']
    args: [ --port=80 , -v, 3, yes, ~, 1.5 ]
    ports: [{containerPort: 80, name: http}, {containerPort: 443}]
    empty: [ ]
    nested: [[a, b], [], {}]
  - {name: d, image: "x:1"}
`},
		{"key with a space before the colon", "limits :\n  cpu : 1\n"},
		{"header", "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    name: not-this\n  name: \"web\"\n  namespace: 'shop'\nspec:\n  name: nor-this\n"},
		{"header that is not a string", "apiVersion: 1\nkind: yes\nmetadata:\n  name: 12\n  namespace:\n"},
		{"header that is a mapping", "apiVersion:\n  a: v1\nkind:\n  x: Pod\nmetadata:\n  name:\n    n: x\n  namespace: [a]\n"},
		{"header in a list", "kind: List\nitems:\n- metadata:\n    name: x\n"},
		{"metadata that is a sequence", "kind: X\nmetadata:\n- name: x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, checkFast(t, []byte(tt.in)), "FastJSON should take this document")
		})
	}
}

func TestFastJSONLeavesTheRestToTheParser(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"anchor and alias", "a: &x 1\nb: *x\n"},
		{"merge key", "a: &x\n  k: 1\nb:\n  <<: *x\n"},
		{"tag", "a: !!str 1\n"},
		{"flow sequence over lines", "a: [1,\n  2]\n"},
		{"flow mapping over lines", "a: {b: 1,\n  c: 2}\n"},
		{"flow mapping entry without value", "a: {b, c: 1}\n"},
		{"flow pair in a sequence", "a: [b: 1]\n"},
		{"flow trailing comma", "a: [1, 2, ]\n"},
		{"flow comment", "a: [1, 2] x\n"},
		{"flow duplicate key", "a: {b: 1, b: 2}\n"},
		{"flow JSON-like key", "a: {\"b\":1}\n"},
		{"folded scalar", "a: >\n  x\n  y\n"},
		{"multi-line plain scalar", "a: one\n  two\n"},
		{"multi-line quoted scalar", "a: \"one\n  two\"\n"},
		{"tab", "a:\tb\n"},
		{"CRLF", "a: 1\r\nb: 2\r\n"},
		{"duplicate key", "a: 1\nb: 2\na: 3\n"},
		{"duplicate key after resolution", "1: a\n\"1\": b\n"},
		{"root sequence", "- a\n- b\n"},
		{"root scalar", "hello\n"},
		{"indented root", " a: 1\nb: 2\n"},
		{"bad indentation", "a:\n  b: 1\n c: 2\n"},
		{"sequence under a sequence", "a:\n- - x\n"},
		{"colon in plain value", "a: b: c\n"},
		{"null key", "~: a\n"},
		{"infinity", "a: .inf\n"},
		{"literal with indentation indicator", "a: |2\n   x\n"},
		{"literal without final line end", "a: |\n  x"},
		{"empty literal", "a: |\nb: 1\n"},
		{"unknown escape", `a: "\x41"` + "\n"},
		{"surrogate escape", `a: "\ud800"` + "\n"},
		{"invalid UTF-8", "a: \xff\n"},
		{"byte order mark inside", "a: \ufeffx\n"},
		{"complex key", "? a\n: b\n"},
		{"document end marker text", "a: 1\n...\n"},
		{"document end marker as a key", "... 0:\n"},
		{"document start marker", "a: 1\n--- b\n"},
		{"directive", "%YAML 1.2\n---\na: 1\n"},
		{"next line character", "a: x\u0085y\n"},
		{"line separator", "a: x\u2028y\n"},
		{"long key", strings.Repeat("k", 1100) + ":\n"},
		{"long quoted key", `"` + strings.Repeat("k", 1100) + `": 1` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, ok := FastJSON(nil, []byte(tt.in))
			assert.False(t, ok)
		})
	}
}

// TestFastJSONOnRealManifests runs FastJSON over every YAML file of the repository's
// testdata and of the shared corpus: whatever it takes must match the parser.
func TestFastJSONOnRealManifests(t *testing.T) {
	var roots []string
	for _, r := range []string{"../../../shared/corpus", "../.."} {
		if _, err := os.Stat(r); err == nil {
			roots = append(roots, r)
		}
	}
	docs, taken := 0, 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
				return filepath.SkipDir
			}
			if d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, doc := range Split(data) {
				docs++
				if checkFast(t, doc.Data) {
					taken++
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	t.Logf("FastJSON took %d of %d documents", taken, docs)
	if docs > 100 {
		assert.Greater(t, taken, docs/2, "most real documents are in the plain layout")
	}
}

func FuzzFastJSON(f *testing.F) {
	for _, s := range []string{
		"a: 1\n", "a:\n- b: 1\n  c: [x]\n", "a: |\n  x\n\n", "a: |+\n  x\n\n\nb: 2\n", "a: 'x''y'\n",
		"a: \"\\u00e9\\n\"\n", "a:\n  - 1\n  -\n  - c: d\n", "k: v # c\n#x\n", "a: -1\nb: - 1\n", "a:\n-\n  b: 1\n",
		"m: {a: [1, 'x'], b: {c: \"d\"}}\n", "args: [0?]\n", "a: {k?: v}\n", "a: [x?y, z]\n", "s: [ a , -b, ~, 0x1 ]\n", "a: |-\n  x\n    \n  y\n", "k :\n  v : 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data)
	})
}
