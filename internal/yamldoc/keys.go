package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kspm-dev/kspm/internal/spell"
)

// KeyError is a problem with a key of a mapping.
type KeyError struct {
	// Node is the key at fault, which locates it (Line, Column).
	Node *yaml.Node
	// Err says what is wrong with it.
	Err error
}

// CheckKeys reports the keys of mapping n that are not in allowed (naming the allowed key
// nearest a misspelt one), and the keys written twice: the strict decoding of a file format
// of kspm's own, where a typo must not pass for a field quietly ignored.
func CheckKeys(n *yaml.Node, allowed []string) []KeyError {
	var errs []KeyError
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if first, dup := seen[k.Value]; dup {
			errs = append(errs, KeyError{k, fmt.Errorf("field %q repeated (first at line %d)", k.Value, first)})
			continue
		}
		seen[k.Value] = k.Line
		if slices.Contains(allowed, k.Value) {
			continue
		}
		msg := fmt.Sprintf("unknown field %q", k.Value)
		if s := spell.Closest(k.Value, allowed); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, KeyError{k, errors.New(msg)})
	}
	return errs
}

// SyntaxError is where a YAML document cannot be read past (see SyntaxErrorPos).
type SyntaxError struct {
	// Line and Column are 1-based; Column is 0 when it is not known.
	Line, Column int
	// Msg says what is wrong, without the decoder's "yaml: " prefix.
	Msg string
}

// EachDocument decodes the YAML documents of data in order and calls each with the root of
// every document that is not empty. It returns how many it called each with and, at a syntax
// error, where it is: YAML cannot be read past one, so it ends the reading.
func EachDocument(data []byte, each func(root *yaml.Node)) (docs int, syntax *SyntaxError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			line, col, msg := SyntaxErrorPos(data, err)
			return docs, &SyntaxError{Line: line, Column: col, Msg: strings.TrimPrefix(msg, "yaml: ")}
		}
		if len(doc.Content) == 0 {
			continue
		}
		docs++
		each(doc.Content[0])
	}
}
