package check

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// CheckList file identification.
const (
	// CheckListAPIVersion is the apiVersion of a CEL check file.
	CheckListAPIVersion = "kspm.dev/v1alpha1"
	// CheckListKind is the kind of a CEL check file.
	CheckListKind = "CheckList"
)

// CELFileError is a problem with one check (or the header) of a CEL check file.
type CELFileError struct {
	// File is the file's path (or the source name given to ParseCELChecks).
	File string
	// Line is the 1-based line of the problem: the offending field when known, else the
	// check's entry.
	Line int
	// CheckID is the ID of the check at fault, when known.
	CheckID string
	// Err is the problem; a *CELError for an expression that does not compile.
	Err error
}

// Error implements error.
func (e *CELFileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	var ce *CELError
	if e.CheckID != "" && !errors.As(e.Err, &ce) {
		b.WriteString("check " + e.CheckID + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *CELFileError) Unwrap() error { return e.Err }

// LoadCELFile reads a file of CEL checks; see ParseCELChecks for its format.
func LoadCELFile(path string) ([]Check, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load CEL checks: %w", err)
	}
	return ParseCELChecks(data, path)
}

// ParseCELChecks parses CEL checks from YAML; source names the input in errors (usually its
// path). The input holds one or more YAML documents, each a CheckList:
//
//	apiVersion: kspm.dev/v1alpha1
//	kind: CheckList
//	checks:
//	- id: custom:allowed-registries          # required, unique in the input
//	  title: Images come from approved registries   # required
//	  description: ...                       # optional
//	  severity: high                         # required: critical, high, medium, low or info
//	  remediation: ...                       # required
//	  references: [https://...]              # optional
//	  section: ...                           # optional
//	  level: ...                             # optional
//	  kinds: [Pod, Deployment]               # objects evaluated ("Kind", "Kind.group", or
//	                                         # "resource.group" for built-in kinds);
//	                                         # empty = every object
//	  requires: [NetworkPolicy]              # optional; see Meta.Requires
//	  podTemplates: true                     # optional; see CELSpec.PodTemplates
//	  match: "..."                           # optional CEL bool; false skips the object
//	  expression: "..."                      # required CEL bool; true = pass
//	  message: "..."                         # optional CEL string explaining a failure
//	  params: {registries: [...]}            # optional defaults of `params`
//	  costLimit: 1000000                     # optional, per evaluation (at most 10000000)
//	  scanCostLimit: 50000000                # optional, per run (at most 500000000)
//
// Note that message is a CEL expression: a fixed text is written as a quoted CEL string,
// e.g. message: "'image is not from an approved registry'".
//
// Decoding is strict: an unknown field (a typo such as `expresion`) is an error, not a
// field quietly ignored. Every check is validated and compiled; all problems are returned
// together (joined), each a *CELFileError naming the source, the line and the check.
func ParseCELChecks(data []byte, source string) ([]Check, error) {
	p := &celFileParser{source: source, ids: make(map[string]int)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	docs := 0
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.errs = append(p.errs, &CELFileError{File: source, Err: fmt.Errorf("parse YAML: %w", err)})
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		docs++
		p.document(doc.Content[0])
	}
	if docs == 0 && len(p.errs) == 0 {
		p.errs = append(p.errs, &CELFileError{File: source, Err: errors.New("no CheckList document")})
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.checks, nil
}

type celFileParser struct {
	source string
	ids    map[string]int // ID → line of its first definition
	checks []Check
	errs   []error
}

func (p *celFileParser) fail(line int, id string, err error) {
	p.errs = append(p.errs, &CELFileError{File: p.source, Line: line, CheckID: id, Err: err})
}

var (
	docFields   = []string{"apiVersion", "kind", "checks"}
	entryFields = []string{"id", "title", "description", "severity", "remediation", "references",
		"section", "level", "kinds", "requires", "podTemplates", "match", "expression", "message",
		"params", "costLimit", "scanCostLimit"}
)

type celFileHeader struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
}

type celFileEntry struct {
	ID            string         `yaml:"id"`
	Title         string         `yaml:"title"`
	Description   string         `yaml:"description"`
	Severity      string         `yaml:"severity"`
	Remediation   string         `yaml:"remediation"`
	References    []string       `yaml:"references"`
	Section       string         `yaml:"section"`
	Level         string         `yaml:"level"`
	Kinds         []string       `yaml:"kinds"`
	Requires      []string       `yaml:"requires"`
	PodTemplates  bool           `yaml:"podTemplates"`
	Match         string         `yaml:"match"`
	Expression    string         `yaml:"expression"`
	Message       string         `yaml:"message"`
	Params        map[string]any `yaml:"params"`
	CostLimit     uint64         `yaml:"costLimit"`
	ScanCostLimit uint64         `yaml:"scanCostLimit"`
}

func (p *celFileParser) document(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.fail(n.Line, "", fmt.Errorf("want a %s mapping, got a YAML %s", CheckListKind, nodeKind(n)))
		return
	}
	if errs := strictFields(n, docFields); len(errs) > 0 {
		for _, e := range errs {
			p.fail(e.line, "", e.err)
		}
	}
	var h celFileHeader
	if err := n.Decode(&h); err != nil {
		p.fail(n.Line, "", err)
		return
	}
	if h.APIVersion != CheckListAPIVersion || h.Kind != CheckListKind {
		p.fail(n.Line, "", fmt.Errorf("apiVersion %q, kind %q: want apiVersion %s, kind %s",
			h.APIVersion, h.Kind, CheckListAPIVersion, CheckListKind))
		return
	}
	checks := field(n, "checks")
	if checks == nil {
		p.fail(n.Line, "", errors.New("no checks field"))
		return
	}
	if checks.Kind != yaml.SequenceNode {
		p.fail(checks.Line, "", fmt.Errorf("checks: want a list, got a YAML %s", nodeKind(checks)))
		return
	}
	for _, e := range checks.Content {
		p.entry(e)
	}
}

