package exception

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/kspm-dev/kspm/internal/regularfile"
	"github.com/kspm-dev/kspm/internal/yamldoc"
)

// File identification and bounds.
const (
	// APIVersion is the apiVersion of an exceptions file.
	APIVersion = "kspm.dev/v1alpha1"
	// Kind is the kind of an exceptions file.
	Kind = "Exceptions"
	// MaxFileSize is the largest exceptions file read, in bytes.
	MaxFileSize = 1 << 20
	// MaxEntries is the most exceptions a Set may hold.
	MaxEntries = 10000
	// maxText bounds each text field (reason, owner, a glob, a selector), in bytes.
	maxText = 4096
)

// Set is a list of exceptions, in the order they are tried.
type Set struct {
	// Files are the files the exceptions were read from, as named.
	Files []string
	// Entries are the exceptions, in file order.
	Entries []Entry
}

// Entry is one exception.
type Entry struct {
	// ID names the exception, optionally; unique within a file.
	ID string
	// Checks are the check IDs or globs it covers; at least one.
	Checks []string
	// Objects are the objects it covers; none means every result of the checks.
	Objects []Objects
	// Reason says why the failures are accepted; required.
	Reason string
	// Owner is who answers for the exception; required.
	Owner string
	// Expires is the last day the exception applies, YYYY-MM-DD in UTC; required.
	Expires string
	// Source is where the exception is written, "FILE:LINE" (Parse sets it).
	Source string
}

// Objects selects objects: every field given must match; an absent one matches anything.
type Objects struct {
	// Kind is a glob matched against the object's kind, e.g. Deployment.
	Kind string
	// Namespace is a glob matched against the object's namespace ("" if cluster-scoped).
	Namespace string
	// Name is a glob matched against the object's name.
	Name string
	// Labels is a Kubernetes label selector, e.g. "team=billing,env!=prod".
	Labels string
}

// FileError is a problem in an exceptions file.
type FileError struct {
	// File is the file's name (Parse's source).
	File string
	// Line is the 1-based line of the problem, or 0 when it is not known.
	Line int
	// Err is the problem.
	Err error
}

// Error implements error: "FILE:LINE: problem".
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the problem.
func (e *FileError) Unwrap() error { return e.Err }

// Load reads the exceptions file at path (see Parse). A file larger than MaxFileSize, or that
// is not a regular file, is refused before it is read whole.
func Load(ctx context.Context, path string) (*Set, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load exceptions: %w", err)
	}
	data, err := regularfile.Read(path, MaxFileSize)
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	return Parse(data, path)
}

// Parse parses exceptions files (see the package documentation for the format); source names
// the input in errors and in each Entry's Source. Every problem is reported, each a
// *FileError naming the line, joined in one error; a Set is returned only when there is none.
func Parse(data []byte, source string) (*Set, error) {
	if len(data) > MaxFileSize {
		return nil, &FileError{File: source, Err: fmt.Errorf("%d bytes, more than an exceptions file may hold (%d)", len(data), MaxFileSize)}
	}
	p := &parser{source: source, set: &Set{Files: []string{source}}, ids: map[string]int{}}
	docs, syntax := yamldoc.EachDocument(data, func(root *yaml.Node) {
		if n := aliased(root); n != nil {
			p.fail(n, errors.New("anchors and aliases are not allowed in an exceptions file"))
			return
		}
		p.document(root)
	})
	if syntax != nil {
		p.failLine(syntax.Line, errors.New("parse YAML: "+syntax.Msg))
	}
	if docs == 0 && len(p.errs) == 0 {
		p.failLine(0, fmt.Errorf("no %s document", Kind))
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.set, nil
}

// aliased returns the first node under n that is an alias or has an anchor, or nil. Depth is
// bounded by the YAML decoder.
func aliased(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return n
	}
	for _, c := range n.Content {
		if a := aliased(c); a != nil {
			return a
		}
	}
	return nil
}

type parser struct {
	source string
	set    *Set
	ids    map[string]int // id → line of its first use
	errs   []error
}

func (p *parser) fail(n *yaml.Node, err error) { p.failLine(n.Line, err) }

func (p *parser) failLine(line int, err error) {
	p.errs = append(p.errs, &FileError{File: p.source, Line: line, Err: err})
}

// get returns the value of key name in mapping n, or nil.
func get(n *yaml.Node, name string) *yaml.Node { return yamldoc.Get(n, name) }

