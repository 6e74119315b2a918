package yamldoc

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// decodeError returns the first error of go-yaml v3 decoding every document of data.
func decodeError(data string) error {
	dec := yaml.NewDecoder(bytes.NewReader([]byte(data)))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func TestSyntaxErrorPos(t *testing.T) {
	const (
		// The start of a check file (check.ParseCELChecks).
		header = "apiVersion: kspm.dev/v1alpha1\nkind: CheckList\nchecks:\n"
		entry  = "- id: custom:good\n  title: Good\n  severity: low\n  remediation: None needed.\n  kinds: [Pod]\n  expression: \"true\"\n"
		// A document before the one with the error.
		before = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\n"
	)
	tests := []struct {
		name      string
		data      string
		err       error // nil: go-yaml's error decoding data
		line, col int
		msg       string
	}{
		// Tabs in indentation: go-yaml reports the line before (or the block scalar's).
		{name: "tab in the indentation of a mapping", data: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n\tnamespace: x\n",
			line: 5, col: 1, msg: "yaml: found a tab character that violates indentation"},
		{name: "tab in the indentation of a sequence entry, in a later document",
			data: before + "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n\t  image: x\n",
			line: 12, col: 1, msg: "yaml: found a tab character that violates indentation"},
		{name: "tab in the indentation of a block scalar", data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |\n    fine\n\tnot\n",
			line: 7, col: 1, msg: "yaml: found a tab character where an indentation space is expected"},
		{name: "tab in the indentation of a check entry", data: header + "- id: custom:tab\n  title: Tab\n\tseverity: high\n",
			line: 6, col: 1, msg: "yaml: found a tab character that violates indentation"},
		{name: "tab after spaces in the indentation of a list", data: header + entry + "  references:\n  \t- https://example.com\n",
			line: 11, col: 3, msg: "yaml: found character that cannot start any token"},
		{name: "tab on the first line", data: "\ta: 1\n",
			line: 1, col: 1, msg: "yaml: found character that cannot start any token"},
		{name: "tab with CRLF line ends", data: "a: 1\r\n\tb: 2\r\n",
			line: 2, col: 1, msg: "yaml: found a tab character that violates indentation"},
		{name: "character that cannot start a token, before a tab in indentation", data: "a: 1\nb: `x\n\tc: 2\n",
			line: 2, col: 0, msg: "yaml: found character that cannot start any token"},

		// Parser errors: lines from 0, v2's line for where the problem is.
		{name: "unclosed flow sequence: the line it opens on", data: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [broken\n",
			line: 4, msg: "yaml: did not find expected ',' or ']'"},
		{name: "unclosed flow sequence in a check file", data: header + "- id: [unclosed\n",
			line: 4, msg: "yaml: did not find expected ',' or ']'"},
		{name: "unclosed flow mapping: the line it opens on", data: "apiVersion: v1\nkind: Pod\nmetadata: {name: p,\nspec: {}\n",
			line: 3, msg: "yaml: did not find expected ',' or '}'"},
		{name: "bad indentation: the line of the problem, not of its mapping",
			data: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n   ports: []\n",
			line: 9, msg: "yaml: did not find expected key"},
		{name: "bad indentation in a check file", data: header + "- id: custom:indent\n  params:\n    a: 1\n    b: 2\n   c: 3\n",
			line: 8, msg: "yaml: did not find expected key"},
		{name: "bad indentation in a later document", data: "a: 1\n---\nb:\n  - 1\n  c: 3\n",
			line: 5, msg: "yaml: did not find expected '-' indicator"},
		{name: "unclosed flow sequence at the end of the input", data: "a: 1\n---\nbroken: [\n",
			line: 4, msg: "yaml: did not find expected node content"},
		{name: "parser error on the first line, which go-yaml gives no line", data: "a: !x!y 1\n",
			line: 1, msg: "yaml: found undefined tag handle"},

		// Errors go-yaml gives no line.
		{name: "alias of an anchor that is not defined", data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n# not *here\ndata:\n  a: \"*x\"\n  b: *x\n",
			line: 7, col: 6, msg: "yaml: unknown anchor 'x' referenced"},
		{name: "alias of an anchor that is not defined, in a flow sequence", data: header + entry + "  references: [\"*x\", *x]\n",
			line: 10, col: 22, msg: "yaml: unknown anchor 'x' referenced"},
		{name: "control character", data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  a: x\x01y\n",
			line: 6, col: 7, msg: "yaml: control characters are not allowed (U+0001)"},
		{name: "control character in a later document", data: before + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  a: x\x01y\n",
			line: 10, col: 7, msg: "yaml: control characters are not allowed (U+0001)"},
		{name: "escape character in a quoted string", data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\n  labels:\n    a: \"\x1b[2J\"\n",
			line: 6, col: 9, msg: "yaml: control characters are not allowed (U+001B)"},
		{name: "column in characters, not bytes", data: "a: é\x01\n",
			line: 1, col: 5, msg: "yaml: control characters are not allowed (U+0001)"},
		{name: "invalid UTF-8", data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  a: \xff\n",
			line: 6, col: 6, msg: "yaml: invalid leading UTF-8 octet"},

		// Not go-yaml's syntax errors: no position.
		{name: "not a go-yaml error", data: "a: 1\n", err: io.ErrUnexpectedEOF, msg: "unexpected EOF"},
		{name: "unknown anchor the text does not show", data: "a: 1\n", err: errors.New("yaml: unknown anchor 'x' referenced"),
			msg: "yaml: unknown anchor 'x' referenced"},
		{name: "no error", data: "a: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err
			if err == nil && tt.msg != "" {
				err = decodeError(tt.data)
				require.Error(t, err)
			}
			line, col, msg := SyntaxErrorPos([]byte(tt.data), err)
			assert.Equal(t, tt.line, line, "line")
			assert.Equal(t, tt.col, col, "column")
			assert.Equal(t, tt.msg, msg)
		})
	}
}