func (p *celFileParser) entry(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.fail(n.Line, "", fmt.Errorf("check: want a mapping, got a YAML %s", nodeKind(n)))
		return
	}
	id := ""
	if idNode := field(n, "id"); idNode != nil && idNode.Kind == yaml.ScalarNode {
		id = idNode.Value
	}
	nerrs := len(p.errs)
	for _, e := range strictFields(n, entryFields) {
		p.fail(e.line, id, e.err)
	}
	var e celFileEntry
	if err := n.Decode(&e); err != nil {
		p.fail(n.Line, id, err)
		return
	}
	lineOf := func(name string) int {
		if f := field(n, name); f != nil {
			return f.Line
		}
		return n.Line
	}
	if e.ID == "" {
		p.fail(n.Line, "", errors.New("check has no id"))
	} else if first, dup := p.ids[e.ID]; dup {
		p.fail(n.Line, e.ID, fmt.Errorf("duplicate ID: also defined at line %d", first))
	} else {
		p.ids[e.ID] = n.Line
	}
	if strings.TrimSpace(e.Title) == "" {
		p.fail(n.Line, id, errors.New("no title"))
	}
	if strings.TrimSpace(e.Remediation) == "" {
		p.fail(n.Line, id, errors.New("no remediation"))
	}
	sev, err := ParseSeverity(e.Severity)
	if err != nil {
		p.fail(lineOf("severity"), id, err)
	}
	if strings.TrimSpace(e.Expression) == "" {
		p.fail(n.Line, id, errors.New("no expression"))
	}
	kinds, kerrs := parseKinds(e.Kinds)
	for _, err := range kerrs {
		p.fail(lineOf("kinds"), id, fmt.Errorf("kinds: %w", err))
	}
	requires, rerrs := parseKinds(e.Requires)
	for _, err := range rerrs {
		p.fail(lineOf("requires"), id, fmt.Errorf("requires: %w", err))
	}
	if len(p.errs) > nerrs {
		return // compile only well-formed entries
	}
	c, err := CEL(CELSpec{
		Meta: Meta{
			ID: e.ID, Title: e.Title, Description: e.Description, Severity: sev,
			Remediation: e.Remediation, References: e.References, Section: e.Section,
			Level: e.Level, Kinds: kinds, Requires: requires,
		},
		Expression:    e.Expression,
		Message:       e.Message,
		Match:         e.Match,
		PodTemplates:  e.PodTemplates,
		Params:        e.Params,
		CostLimit:     e.CostLimit,
		ScanCostLimit: e.ScanCostLimit,
	})
	if err != nil {
		for _, err := range unjoin(err) {
			line := n.Line
			var ce *CELError
			if errors.As(err, &ce) {
				line = fieldLine(field(n, ce.Field), ce.Line, n.Line)
			}
			p.fail(line, id, err)
		}
		return
	}
	p.checks = append(p.checks, c)
}

// fieldLine returns the file line of line exprLine (1-based, 0 if unknown) of the text held
// by node f, or fallback when there is no such node.
func fieldLine(f *yaml.Node, exprLine, fallback int) int {
	if f == nil {
		return fallback
	}
	if exprLine <= 0 {
		return f.Line
	}
	if f.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		// A block scalar's text starts on the line after its indicator.
		return f.Line + exprLine
	}
	return f.Line + exprLine - 1
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// parseKinds parses kinds as users write them (see inventory.ParseGroupKind). A lower-case
// name that is no built-in kind or resource is rejected: it is a typo, or a resource name
// whose kind cannot be known offline (write "Foo.example.com", not "foos.example.com").
func parseKinds(names []string) ([]schema.GroupKind, []error) {
	var (
		out  []schema.GroupKind
		errs []error
	)
	for _, s := range names {
		s = strings.TrimSpace(s)
		if s == "" {
			errs = append(errs, errors.New("empty kind"))
			continue
		}
		gk := inventory.ParseGroupKind(s)
		if _, builtin := inventory.LookupKind(gk); !builtin && !startsUpper(gk.Kind) {
			errs = append(errs, fmt.Errorf("unknown kind %q (write a Kind such as Deployment, or Kind.group for other kinds)", s))
			continue
		}
		if !slices.Contains(out, gk) {
			out = append(out, gk)
		}
	}
	return out, errs
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r)
	}
	return false
}

type fieldError struct {
	line int
	err  error
}

// strictFields reports the keys of mapping n that are not in allowed, and repeated keys.
func strictFields(n *yaml.Node, allowed []string) []fieldError {
	var errs []fieldError
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if first, dup := seen[k.Value]; dup {
			errs = append(errs, fieldError{k.Line, fmt.Errorf("field %q repeated (first at line %d)", k.Value, first)})
			continue
		}
		seen[k.Value] = k.Line
		if slices.Contains(allowed, k.Value) {
			continue
		}
		msg := fmt.Sprintf("unknown field %q", k.Value)
		if s := closest(k.Value, allowed); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, fieldError{k.Line, errors.New(msg)})
	}
	return errs
}

// field returns the value node of key name in mapping n, or nil.
func field(n *yaml.Node, name string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1]
		}
	}
	return nil
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "node"
}

// closest returns the candidate nearest to s by edit distance, if it is near enough to be a
// likely typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