// mapping checks that n is a mapping with only the keys allowed, reporting what is not.
func (p *parser) mapping(n *yaml.Node, what string, allowed []string) bool {
	if n.Kind != yaml.MappingNode {
		p.fail(n, fmt.Errorf("%s: want a mapping, got %s", what, describe(n)))
		return false
	}
	for _, e := range yamldoc.CheckKeys(n, allowed) {
		p.fail(e.Node, fmt.Errorf("%s: %w", what, e.Err))
	}
	return true
}

// str returns the string value of key name of mapping n ("" if absent), reporting a value that
// is not a string or is too long.
func (p *parser) str(n *yaml.Node, name string) string {
	v := get(n, name)
	if v == nil || v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		p.fail(v, fmt.Errorf("%s: want a string, got %s", name, describe(v)))
		return ""
	}
	if len(v.Value) > maxText {
		p.fail(v, fmt.Errorf("%s: longer than %d bytes", name, maxText))
		return ""
	}
	return v.Value
}

// strs returns the list of strings of key name of mapping n, reporting what is not one.
func (p *parser) strs(n *yaml.Node, name string) []string {
	v := get(n, name)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.fail(v, fmt.Errorf("%s: want a list of strings, got %s", name, describe(v)))
		return nil
	}
	var out []string
	for _, e := range v.Content {
		if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
			p.fail(e, fmt.Errorf("%s: want a string, got %s", name, describe(e)))
			continue
		}
		if len(e.Value) > maxText {
			p.fail(e, fmt.Errorf("%s: longer than %d bytes", name, maxText))
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return strconv.Quote(v)
	}
	return "an alias"
}

func (p *parser) document(n *yaml.Node) {
	if !p.mapping(n, Kind, []string{"apiVersion", "kind", "exceptions"}) {
		return
	}
	if av, k := p.str(n, "apiVersion"), p.str(n, "kind"); av != APIVersion || k != Kind {
		p.fail(n, fmt.Errorf("apiVersion %q, kind %q: want apiVersion %s, kind %s", av, k, APIVersion, Kind))
		return
	}
	list := get(n, "exceptions")
	switch {
	case list == nil:
		p.fail(n, errors.New("no exceptions field"))
		return
	case list.Kind != yaml.SequenceNode:
		p.fail(list, fmt.Errorf("exceptions: want a list, got %s", describe(list)))
		return
	}
	for _, e := range list.Content {
		if len(p.set.Entries) >= MaxEntries {
			p.fail(e, fmt.Errorf("more than %d exceptions", MaxEntries))
			return
		}
		p.entry(e)
	}
}

func (p *parser) entry(n *yaml.Node) {
	if !p.mapping(n, "exception", []string{"id", "checks", "objects", "reason", "owner", "expires"}) {
		return
	}
	nerrs := len(p.errs)
	e := Entry{ID: p.str(n, "id"), Checks: p.strs(n, "checks"), Reason: p.str(n, "reason"), Owner: p.str(n, "owner"),
		Expires: p.str(n, "expires"), Source: fmt.Sprintf("%s:%d", p.source, n.Line)}
	if e.ID != "" {
		if first, dup := p.ids[e.ID]; dup {
			p.fail(get(n, "id"), fmt.Errorf("id %q: also the id of the exception at line %d", e.ID, first))
		} else {
			p.ids[e.ID] = n.Line
		}
	}
	if objs := get(n, "objects"); objs != nil {
		if objs.Kind != yaml.SequenceNode {
			p.fail(objs, fmt.Errorf("objects: want a list, got %s", describe(objs)))
		} else {
			if len(objs.Content) == 0 {
				p.fail(objs, errors.New("objects: an empty list selects nothing (leave objects out to cover every object)"))
			}
			for _, o := range objs.Content {
				if p.mapping(o, "objects", []string{"kind", "namespace", "name", "labels"}) {
					e.Objects = append(e.Objects, Objects{Kind: p.str(o, "kind"), Namespace: p.str(o, "namespace"),
						Name: p.str(o, "name"), Labels: p.str(o, "labels")})
				}
			}
		}
	}
	if len(p.errs) > nerrs {
		return // the problems found say more than checking what was read of the entry
	}
	if _, errs := compile(&e); len(errs) > 0 {
		for _, fe := range errs {
			at := n
			if v := get(n, fe.field); v != nil {
				at = v
				if fe.index >= 0 && v.Kind == yaml.SequenceNode && fe.index < len(v.Content) {
					at = v.Content[fe.index]
				}
			}
			p.fail(at, fe.err)
		}
		return
	}
	p.set.Entries = append(p.set.Entries, e)
}
