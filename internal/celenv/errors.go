package celenv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
)

// evalProblems maps the start of cel-go's evaluation error messages to what kspm reports.
// cel-go's messages quote the values at fault (`invalid RFC 3339 timestamp "hunter2"`, `no
// such key: hunter2`, `error parsing regexp: ... hunter2`, `index out of range: 14`), and
// those values come from the objects scanned, ConfigMap data included; so only these fixed
// descriptions are reported, never cel-go's text. A message not listed is reported as
// "failed".
var evalProblems = []struct{ prefix, problem string }{
	{"no such key", "no such key"},
	{"no such attribute", "no such field"},
	{"no such overload", "no function for the operands' types"},
	{"found no matching overload", "no function for the operands' types"},
	{"division by zero", "division by zero"},
	{"modulus by zero", "modulus by zero"},
	{"integer overflow", "integer overflow"},
	{"unsigned integer overflow", "integer overflow"},
	{"index out of", "index out of range"},
	{"type conversion error", "conversion failed"},
	{"invalid RFC 3339 timestamp", "not a valid timestamp"},
	{"timestamp out of range", "timestamp out of range"},
	{"duration out of range", "duration out of range"},
	{"error parsing regexp", "invalid regular expression"},
	{"Illegal regex", "invalid regular expression"}, // the Kubernetes regex library's find, findAll
	{"illegal base64", "invalid base64"},
	{"optional.none() dereference", "value of an empty optional"},
	{"error during formatting", "formatting failed"},
	{"internal error", "internal error"},
	{ErrBadKind.Error(), ErrBadKind.Error()},
}

// conversionFunctions are the functions whose failure is a failed conversion of their operand,
// whatever cel-go's message says (ip(), cidr(), url(), quantity() and semver() quote the string
// they could not parse).
var conversionFunctions = map[string]bool{
	"int": true, "uint": true, "double": true, "bool": true, "string": true, "bytes": true,
	"timestamp": true, "duration": true, "ip": true, "cidr": true, "url": true,
	"quantity": true, "semver": true,
}

// DescribeError says what went wrong in an evaluation of the expression a was compiled from,
// without any value of the input: the position in the expression ("line 1, column 11: "), the
// operation (a function, an operator, a field access) and a fixed description of the problem,
// e.g. "line 1, column 1: timestamp(): not a valid timestamp" or "line 1, column 12: no such
// key 'labels'" (a key is named only when it is written in the expression). a may be nil.
func DescribeError(a *cel.Ast, err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	problem := "failed"
	for _, p := range evalProblems {
		if strings.HasPrefix(msg, p.prefix) {
			problem = p.problem
			break
		}
	}
	var id int64
	var te *types.Err
	if errors.As(err, &te) {
		id = te.NodeID()
	}
	if a == nil || id == 0 {
		return problem
	}
	node, ok := findNode(a, id)
	if !ok {
		return problem
	}
	info := a.NativeRep().SourceInfo()
	loc := info.GetStartLocation(id)
	line, col := loc.Line(), loc.Column()
	var what string
	switch node.Kind() {
	case celast.CallKind:
		fn := node.AsCall().FunctionName()
		if op, isOp := operators.FindReverse(fn); isOp && op != "" {
			what = "operator " + op
		} else if fn == operators.Index || fn == operators.OptIndex {
			what = "index"
		} else {
			what = fn + "()"
			if conversionFunctions[fn] && problem == "failed" {
				problem = "conversion failed"
			}
			// cel-go places a call at its parenthesis; point at the function's name.
			if src := a.Source(); src != nil {
				if off := info.GetStartLocation(id); off.Line() > 0 {
					if text, ok := src.Snippet(off.Line()); ok && col >= len(fn) && col <= len(text) &&
						text[col-len(fn):col] == fn {
						col -= len(fn)
					}
				}
			}
		}
	case celast.SelectKind:
		what = "field access"
	case celast.IdentKind:
		what = "variable " + node.AsIdent()
	default:
		what = "evaluation"
	}
	if key, ok := strings.CutPrefix(msg, "no such key: "); ok && problem == "no such key" && writtenIn(a, key) {
		// The key is written in the expression (a field name or a string literal), so naming
		// it repeats the expression, not the object. cel-go reports a path's missing key at
		// the path's last field: point at the key's own.
		if at, ok := selectOf(node, key); ok {
			loc := info.GetStartLocation(at.ID())
			line, col = loc.Line(), loc.Column()
		}
		return position(line, col) + "no such key '" + key + "'"
	}
	return position(line, col) + what + ": " + problem
}

// selectOf returns the selection of field key, or the index by the literal key, on the path
// that e ends.
func selectOf(e celast.Expr, key string) (celast.Expr, bool) {
	for {
		switch e.Kind() {
		case celast.SelectKind:
			if e.AsSelect().FieldName() == key {
				return e, true
			}
			e = e.AsSelect().Operand()
		case celast.CallKind:
			call := e.AsCall()
			fn, args := call.FunctionName(), call.Args()
			if (fn != operators.Index && fn != operators.OptIndex && fn != operators.OptSelect) || len(args) != 2 {
				return nil, false
			}
			if args[1].Kind() == celast.LiteralKind {
				if s, ok := args[1].AsLiteral().(types.String); ok && string(s) == key {
					return e, true
				}
			}
			e = args[0]
		default:
			return nil, false
		}
	}
}

// writtenIn reports whether s is a field name selected or a string literal in a.
func writtenIn(a *cel.Ast, s string) bool {
	found := false
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		switch e.Kind() {
		case celast.SelectKind:
			found = found || e.AsSelect().FieldName() == s
		case celast.LiteralKind:
			lit, ok := e.AsLiteral().(types.String)
			found = found || ok && string(lit) == s
		}
	}))
	return found
}

func position(line, col int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf("line %d, column %d: ", line, col+1)
}

// findNode returns the expression of a with the given ID.
func findNode(a *cel.Ast, id int64) (celast.Expr, bool) {
	var found celast.Expr
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.ID() == id {
			found = e
		}
	}))
	return found, found != nil
}
