package yamldoc

import (
	"errors"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/kspm-dev/kspm/internal/spell"
)

// KeyError is a problem with a key of a mapping: Node is the key.
type KeyError struct {
	Node *yaml.Node
	Err  error
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
