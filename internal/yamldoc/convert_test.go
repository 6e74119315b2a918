package yamldoc

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

func parse(t *testing.T, s string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(s), &n))
	return &n
}

func toJSON(t *testing.T, s string) (string, error) {
	t.Helper()
	out, _, err := AppendJSON(nil, parse(t, s))
	return string(out), err
}

// TestAppendJSONScalarsMatchKubectl checks scalar typing against sigs.k8s.io/yaml, which
// kubectl uses to read manifests.
func TestAppendJSONScalarsMatchKubectl(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"abc", `"abc"`},
		{"yes", `true`},
		{"No", `false`},
		{"on", `true`},
		{"OFF", `false`},
		{"y", `true`},
		{"n", `false`},
		{"true", `true`},
		{"FALSE", `false`},
		{"yEs", `"yEs"`},
		{"~", `null`},
		{"null", `null`},
		{"", `null`},
		{`"yes"`, `"yes"`},
		{`'123'`, `"123"`},
		{"123", `123`},
		{"-17", `-17`},
		{"+5", `5`},
		{"0777", `511`},
		{"0o17", `15`},
		{"0x1F", `31`},
		{"0b101", `5`},
		{"1_000", `1000`},
		{"08", `8`},
		{"1.0", `1`},
		{"1.5", `1.5`},
		{".5", `0.5`},
		{"-.5", `-0.5`},
		{"1e3", `1000`},
		{"1e-7", `1e-7`},
		{"1e21", `1e+21`},
		{"18446744073709551615", `18446744073709551615`},
		{"123456789012345678901234", `123456789012345680000000`},
		{"1.2.3", `"1.2.3"`},
		{"2001-12-14", `"2001-12-14"`},
		{"2001-12-14T21:59:43.10-05:00", `"2001-12-14T21:59:43.10-05:00"`},
		{"12:30", `"12:30"`},
		{"-x", `"-x"`},
		{"0.0.0.0/0", `"0.0.0.0/0"`},
		{"!!str 123", `"123"`},
		{"!!int '42'", `42`},
		{"!!float 1", `1`},
		{"!custom text", `"text"`},
		{"!!binary aGVsbG8=", `"hello"`},
		{"|\n  line\n  two\n", `"line\ntwo\n"`},
		{">-\n  folded\n  text\n", `"folded text"`},
		{`"tab\there \u00e9 \"q\" \\"`, `"tab\there é \"q\" \\"`},
		{`"ctl \x01"`, `"ctl \u0001"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			doc := "v: " + tt.in
			got, err := toJSON(t, doc)
			require.NoError(t, err)
			assert.JSONEq(t, `{"v":`+tt.want+`}`, got)
			kubectl, err := sigsyaml.YAMLToJSON([]byte(doc))
			require.NoError(t, err)
			assert.JSONEq(t, string(kubectl), got, "differs from sigs.k8s.io/yaml")
		})
	}
}

func TestAppendJSONStructure(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{"key order kept", "b: 1\na: 2\n", `{"b":1,"a":2}`, ""},
		{"YAML 1.1 boolean key", "y: 1\nno: 2\n", `{"true":1,"false":2}`, ""},
		{"non-string keys", "1: a\ntrue: b\n1.5: c\n", `{"1":"a","true":"b","1.5":"c"}`, ""},
		{"flow collections", "a: {b: [1, x, {c: null}]}", `{"a":{"b":[1,"x",{"c":null}]}}`, ""},
		{"empty document", "# nothing\n", `null`, ""},
		{"alias", "a: &x {k: v}\nb: *x\n", `{"a":{"k":"v"},"b":{"k":"v"}}`, ""},
		{
			"merge keys: a later merge overrides an earlier key, earlier merges in a list win",
			"base: &b {x: 1, w: 1}\nother: &o {w: 2, z: 2}\nm:\n  w: 0\n  <<: [*b, *o]\n",
			`{"base":{"x":1,"w":1},"other":{"w":2,"z":2},"m":{"w":1,"x":1,"z":2}}`, "",
		},
		{
			"merge keys: a later key overrides the merge",
			"base: &b {x: 1, w: 1}\nm:\n  <<: *b\n  w: 0\n",
			`{"base":{"x":1,"w":1},"m":{"x":1,"w":0}}`, "",
		},
		{"quoted << is a key", "'<<': 1\n", `{"<<":1}`, ""},
		{"duplicate key: the last value", "a: 1\nb:\n  c: 1\n  c: 2\n", `{"a":1,"b":{"c":2}}`, ""},
		{"duplicate after conversion", "1: a\n\"1\": b\n", `{"1":"b"}`, ""},
		{"duplicate in a large mapping", largeMapping(2) + "k0: again\n", `{"k0":"again","k1":1}`, ""},
		{"duplicate merged key is not an error", "b: &b {x: 1}\nm:\n  x: 2\n  <<: *b\n", `{"b":{"x":1},"m":{"x":1}}`, ""},
		{"null key", "~: a\n", "", "line 1: mapping key is null"},
		{"collection key", "? [a]\n: b\n", "", "line 1: mapping key is not a scalar"},
		{"infinity", "a:\n  b: .inf\n", "", "line 2: .inf has no JSON form"},
		{"bad merge", "a:\n  <<: 3\n", "", "line 2: merge key << needs a mapping or a list of mappings"},
		{"bad tag", "a: !!int abc\n", "", `line 1: the value is not a valid !!int`},
		{"bad binary", "a: !!binary '%%'\n", "", "line 1: !!binary value is not valid base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toJSON(t, tt.in)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func largeMapping(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d: %d\n", i, i)
	}
	return b.String()
}

func TestAppendJSONAliasLimits(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += fmt.Sprintf("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = name
	}
	_, err := toJSON(t, bomb)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "expands aliases excessively")

	n := parse(t, "a: &a\n  b: 1\n")
	m := n.Content[0].Content[1]
	m.Content[1] = &yaml.Node{Kind: yaml.AliasNode, Value: "a", Alias: m, Line: 2}
	_, _, err = AppendJSON(nil, n)
	assert.EqualError(t, err, "line 2: alias *a refers to a node that contains it")
}

// TestAppendJSONMergeKeysMatchKubectl compares merge keys with sigs.k8s.io/yaml, which
// kubectl apply uses: it applies the keys of a mapping in the order they are written, so
// a merge written after a key overrides it (not as the YAML merge-key draft says), while
// among the mappings of one merge list the first wins. A securityContext that merges in a
// privileged: true after privileged: false is privileged once applied.
func TestAppendJSONMergeKeysMatchKubectl(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"merge after key", "p: &p {privileged: true}\nsc:\n  privileged: false\n  <<: *p\n"},
		{"merge before key", "p: &p {privileged: true}\nsc:\n  <<: *p\n  privileged: false\n"},
		{"merge list after key", "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  x: 0\n  y: 0\n  <<: [*a, *b]\n"},
		{"merge list before key", "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n  y: 0\n"},
		{"key between two merges", "a: &a {x: 1}\nb: &b {x: 2}\nm:\n  <<: *a\n  x: 0\n  <<: *b\n"},
		{"nested merges", "a: &a {x: 1, y: 1}\nb: &b {<<: *a, y: 2}\nm:\n  y: 0\n  <<: *b\n  z: 3\n"},
		{"inline merged mapping", "m:\n  k: 3\n  <<: {k: 4, z: 5}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantJSON, err := sigsyaml.YAMLToJSON([]byte(tt.in))
			require.NoError(t, err)
			got, err := toJSON(t, tt.in)
			require.NoError(t, err)
			var want, have any
			require.NoError(t, json.Unmarshal(wantJSON, &want))
			require.NoError(t, json.Unmarshal([]byte(got), &have))
			assert.Equal(t, want, have)
		})
	}
}

func TestCheckExcept(t *testing.T) {
	tests := []struct {
		in       string
		wantErr  string
		wantDups []int // lines of the repeated keys
	}{
		{"kind: List\nitems:\n- {a: 1, a: 2}\n", "", nil},
		{"kind: List\nkind: List\nitems: []\n", "", []int{2}},
		{"kind: List\nmetadata: {x: .inf}\nitems: []\n", "line 2: .inf has no JSON form", nil},
		{"kind: List\nmetadata: {x: .inf}\nmetadata: {}\nitems: []\n", "", []int{3}},
		{"b: &b {x: 1}\n<<: *b\nitems: []\n", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			dups, err := CheckExcept(parse(t, tt.in).Content[0], "items")
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
			var lines []int
			for _, d := range dups {
				lines = append(lines, d.Key.Line)
			}
			assert.Equal(t, tt.wantDups, lines)
		})
	}
}

// TestAppendJSONDuplicatesMatchKubectl checks repeated keys against sigs.k8s.io/yaml's
// YAMLToJSON, which kubectl and Helm use to read manifests and the API server uses for a YAML
// request body: the last value wins whole, at any depth (a mapping written again replaces
// the earlier one; it is not merged with it). Each repetition is reported, with the key
// written before it and its field path.
func TestAppendJSONDuplicatesMatchKubectl(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantDups  []string // "path:line:prevLine"
		wantValue string   // ours, as JSON
	}{
		{"top level", "a: 1\nb: 2\na: 3\n", []string{"a:3:1"}, `{"a":3,"b":2}`},
		{"nested mappings replace, not merge", "s:\n  x: 1\n  y: 2\nt: 0\ns:\n  z: 3\n", []string{"s:5:1"}, `{"s":{"z":3},"t":0}`},
		{"deep", "spec:\n  template:\n    metadata:\n      labels:\n        app: a\n        app: b\n", []string{"spec.template.metadata.labels.app:6:5"}, `{"spec":{"template":{"metadata":{"labels":{"app":"b"}}}}}`},
		{"in a sequence", "c:\n- name: x\n  image: a\n  image: b\n", []string{"c[0].image:4:3"}, `{"c":[{"name":"x","image":"b"}]}`},
		{"three times", "a: 1\na: 2\na: 3\n", []string{"a:2:1", "a:3:2"}, `{"a":3}`},
		{"flow mapping", "m: {x: 1, x: 2}\n", []string{"m.x:1:1"}, `{"m":{"x":2}}`},
		{"with a merge key", "b: &b {x: 1}\nm:\n  x: 2\n  <<: *b\n  x: 3\n", []string{"m.x:5:3"}, `{"b":{"x":1},"m":{"x":3}}`},
		{"a large mapping", largeMapping(40) + "k7: again\n", []string{"k7:41:8"}, ""},
		{"in an anchored mapping, used twice", "a: &a {x: 1, x: 2}\nb: *a\n", []string{"a.x:1:1", "a.x:1:1"}, `{"a":{"x":2},"b":{"x":2}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := parse(t, tt.in)
			out, dups, err := AppendJSON(nil, n)
			require.NoError(t, err)
			theirs, err := sigsyaml.YAMLToJSON([]byte(tt.in))
			require.NoError(t, err)
			var a, b any
			require.NoError(t, json.Unmarshal(out, &a))
			require.NoError(t, json.Unmarshal(theirs, &b))
			assert.Equal(t, b, a, "as kubectl reads it")
			if tt.wantValue != "" {
				assert.Equal(t, tt.wantValue, string(out))
			}
			var got []string
			for _, d := range dups {
				got = append(got, fmt.Sprintf("%s:%d:%d", PathOf(n, d.Key), d.Key.Line, d.Prev.Line))
			}
			assert.Equal(t, tt.wantDups, got)
			// Lookup finds the key written last.
			if len(dups) > 0 {
				last := dups[len(dups)-1]
				assert.Equal(t, last.Key.Line, Lookup(n.Content[0], PathOf(n, last.Key)).Line)
			}
		})
	}
}

