package check

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/internal/yamldoc"
	"github.com/kspm-dev/kspm/inventory"

	"github.com/kspm-dev/kspm/internal/regularfile"
)

// Bounds of a CEL check file (see also MaxCELExpressionLength).
const (
	// MaxCELFileSize is the largest check file (or input of ParseCELChecks), in bytes.
	MaxCELFileSize = 4 << 20
	// MaxCELFileChecks is the most checks one file may define.
	MaxCELFileChecks = 1000
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
	// Column is the 1-based column of the problem on Line, or 0 when it is not known.
	Column int
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
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
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

// LoadCELFile reads a file of CEL checks; see ParseCELChecks for its format. A file larger
// than MaxCELFileSize is refused before it is read whole.
func LoadCELFile(path string) ([]Check, error) {
	f, err := regularfile.Open(path) // a FIFO would be waited on for ever
	if err != nil {
		return nil, fmt.Errorf("load CEL checks: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCELFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load CEL checks: %w", err)
	}
	if len(data) > MaxCELFileSize {
		return nil, &CELFileError{File: path, Err: fmt.Errorf("more than a check file may hold (%d bytes)", MaxCELFileSize)}
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
// field quietly ignored. An input is bounded: at most MaxCELFileSize bytes, MaxCELFileChecks
// checks and, for each expression, MaxCELExpressionLength bytes. Every check is validated and compiled; all problems are returned
// together (joined), each a *CELFileError naming the source, the line and column, and the
// check: a problem in one field hides neither the entry's other problems nor those of its
// expressions. A YAML syntax error ends the parse (YAML cannot be read past it); it names the
// line where the problem is and, where it is known (a tab in indentation, an alias of an
// undefined anchor, a character YAML does not allow), its column.
func ParseCELChecks(data []byte, source string) ([]Check, error) {
	if len(data) > MaxCELFileSize {
		return nil, &CELFileError{File: source, Err: fmt.Errorf("%d bytes, more than a check file may hold (%d)", len(data), MaxCELFileSize)}
	}
	p := &celFileParser{source: source, data: data, ids: make(map[string]int)}
	docs, syntax := yamldoc.EachDocument(data, p.document)
	if syntax != nil {
		p.errs = append(p.errs, &CELFileError{File: source, Line: syntax.Line, Column: syntax.Column, Err: errors.New("parse YAML: " + syntax.Msg)})
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
	source  string
	data    []byte
	entries int            // entries met
	ids     map[string]int // ID → line of its first definition
	checks  []Check
	errs    []error
}

// fail records a problem located at node n (nil: no position).
func (p *celFileParser) fail(n *yaml.Node, id string, err error) {
	e := &CELFileError{File: p.source, CheckID: id, Err: err}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// failAt records a problem at a line and column.
func (p *celFileParser) failAt(line, col int, id string, err error) {
	p.errs = append(p.errs, &CELFileError{File: p.source, Line: line, Column: col, CheckID: id, Err: err})
}

// celFileField is a field of a check file entry: its name and what its value must be.
type celFileField struct {
	name, want string
}

var (
	docFields   = []celFileField{{"apiVersion", "a string"}, {"kind", "a string"}, {"checks", "a list of checks"}}
	entryFields = []celFileField{{"id", "a string"}, {"title", "a string"}, {"description", "a string"},
		{"severity", "a string"}, {"remediation", "a string"}, {"references", "a list of strings"},
		{"section", "a string"}, {"level", "a string"}, {"kinds", "a list of kinds"}, {"requires", "a list of kinds"},
		{"podTemplates", "true or false"}, {"match", "a string (a CEL expression)"},
		{"expression", "a string (a CEL expression)"}, {"message", "a string (a CEL expression)"},
		{"params", "a mapping"}, {"costLimit", "a non-negative integer"}, {"scanCostLimit", "a non-negative integer"}}
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

// yamlField returns a pointer to the field of the struct dst points to whose yaml tag is
// name, or nil.
func yamlField(dst any, name string) any {
	v := reflect.ValueOf(dst).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("yaml") == name {
			return v.Field(i).Addr().Interface()
		}
	}
	return nil
}

// decodeFields checks the keys of mapping n against fields and decodes each value on its own
// into the field of struct *dst tagged with its name, so that a value of the wrong type is
// reported at its position and does not keep the others from being decoded and checked. It
// returns the fields that failed.
func (p *celFileParser) decodeFields(n *yaml.Node, id string, fields []celFileField, dst any) map[string]bool {
	failed := make(map[string]bool)
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	for _, e := range yamldoc.CheckKeys(n, names) {
		p.fail(e.Node, id, e.Err)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		idx := slices.IndexFunc(fields, func(f celFileField) bool { return f.name == k.Value })
		ptr := yamlField(dst, k.Value)
		if idx < 0 || ptr == nil || v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		if err := v.Decode(ptr); err != nil {
			var te *yaml.TypeError
			if errors.As(err, &te) {
				err = fmt.Errorf("%s: want %s, got %s", k.Value, fields[idx].want, describeNode(v))
			} else {
				err = fmt.Errorf("%s: %s", k.Value, strings.TrimPrefix(err.Error(), "yaml: "))
			}
			p.fail(v, id, err)
			failed[k.Value] = true
		}
	}
	return failed
}

// describeNode says what a YAML value is, for messages about a value of the wrong type.
func describeNode(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		v := n.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return "`" + v + "`"
	}
	return "a " + nodeKind(n)
}

func (p *celFileParser) document(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "", fmt.Errorf("want a %s mapping, got a YAML %s", CheckListKind, nodeKind(n)))
		return
	}
	var h celFileHeader
	p.decodeFields(n, "", docFields, &h)
	if h.APIVersion != CheckListAPIVersion || h.Kind != CheckListKind {
		p.fail(n, "", fmt.Errorf("apiVersion %q, kind %q: want apiVersion %s, kind %s",
			h.APIVersion, h.Kind, CheckListAPIVersion, CheckListKind))
		return
	}
	checks := field(n, "checks")
	if checks == nil {
		p.fail(n, "", errors.New("no checks field"))
		return
	}
	if checks.Kind != yaml.SequenceNode {
		p.fail(checks, "", fmt.Errorf("checks: want a list, got a YAML %s", nodeKind(checks)))
		return
	}
	for _, e := range checks.Content {
		if p.entries++; p.entries > MaxCELFileChecks {
			p.fail(e, "", fmt.Errorf("more than %d checks in one file", MaxCELFileChecks))
			return
		}
		p.entry(e)
	}
}

func (p *celFileParser) entry(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "", fmt.Errorf("check: want a mapping, got a YAML %s", nodeKind(n)))
		return
	}
	id := ""
	if idNode := field(n, "id"); idNode != nil && idNode.Kind == yaml.ScalarNode {
		id = idNode.Value
	}
	nerrs := len(p.errs)
	var e celFileEntry
	failed := p.decodeFields(n, id, entryFields, &e)
	// at returns the node of a field for a problem with it: its value when it is there, else
	// the entry.
	at := func(name string) *yaml.Node {
		if f := field(n, name); f != nil {
			return f
		}
		return n
	}
	// missing reports a required field that is absent or empty (one of the wrong type is
	// reported already).
	missing := func(name, val string) bool {
		if strings.TrimSpace(val) != "" || failed[name] {
			return false
		}
		p.fail(at(name), id, errors.New("no "+name))
		return true
	}
	switch first, dup := p.ids[e.ID]; {
	case e.ID == "" && !failed["id"]:
		p.fail(at("id"), "", errors.New("check has no id"))
	case dup:
		p.fail(at("id"), e.ID, fmt.Errorf("duplicate ID: also defined at line %d", first))
	case e.ID != "":
		p.ids[e.ID] = n.Line
	}
	missing("title", e.Title)
	missing("remediation", e.Remediation)
	var sev Severity
	if !missing("severity", e.Severity) && !failed["severity"] {
		var err error
		if sev, err = ParseSeverity(e.Severity); err != nil {
			p.fail(at("severity"), id, err)
		}
	}
	missing("expression", e.Expression)
	kinds := p.kinds(n, "kinds", id, e.Kinds)
	requires := p.kinds(n, "requires", id, e.Requires)
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
	for _, err := range unjoin(err) {
		var ce *CELError
		if !errors.As(err, &ce) {
			p.fail(n, id, err)
			continue
		}
		if errors.Is(ce.Err, errEmptyExpression) {
			continue // reported above
		}
		line, col := p.exprPos(at(ce.Field), ce.Line, ce.Column)
		p.failAt(line, col, id, err)
	}
	if len(p.errs) == nerrs {
		p.checks = append(p.checks, c)
	}
}

