package yamldoc

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// doc is a document as a test expects it.
type doc struct {
	line, content int
	text          string
}

func docsOf(ds []Document) []doc {
	out := make([]doc, 0, len(ds))
	for _, d := range ds {
		out = append(out, doc{d.Line, d.ContentLine, string(d.Data)})
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []doc
	}{
		{"empty", "", []doc{}},
		{"only comments", "# a\n\n# b\n", []doc{}},
		{"one bare document", "a: 1\nb: 2\n", []doc{{1, 1, "a: 1\nb: 2\n"}}},
		{"leading marker", "---\na: 1\n", []doc{{1, 2, "\na: 1\n"}}},
		{"two documents", "a: 1\n---\nb: 2\n", []doc{{1, 1, "a: 1\n"}, {2, 3, "\nb: 2\n"}}},
		{"comment before first content", "# head\n\na: 1\n", []doc{{1, 3, "# head\n\na: 1\n"}}},
		{"empty documents skipped", "---\n---\n# c\n---\na: 1\n---\n", []doc{{4, 5, "\na: 1\n"}}},
		{"marker with comment", "--- # first\na: 1\n", []doc{{1, 2, " # first\na: 1\n"}}},
		{"marker with content", "--- |\n  text\n", []doc{{1, 1, " |\n  text\n"}}},
		{"marker with tab", "---\t\na: 1\n", []doc{{1, 2, "\t\na: 1\n"}}},
		{"not a marker: dashes run on", "a: 1\n----\n", []doc{{1, 1, "a: 1\n----\n"}}},
		{"not a marker: text after dashes", "a: 1\n---b\n", []doc{{1, 1, "a: 1\n---b\n"}}},
		{
			"indented marker inside a block scalar",
			"data:\n  config: |\n    ---\n    x: 1\n---\nb: 2\n",
			[]doc{{1, 1, "data:\n  config: |\n    ---\n    x: 1\n"}, {5, 6, "\nb: 2\n"}},
		},
		{"document end marker", "a: 1\n...\n# trailing\n---\nb: 2\n", []doc{{1, 1, "a: 1\n"}, {4, 5, "\nb: 2\n"}}},
		{"bare document after end marker", "a: 1\n...\nb: 2\n", []doc{{1, 1, "a: 1\n"}, {3, 3, "b: 2\n"}}},
		{"directive before marker", "%YAML 1.2\n---\na: 1\n", []doc{{2, 3, "\na: 1\n"}}},
		{"directive after end marker", "a: 1\n...\n%YAML 1.2\n---\nb: 2\n", []doc{{1, 1, "a: 1\n"}, {4, 5, "\nb: 2\n"}}},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", []doc{{1, 1, "a: 1\r\n"}, {2, 3, "\r\nb: 2\r\n"}}},
		{"byte order mark", "\ufeffa: 1\n---\nb: 2\n", []doc{{1, 1, "a: 1\n"}, {2, 3, "\nb: 2\n"}}},
		{"byte order mark before a later marker", "a: 1\n\ufeff---\nb: 2\n", []doc{{1, 1, "a: 1\n"}, {2, 3, "\nb: 2\n"}}},
		{"no final newline", "a: 1\n---\nb: 2", []doc{{1, 1, "a: 1\n"}, {2, 3, "\nb: 2"}}},
		{"marker at end", "a: 1\n---", []doc{{1, 1, "a: 1\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, docsOf(Split([]byte(tt.in))))
		})
	}
}

func TestSplitItems(t *testing.T) {
	list := strings.Join([]string{
		"apiVersion: v1", // 1
		"items:",         // 2
		"- apiVersion: v1",
		"  kind: Pod",
		"  data: |",
		"    - not an item", // 6
		"    items:",
		"",
		"# a comment",
		"- kind: Service", // 10
		"kind: List",
		"metadata: {}",
		"",
	}, "\n")
	tests := []struct {
		name   string
		doc    Document
		head   string
		items  []doc
		wantOK bool
	}{
		{
			name:   "compact sequence",
			doc:    Document{Data: []byte(list), Line: 1},
			head:   "apiVersion: v1\nitems:\nkind: List\nmetadata: {}\n",
			items:  []doc{{3, 3, "- apiVersion: v1\n  kind: Pod\n  data: |\n    - not an item\n    items:\n\n# a comment\n"}, {10, 10, "- kind: Service\n"}},
			wantOK: true,
		},
		{
			name:   "indented sequence at the end, lines from a later document",
			doc:    Document{Data: []byte("\nkind: PodList\nitems:\n  - a: 1\n  - b: 2\n    c: 3\n"), Line: 7},
			head:   "\nkind: PodList\nitems:\n",
			items:  []doc{{10, 10, "  - a: 1\n"}, {11, 11, "  - b: 2\n    c: 3\n"}},
			wantOK: true,
		},
		{name: "no items", doc: Document{Data: []byte("kind: List\n")}},
		{name: "items not a sequence", doc: Document{Data: []byte("items:\n  a: 1\n")}},
		{name: "flow items", doc: Document{Data: []byte("items: [1, 2]\n")}},
		{name: "indented first line", doc: Document{Data: []byte(" |\n  items:\n")}},
		{name: "tab indentation", doc: Document{Data: []byte("items:\n\t- a\n")}},
		{name: "under-indented line inside the sequence", doc: Document{Data: []byte("items:\n  - a: [1,\n 2]\n")}},
		{name: "nested items key only", doc: Document{Data: []byte("spec:\n  items:\n  - a\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, items, ok := SplitItems(tt.doc)
			require.Equal(t, tt.wantOK, ok)
			if !ok {
				return
			}
			assert.Equal(t, tt.head, string(head))
			assert.Equal(t, tt.items, docsOf(items))
		})
	}
}

func TestInvalidChar(t *testing.T) {
	tests := []struct {
		in      string
		off     int
		r       rune
		invalid bool
	}{
		{"a: b\n\tc\r\n", 0, 0, false},
		{"a: \u0085 \u00a0 \ufeff \U0001F600 \ufffd", 0, 0, false},
		{"a: \x01", 3, 1, true},
		{"a: \x7f", 3, 0x7f, true},
		{"ab\u0080", 2, 0x80, true},
		{"ab\ufffe", 2, 0xfffe, true},
		{"ab\xff", 2, utf8.RuneError, true},
		{"ab\xed\xa0\x80", 2, utf8.RuneError, true}, // a surrogate, encoded
	}
	for _, tt := range tests {
		off, r, found := InvalidChar([]byte(tt.in))
		assert.Equal(t, tt.invalid, found, "%q", tt.in)
		if tt.invalid {
			assert.Equal(t, tt.off, off, "%q", tt.in)
			assert.Equal(t, tt.r, r, "%q", tt.in)
		}
	}
}

func TestTabIndentLine(t *testing.T) {
	data := []byte("a:\n  b: c\n\t\n\td: e\n  \tf: g\n")
	line, found := TabIndentLine(data, 1)
	assert.True(t, found)
	assert.Equal(t, 4, line, "a line of blanks alone does not count")
	line, found = TabIndentLine(data, 5)
	assert.True(t, found)
	assert.Equal(t, 5, line)
	_, found = TabIndentLine(data, 6)
	assert.False(t, found)
}

func TestAliasLine(t *testing.T) {
	data := []byte("a: '*x'\nb: \"*x\" # *x\nc: *xy\nd: [1, *x]\ne: *x\n")
	line, found := AliasLine(data, "x")
	assert.True(t, found)
	assert.Equal(t, 4, line, "not in quotes, comments or a longer name")
	_, found = AliasLine(data, "z")
	assert.False(t, found)
}
