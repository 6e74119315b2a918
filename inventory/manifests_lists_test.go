package inventory

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadManifestsNestedLists checks that a List inside a List stands for its items, as
// kubectl's resource builder flattens it, in YAML and JSON, with each item's own line.
func TestLoadManifestsNestedLists(t *testing.T) {
	const privilegedPod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n"
	tests := []struct {
		name       string
		file       string
		content    string
		want       []mfObject
		wantErrors []string
	}{
		{
			name: "v1 List in a v1 List", file: "nested.yaml",
			content: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  metadata:\n    name: inner\n  items:\n" +
				indent(privilegedPod, "  - ", "    ") + // 9-18
				"- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: sa}\n", // 19
			want: []mfObject{
				{"Pod", "default", "bad", "nested.yaml", 9},
				{"ServiceAccount", "default", "sa", "nested.yaml", 19},
			},
		},
		{
			name: "typed list in a List: its items take their kind from it", file: "podlist.yaml",
			content: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: PodList\n  items:\n  - metadata: {name: p1}\n  - metadata: {name: p2}\n",
			want: []mfObject{
				{"Pod", "default", "p1", "podlist.yaml", 7},
				{"Pod", "default", "p2", "podlist.yaml", 8},
			},
		},
		{
			name: "three levels, and an empty inner list", file: "deep.yaml",
			content: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: v1\n    kind: List\n    items:\n    - apiVersion: v1\n      kind: Namespace\n      metadata: {name: n3}\n  - apiVersion: v1\n    kind: List\n    items: []\n",
			want:    []mfObject{{"Namespace", "", "n3", "deep.yaml", 10}},
		},
		{
			name: "any object with a list of items is a list, as kubectl reads it", file: "bundle.yaml",
			content: "apiVersion: example.com/v1\nkind: Bundle\nmetadata: {name: b}\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: from-bundle}\n",
			want:    []mfObject{{"Namespace", "", "from-bundle", "bundle.yaml", 5}},
		},
		{
			name: "nested List in JSON", file: "nested.json",
			content: "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n" +
				" {\"apiVersion\": \"v1\", \"kind\": \"List\", \"metadata\": {\"name\": \"inner\"}, \"items\": [\n" +
				"  {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"bad\"},\n" + // 3
				"   \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\", \"securityContext\": {\"privileged\": true}}]}},\n" +
				"  {\"apiVersion\": \"v1\", \"kind\": \"PodList\", \"items\": [\n" +
				"   {\"metadata\": {\"name\": \"p2\"}}]}]},\n" + // 6
				" {\"apiVersion\": \"example.com/v1\", \"kind\": \"Bundle\", \"items\": [\n" +
				"  {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}]}]}\n", // 8
			want: []mfObject{
				{"Namespace", "", "n", "nested.json", 8},
				{"Pod", "default", "bad", "nested.json", 3},
				{"Pod", "default", "p2", "nested.json", 6},
			},
		},
		{
			name: "nesting is bounded", file: "toodeep.yaml",
			content:    strings.Repeat("apiVersion: v1\nkind: List\nitems:\n- ", 1) + nestedLists(maxListDepth) + "\n",
			wantErrors: []string{fmt.Sprintf("toodeep.yaml:%d: List: Lists nested more than %d deep", maxListDepth+3, maxListDepth)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := mfWrite(t, dir, tt.file, tt.content)
			inv := mfLoad(t, []string{p})
			assert.Equal(t, tt.wantErrors, mfErrors(inv, dir))
			assert.Equal(t, tt.want, mfObjects(inv))
		})
	}
	t.Run("privileged Pod in a nested List is typed", func(t *testing.T) {
		dir := t.TempDir()
		inv := mfLoad(t, []string{mfWrite(t, dir, "n.yaml", tests[0].content)})
		pods := inv.Pods()
		require.Len(t, pods, 1)
		sc := pods[0].Spec.Containers[0].SecurityContext
		require.NotNil(t, sc)
		require.NotNil(t, sc.Privileged)
		assert.True(t, *sc.Privileged)
	})
}

// TestLoadManifestsNestedListsSplit checks that a large List, split textually into items,
// flattens the Lists among its items as the whole parse does.
func TestLoadManifestsNestedListsSplit(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	for i := range 20 {
		if i%5 == 2 {
			fmt.Fprintf(&b, "- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: inner%d}\n", i)
			continue
		}
		fmt.Fprintf(&b, "- apiVersion: v1\n  kind: Namespace\n  metadata: {name: n%d}\n", i)
	}
	dir := t.TempDir()
	p := mfWrite(t, dir, "list.yaml", b.String())
	old := splitListMin
	t.Cleanup(func() { splitListMin = old })
	splitListMin = 1 << 30
	whole := mfLoad(t, []string{p}, WithParallelism(1))
	splitListMin = 0
	split := mfLoad(t, []string{p}, WithParallelism(4))
	assert.Empty(t, mfErrors(split, dir))
	assert.Equal(t, 20, split.Len())
	assert.Equal(t, mfObjects(whole), mfObjects(split))
}

// indent prefixes the first line of s with first and the others with rest.
func indent(s, first, rest string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "") + "\n"
}

// nestedLists returns n Lists nested in one another as one flow mapping per line, the
// innermost holding a Namespace.
func nestedLists(n int) string {
	var b strings.Builder
	for range n {
		b.WriteString("{apiVersion: v1, kind: List, items: [\n")
	}
	b.WriteString("{apiVersion: v1, kind: Namespace, metadata: {name: deep}}")
	b.WriteString(strings.Repeat("]}", n))
	return b.String()
}