// kinds parses the kinds of field name of entry n, reporting each unknown kind at its
// element.
func (p *celFileParser) kinds(n *yaml.Node, name, id string, names []string) []schema.GroupKind {
	kinds, errs := parseKinds(names)
	f := field(n, name)
	for _, ke := range errs {
		at := f
		if f != nil && f.Kind == yaml.SequenceNode && ke.index < len(f.Content) {
			at = f.Content[ke.index]
		}
		if at == nil {
			at = n
		}
		p.fail(at, id, fmt.Errorf("%s: %w", name, ke.err))
	}
	return kinds
}

// exprPos returns the file line and column of position (line, col) (1-based; 0 if unknown)
// of the expression held by node f. The position is exact for block scalars (| and >) and
// plain or quoted scalars on one line; in a quoted scalar with escapes, or a multi-line flow
// scalar, it is the nearest the text allows.
func (p *celFileParser) exprPos(f *yaml.Node, line, col int) (int, int) {
	if line <= 0 {
		return f.Line, f.Column
	}
	lines := strings.Split(string(p.data), "\n")
	// The expression's text, as the scalar's lines of the file hold it: each line's file
	// number and the column its text starts at.
	type textLine struct{ line, col int }
	var text []textLine
	switch {
	case f.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		indent := -1
		for l := f.Line + 1; l <= len(lines); l++ {
			s := strings.TrimRight(lines[l-1], "\r")
			n := len(s) - len(strings.TrimLeft(s, " "))
			if strings.TrimSpace(s) == "" {
				text = append(text, textLine{l, n + 1})
				continue
			}
			if indent < 0 {
				indent = n
			}
			if n < indent {
				break
			}
			text = append(text, textLine{l, indent + 1})
		}
	default:
		start := f.Column
		if f.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			start++
		}
		text = append(text, textLine{f.Line, start})
		for l := f.Line + 1; l <= len(lines); l++ {
			s := strings.TrimRight(lines[l-1], "\r")
			text = append(text, textLine{l, len(s) - len(strings.TrimLeft(s, " \t")) + 1})
		}
	}
	// The expression's line breaks are the scalar's for a literal block; folding joins lines
	// with a space. Either way each file line is one line of text plus one separator, so the
	// offset of (line, col) in the expression finds the file line.
	if f.Style&yaml.LiteralStyle != 0 {
		if line-1 < len(text) {
			return text[line-1].line, text[line-1].col + col - 1
		}
		return f.Line, f.Column
	}
	offset := col - 1
	for i, l := range strings.Split(f.Value, "\n") {
		if i+1 >= line {
			break
		}
		offset += len(l) + 1
	}
	for i, t := range text {
		s := strings.TrimRight(lines[t.line-1], "\r")
		width := len(s) - (t.col - 1)
		if f.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && i == 0 {
			width = len(strings.TrimRight(s, " ")) - (t.col - 1)
		}
		if offset <= width || i == len(text)-1 {
			return t.line, t.col + offset
		}
		offset -= width + 1
	}
	return f.Line, f.Column
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// kindError is a problem with the element at index of a list of kinds.
type kindError struct {
	index int
	err   error
}

// parseKinds parses kinds as users write them (see inventory.ParseGroupKind). A lower-case
// name that is no built-in kind or resource is rejected: it is a typo, or a resource name
// whose kind cannot be known offline (write "Foo.example.com", not "foos.example.com").
func parseKinds(names []string) ([]schema.GroupKind, []kindError) {
	var (
		out  []schema.GroupKind
		errs []kindError
	)
	for i, s := range names {
		s = strings.TrimSpace(s)
		if s == "" {
			errs = append(errs, kindError{i, errors.New("empty kind")})
			continue
		}
		gk := inventory.ParseGroupKind(s)
		if _, builtin := inventory.LookupKind(gk); !builtin && !startsUpper(gk.Kind) {
			errs = append(errs, kindError{i, fmt.Errorf("unknown kind %q (write a Kind such as Deployment, or Kind.group for other kinds)", s)})
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