// TestLocateWithDuplicates checks that a located offset of the JSON AppendJSON writes for a
// mapping with a repeated key points at the value written last.
func TestLocateWithDuplicates(t *testing.T) {
	n := parse(t, "a:\n  p: 1\n  q: x\na:\n  q: z\n")
	out, _, err := AppendJSON(nil, n)
	require.NoError(t, err)
	require.Equal(t, `{"a":{"q":"z"}}`, string(out))
	key, value, path := Locate(n, strings.Index(string(out), `"z"`)+1)
	require.NotNil(t, key)
	assert.Equal(t, "a.q", path)
	assert.Equal(t, 5, key.Line)
	assert.Equal(t, "z", value.Value)
}

func TestIsYAML11Bool(t *testing.T) {
	for in, want := range map[string]bool{"n": true, "Yes": true, "OFF": true, "true": false, "'no'": false, "nO": false, "x": false, "!!str on": false} {
		t.Run(in, func(t *testing.T) {
			n := parse(t, "v: "+in)
			assert.Equal(t, want, IsYAML11Bool(n.Content[0].Content[1]))
		})
	}
}

func TestLocateAndLookup(t *testing.T) {
	src := strings.Join([]string{
		"apiVersion: v1", // 1
		"kind: Pod",
		"spec:",
		"  containers:",
		"  - name: a", // 5
		"    ports:",
		"    - containerPort: 80",
		"  - name: b",
		"    ports:",
		"    - containerPort: http", // 10
		"      extra: 1",
		"  meta.data:",
		"    x: y",
	}, "\n")
	n := parse(t, src)
	out, _, err := AppendJSON(nil, n)
	require.NoError(t, err)

	off := strings.Index(string(out), `"http"`) + len(`"http"`) // a JSON decoder's type error offset
	key, value, path := Locate(n, off)
	require.NotNil(t, key)
	assert.Equal(t, 10, key.Line)
	assert.Equal(t, "containerPort", key.Value)
	assert.Equal(t, "http", value.Value)
	assert.Equal(t, "spec.containers[1].ports[0].containerPort", path)

	key, value, path = Locate(n, strings.Index(string(out), `[{"name":"a"`)+1)
	require.NotNil(t, key)
	assert.Equal(t, "spec.containers", path)
	assert.Equal(t, 4, key.Line)
	assert.Equal(t, yaml.SequenceNode, value.Kind)

	key, _, _ = Locate(n, len(out)+5)
	assert.Nil(t, key)

	tests := []struct {
		path string
		want int
	}{
		{"spec.containers[1].ports[0].extra", 11},
		{"spec.containers[0].name", 5},
		{"spec.meta.data.x", 13},
		{"spec.containers[7]", 0},
		{"spec.nothing", 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			k := Lookup(n.Content[0], tt.path)
			if tt.want == 0 {
				assert.Nil(t, k)
				return
			}
			require.NotNil(t, k)
			assert.Equal(t, tt.want, k.Line)
		})
	}

	assert.Equal(t, "Pod", Get(n.Content[0], "kind").Value)
	merged := parse(t, "b: &b {kind: Pod}\nm:\n  <<: *b\n")
	assert.Equal(t, "Pod", Get(Get(merged.Content[0], "m"), "kind").Value)
	assert.Nil(t, Get(n.Content[0], "nothing"))
}

