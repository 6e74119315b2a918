package yamldoc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFastJSONAdversarialInputs feeds FastJSON documents chosen to sit at the edge of what
// it reads: YAML 1.1 scalars, keys that resolve to other types, block scalars that end
// oddly, flow collections with indicators inside. Whether or not FastJSON takes each one,
// whatever it takes must be what the parser path writes, byte for byte.
func TestFastJSONAdversarialInputs(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"YAML 1.1 booleans", "a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\ng: Y\n"},
		{"octal and hex", "a: 0777\nb: 0o17\nc: 0x1F\nd: 0b101\ne: 08\nf: 0_777\n"},
		{"sexagesimal", "a: 1:30\nb: 190:20:30\nc: -1:30\nd: 1:30.5\n"},
		{"underscored numbers", "a: 1_000\nb: 1_000.5\nc: +1\nd: -0\ne: +.5\nf: 1.\n"},
		{"nulls", "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\n"},
		{"floats", "a: 1e3\nb: 1E-3\nc: .5\nd: -.inf\ne: .NaN\nf: 1e400\ng: 6.02e+23\n"},
		{"integers beyond int64", "a: 9223372036854775808\nb: -9223372036854775809\nc: 18446744073709551616\nd: 0xFFFFFFFFFFFFFFFFF\n"},
		{"uint64 edge", "a: 18446744073709551615\nb: 9223372036854775807\nc: -9223372036854775808\n"},
		{"timestamps", "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10 -5\n"},
		{"keys that resolve", "yes: 1\n0x10: 2\n+3: 3\n0o7: 4\n1_0: 5\n"},
		{"bool key duplicate", "yes: 1\ntrue: 2\n"},
		{"int key duplicate", "0x10: 1\n16: 2\n"},
		{"float key", "1.5: a\n"},
		{"timestamp key", "2001-12-14: a\n"},
		{"merge as value", "a: <<\nb: '<<'\n"},
		{"equals and other specials", "a: =\nb: '='\nc: !\nd: '!'\n"},
		{"plain with colons", "a: http://x:80/y\nb: a:b\nc: ::\nd: 'k: v'\n"},
		{"plain ending in colon", "a: b:\n"},
		{"plain with hash", "a: b#c\nb: 'x #y'\nc: x  # y\n"},
		{"dash values", "a: -\nb: --\nc: ---\nd: -x\ne: '- x'\n"},
		{"dot values", "a: .\nb: ..\nc: ...\nd: .x\n"},
		{"question mark", "a: ?\nb: ?x\nc: x?\n"},
		{"key with spaces", "a b: 1\n\"c d\": 2\n'e''f': 3\n"},
		{"key with trailing spaces", "a   : 1\nb: 2\n"},
		{"quoted escapes", `a: "\u00e9\t\\ \" \/ \0 \e \N \_ \L"` + "\n"},
		{"quoted unicode", "a: \"\\u0041\\u00FF\\u10FFF\"\n"},
		{"single quoted empty", "a: ''\nb: \"\"\nc: ''''\n"},
		{"non-ASCII text", "a: héllo\nb: \u00a0x\u00a0\nc: 日本\n"},
		{"flow with colons", "a: [a:b, http://x, 'c: d']\nb: {k: v:w}\n"},
		{"flow specials", "a: [yes, ~, 0x1, 1:30, .inf]\n"},
		{"flow nested", "a: {b: [1, {c: d}], e: {}}\nf: [[], [[]]]\n"},
		{"flow key types", "a: {yes: 1, 2: b, \"c\": 3}\n"},
		{"flow empty key quoted", "a: {'': 1}\n"},
		{"flow no space after comma", "a: [1,2,3]\nb: {c: 1,d: 2}\n"},
		{"flow plain with spaces", "a: [a b , c  d]\n"},
		{"literal chomping", "a: |\n  x\n\n\nb: |-\n  y\n\n\nc: |+\n  z\n\n\nd: 1\n"},
		{"literal keep at end", "a: |+\n  x\n\n\n"},
		{"literal strip at end", "a: |-\n  x\n\n"},
		{"literal leading empty lines", "a: |\n\n\n  x\nb: 1\n"},
		{"literal with more-indented lines", "a: |\n  x\n    y\n  z\n"},
		{"literal with a marker-like line", "a: |\n  ---\n  ...\n  # not a comment\nb: 1\n"},
		{"literal with spaces-only lines", "a: |\n  x\n     \n  y\n \n"},
		{"literal in a sequence", "a:\n- |\n  x\n- |-\n   y\n"},
		{"literal under a sequence mapping", "a:\n- b: |\n    x\n  c: 1\n"},
		{"literal then less indented comment", "a:\n  b: |\n    x\n  # c\n  d: 1\n"},
		{"literal at root ending the document", "a: |\n  x"},
		{"folded scalar", "a: >\n  x\n  y\n"},
		{"comment lines indented oddly", "a:\n    # c\n  b: 1\n# d\n      # e\nc: 2\n"},
		{"more indented comment after value", "a: x\n  # c\nb: 1\n"},
		{"sequence at key indentation", "a:\n- 1\n- 2\nb:\n  c:\n  - 3\n  d: 4\n"},
		{"nested sequences in mappings", "- a\n"},
		{"empty sequence entries", "a:\n-\n- ~\n-  # c\n- ''\n"},
		{"sequence entry mapping with indent", "a:\n-   b: 1\n    c: 2\n"},
		{"sequence entry mapping misaligned", "a:\n-   b: 1\n  c: 2\n"},
		{"mapping after sequence at key indentation", "a:\n  - x\n  b: 1\n"},
		{"header in flow", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\n"},
		{"header not strings", "apiVersion: 1\nkind: yes\nmetadata:\n  name: 123\n  namespace: ~\n"},
		{"header as literal", "apiVersion: |\n  v1\nkind: Pod\nmetadata:\n  name: 'p'\n"},
		{"header nested deeper", "kind: Pod\nspec:\n  metadata:\n    name: x\nmetadata:\n  labels:\n    name: y\n"},
		{"header repeated in a list", "kind: List\nitems:\n- kind: Pod\n  metadata:\n    name: a\n"},
		{"colon key forms", "a:b: 1\n"},
		{"key containing hash", "a#b: 1\n"},
		{"document with only comments", "# x\n# y\n"},
		{"empty document", ""},
		{"document start marker inside", "a: 1\n---\nb: 2\n"},
		{"very long line", "a: " + strings.Repeat("x", 70000) + "\n"},
		{"very long quoted line", "a: \"" + strings.Repeat("x", 70000) + "\"\n"},
		{"deep nesting", strings.Repeat("a:\n ", 200) + "b: 1\n"},
		{"long key 1000", strings.Repeat("k", 1000) + ": 1\n"},
		{"long key 1024", strings.Repeat("k", 1024) + ": 1\n"},
		{"anchor-like text", "a: b&c\nb: b*c\nc: b!c\n"},
		{"percent inside", "a: 50%\nb: x%y\n"},
		{"backtick and at inside", "a: x`y\nb: x@y\n"},
		{"tilde forms", "a: ~x\nb: x~\n"},
		{"json style nested flow", "a: {\"b\": [\"c\", 1, true, null]}\n"},
		{"flow comma edge", "a: [a,b]\nb: [ a ]\nc: [ ]\nd: { }\n"},
		{"flow scalar starting with dash", "a: [-1, -a, -.5, --]\n"},
		{"flow key with colon", "a: {http://x: 1}\n"},
		{"flow value with hash", "a: [b#c]\n"},
		{"trailing spaces", "a: 1   \nb:   \n  c: 2  \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFast(t, []byte(tt.in))
		})
	}
}

// TestFastJSONLargeMappingsAreLinear checks that a mapping with many keys, block or flow,
// is read in time linear in its size: finding duplicate keys must not compare every key
// with every other (a 1 MiB one-line flow mapping took seconds).
func TestFastJSONLargeMappingsAreLinear(t *testing.T) {
	const keys = 100_000
	var flow, block strings.Builder
	flow.WriteString("data: {")
	block.WriteString("data:\n")
	for i := range keys {
		if i > 0 {
			flow.WriteString(", ")
		}
		fmt.Fprintf(&flow, "k%d: v", i)
		fmt.Fprintf(&block, "  k%d: v\n", i)
	}
	flow.WriteString("}\n")
	for name, doc := range map[string]string{"flow": flow.String(), "block": block.String()} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, _, ok := FastJSON(nil, []byte(doc))
			require.True(t, ok)
			// Linear: a few milliseconds; quadratic: tens of seconds. The bound leaves room
			// for a loaded machine.
			assert.Less(t, time.Since(start), 2*time.Second)
		})
	}
}