// TestAppendJSONMatchesKubectlOnCorpus converts every document of the real-world corpus and
// compares the result with sigs.k8s.io/yaml's (kubectl's) conversion. Where ours refuses a
// document, the strict conversion must refuse it too.
func TestAppendJSONMatchesKubectlOnCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus sweep skipped in short mode")
	}
	root := filepath.Join("..", "..", "..", "shared", "corpus", "real")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not available at %s: %v", root, err)
	}
	docs := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, doc := range Split(data) {
			docs++
			var n yaml.Node
			require.NoError(t, yaml.Unmarshal(doc.Data, &n), "%s:%d", path, doc.Line)
			ours, _, err := AppendJSON(nil, &n)
			if err != nil {
				_, strictErr := sigsyaml.YAMLToJSONStrict(doc.Data)
				assert.Error(t, strictErr, "%s:%d: we refuse (%v), kubectl's strict conversion does not", path, doc.Line, err)
				continue
			}
			theirs, err := sigsyaml.YAMLToJSON(doc.Data)
			require.NoError(t, err, "%s:%d", path, doc.Line)
			var a, b any
			require.NoError(t, json.Unmarshal(ours, &a), "%s:%d", path, doc.Line)
			require.NoError(t, json.Unmarshal(theirs, &b))
			assert.Equal(t, b, a, "%s:%d", path, doc.Line)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, docs, 500)
}
