package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/internal/celenv"
	"github.com/kspm-dev/kspm/inventory"
)

// CEL cost limits, in kspm's cost units (see CEL). A unit is about one step of evaluation (a
// variable or field read, a call, one iteration's worth of a comprehension) or the traversal of
// 10 bytes of a string or of one element of a list; on a 2-core x86 machine shared with other
// work it stands for 25 to 200 ns (docs/CEL.md has the measurements). The shipped checks cost
// at most about 400 units per evaluation and 6,000,000 per run over 100,000 objects.
const (
	// DefaultCELCostLimit bounds one evaluation of one expression: an expression that runs
	// away is stopped within 0.03 to 0.2 s.
	DefaultCELCostLimit uint64 = 1_000_000
	// DefaultCELScanCostLimit bounds the sum of a check's evaluations in one run: 2.5 to
	// 10 s of evaluation, 8 times what the costliest shipped check spends on 100,000 objects.
	DefaultCELScanCostLimit uint64 = 50_000_000
	// MaxCELCostLimit is the highest CELSpec.CostLimit (and costLimit of a check file) allowed.
	MaxCELCostLimit uint64 = 10 * DefaultCELCostLimit
	// MaxCELScanCostLimit is the highest CELSpec.ScanCostLimit (and scanCostLimit of a check
	// file) allowed.
	MaxCELScanCostLimit uint64 = 10 * DefaultCELScanCostLimit
	// MaxCELExpressionLength is the longest expression, message or match a CEL check may
	// have, in bytes.
	MaxCELExpressionLength = 10_000
	// MaxCELMessageLength is the longest failure message a CEL check's message expression
	// may give a result, in bytes; a longer one is cut (at a character boundary) and marked.
	// It is MaxMessageLength, which bounds every finding's message.
	MaxCELMessageLength = MaxMessageLength
	// celRunawayAfter is how many objects a run may exceed the per-evaluation limit on (when
	// they are most of those evaluated) before the check is taken for a runaway and its
	// remaining objects are reported as not evaluated.
	celRunawayAfter = 10
)

// CELSpec describes a check written in CEL (https://cel.dev), the expression language of
// Kubernetes admission policies. See CEL for the variables and functions expressions see.
type CELSpec struct {
	// Meta is the check's metadata. Meta.Kinds selects the objects evaluated: every object of
	// those kinds, or, when it is empty, every object in the inventory. Meta.Requires works as
	// for any check: the runner reports notEvaluated when a required kind is not completely
	// known.
	Meta Meta
	// Expression must evaluate to a bool: true means the object passes, false that it fails.
	Expression string
	// Message is an optional CEL expression of type string that explains a failure. It is
	// evaluated only for objects that fail; when it is empty, evaluates to "" or fails, the
	// message is Meta.Title.
	Message string
	// Match is an optional CEL expression of type bool: objects for which it is false are
	// skipped and get no result.
	Match string
	// PodTemplates makes the check evaluate once per pod template of the inventory (see
	// inventory.Inventory.PodTemplates) whose owner's kind is in Meta.Kinds (any owner when
	// Meta.Kinds is empty) instead of once per object. The variables podSpec and podMetadata
	// hold the template; object is its owner, which the result is about; the result's field
	// is the template's path in the owner (e.g. "spec.template.spec").
	PodTemplates bool
	// Params are default values for the `params` variable. A caller's parameters (Pass.Params)
	// override them key by key. Values must be JSON-like: bools, numbers, strings, lists and
	// maps with string keys. A caller's parameter that is neither here nor read by an
	// expression (as params.KEY, params.?KEY, params['KEY'] or 'KEY' in params) is taken for
	// a typo: the run fails with an error naming it rather than run with the defaults. (An
	// expression that reads params whole, or by a computed key, accepts any parameter.)
	Params map[string]any
	// CostLimit bounds the cost of each evaluation of each expression (default
	// DefaultCELCostLimit, at most MaxCELCostLimit). An evaluation that exceeds it yields an
	// error result for that object; the other objects are still evaluated, unless the limit
	// is exceeded on most of the first objects (10 or more): the check is then a runaway and
	// its remaining objects get error results without being evaluated.
	CostLimit uint64
	// ScanCostLimit bounds the total cost of the check's evaluations in one run (default
	// DefaultCELScanCostLimit, at most MaxCELScanCostLimit). Once it is spent, the remaining
	// objects get error results.
	ScanCostLimit uint64
}

// ErrCELType is wrapped by the CELError of an expression whose result has the wrong type.
var ErrCELType = errors.New("wrong result type")

// errEmptyExpression is the CELError of a check without an expression.
var errEmptyExpression = errors.New("empty expression")

// CELError is a problem with a CEL check's spec: an expression that does not compile or has
// the wrong type, or kinds or params that cannot be used.
type CELError struct {
	// CheckID is the check's ID.
	CheckID string
	// Field is the part at fault: "expression", "message", "match", "kinds", "params",
	// "costLimit" or "scanCostLimit".
	Field string
	// Line and Column locate the (first) problem in the expression, both 1-based; they are 0
	// when the problem has no single position (e.g. a wrong result type).
	Line, Column int
	// Err describes the problem(s).
	Err error
}

// Error implements error.
func (e *CELError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("check %s: %s: line %d, column %d: %v", e.CheckID, e.Field, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("check %s: %s: %v", e.CheckID, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *CELError) Unwrap() error { return e.Err }

// CEL returns a check whose verdicts are computed by CEL expressions (each at most
// MaxCELExpressionLength bytes). Every expression is compiled and type-checked here, once;
// the compiled program is shared by every run, so the check is cheap to run concurrently and
// over many objects. A problem with an expression is returned as a *CELError naming the
// check, the expression and the position; all problems are returned together (joined).
//
// Expressions see these variables:
//
//	object           the object evaluated, as the JSON-like map `kubectl get -o json` shows
//	namespaceObject  the Namespace object of object's namespace, as in an admission
//	                 policy; null for a cluster-scoped object (see "Namespace unknown")
//	params           map(string, dyn): CELSpec.Params overridden by the caller's parameters
//	podSpec          the pod template's spec (only when CELSpec.PodTemplates is set)
//	podMetadata      the pod template's metadata (only when CELSpec.PodTemplates is set)
//	inventory        lookups of other objects through the inventory's indexes:
//	                   inventory.list(kind) -> list of every object of kind
//	                   inventory.list(kind, namespace) -> list of the objects of kind in namespace
//	                   inventory.get(kind, namespace, name) -> optional object
//	                 kind is written as in Meta.Kinds: "Pod", "NetworkPolicy",
//	                 "deployments.apps"; namespace is "" for cluster-scoped kinds.
//
// Namespace unknown: when object is namespaced and its Namespace is not in the inventory,
// namespaceObject is null only if the inventory holds every Namespace there is (a cluster
// whose Namespaces were listed, or manifests declared complete): the Namespace does not exist.
// Otherwise it is not known (manifests that are a part of a cluster may leave it to another
// file; a cluster's Namespaces may be forbidden to list), and null would be a guess that lets
// `namespaceObject == null || ...` pass. So reading namespaceObject then fails like a lookup
// of an incomplete kind, and an object whose verdict depends on it is notEvaluated, with a
// reason naming the namespace. A check author need not test for it; an expression whose
// verdict does not depend on the Namespace keeps it, since CEL's && and || decide without an
// operand that fails when the other operand decides: `imagePinned || namespaceObject...`
// passes a pinned image whatever the namespace.
//
// namespaceObject and the inventory lookups see the inventory from the object evaluated: of an
// object the input defines in several places (variants), they give the definition nearest it,
// once (see inventory.View).
//
// Besides the standard definitions, expressions may use these cel-go extension libraries
// (versions pinned): strings, lists, sets, math, encoders (base64, json.encode), regex
// (regex.replace, regex.extract, regex.extractAll), two-variable comprehensions
// (all(k, v, ...), transformMap, ...), optional types (x.?y, orValue) and cel.bind; and the
// Kubernetes CEL libraries of ValidatingAdmissionPolicy expressions, from the API server's
// code (k8s.io/apiserver/pkg/cel/library, v0.37): regex (find, findAll), lists (isSorted,
// sum, min, max, indexOf, lastIndexOf, includes), url, ip and cidr, quantity, format
// (format.dns1123Label().validate(s), ...) and semver. The authz library is not offered:
// offline there is no authorizer to ask, and neither authorizer nor request is declared.
//
// Missing fields: like Kubernetes, object maps hold only the fields that are set, and reading
// an absent field is an evaluation error ("no such key"), which yields an error result for
// the object, never a pass. Test presence with has(object.spec.hostNetwork) or read with the
// optional syntax: object.spec.?hostNetwork.orValue(false).
//
// Verdicts: for each object selected (and matched by Match), true is a pass and false a fail
// with Message. An evaluation error or an exceeded cost limit is an error result for that
// object, and the scan goes on; its message gives the position in the expression, the
// operation and a fixed description of the problem, never a value of the object (cel-go's own
// messages quote them, e.g. the string a timestamp() could not parse). A lookup of a kind the
// inventory does not hold completely (e.g. NetworkPolicies the scanner may not list) makes the
// object notEvaluated with the reason, since an answer from a partial list could be a false
// pass; declare such kinds in
// Meta.Requires to get one notEvaluated result for the whole check instead. Likewise, when
// objects of a kind the check evaluates could not be seen (a cluster scan forbidden to list
// them), the run adds one notEvaluated result, about no object, naming the kinds.
//
// Cost: each evaluation is bounded by CELSpec.CostLimit and each run by ScanCostLimit, in
// kspm's cost units, which count work and memory rather than time, so a verdict does not
// depend on the machine's load. A unit is one step of evaluation (a variable or field read, a
// call), 10 bytes of a string an operation reads or builds, or one element of a list or map it
// traverses; comparing, sorting, printing or encoding whole values costs their full nested
// size, and matching a regular expression the string's length times the pattern's. kspm
// meters evaluations itself rather than with cel-go's cost tracker, whose time per unit grows
// with the length of a comprehension and which charges most operations on object's fields
// (values of type dyn) one unit whatever their size. An exceeded limit yields an error result
// naming the check and the object, never a verdict; docs/CEL.md gives the time a unit
// takes. A cancelled or timed-out context stops an evaluation within a few microseconds of its
// work. A matches call whose pattern is not a literal (a pattern from params, say) compiles
// each distinct pattern once per check, not on every call.
func CEL(spec CELSpec) (Check, error) {
	c := &celCheck{
		meta:          spec.Meta,
		podTemplates:  spec.PodTemplates,
		costLimit:     cmpOr(spec.CostLimit, DefaultCELCostLimit),
		scanCostLimit: cmpOr(spec.ScanCostLimit, DefaultCELScanCostLimit),
	}
	c.meta.Kinds = slices.Clone(spec.Meta.Kinds)
	c.meta.Requires = slices.Clone(spec.Meta.Requires)
	c.meta.References = slices.Clone(spec.Meta.References)
	id := spec.Meta.ID
	var errs []error
	if strings.TrimSpace(spec.Expression) == "" {
		errs = append(errs, &CELError{CheckID: id, Field: "expression", Err: errEmptyExpression})
	}
	if spec.PodTemplates {
		for _, gk := range spec.Meta.Kinds {
			if !podTemplateOwner(gk) {
				errs = append(errs, &CELError{CheckID: id, Field: "kinds", Err: fmt.Errorf(
					"kind %s has no pod template; podTemplates checks apply to %s", gkString(gk), podTemplateOwnerNames())})
			}
		}
	}
	for _, l := range []struct {
		field    string
		val, max uint64
	}{{"costLimit", spec.CostLimit, MaxCELCostLimit}, {"scanCostLimit", spec.ScanCostLimit, MaxCELScanCostLimit}} {
		if l.val > l.max {
			errs = append(errs, &CELError{CheckID: id, Field: l.field, Err: fmt.Errorf("%d is above the maximum, %d", l.val, l.max)})
		}
	}
	params, err := celenv.NormalizeParams(spec.Params)
	if err != nil {
		errs = append(errs, &CELError{CheckID: id, Field: "params", Err: err})
	}
	c.params = params
	c.paramsVal = celenv.ParamsValue(params)
	// The expressions are compiled whatever the problems above, so that all are reported.
	env, err := celenv.ObjectEnv()
	if spec.PodTemplates {
		env, err = celenv.PodEnv()
	}
	if err != nil {
		return nil, err
	}
	opts := celenv.ProgramOptions()
	c.paramUse.keys = make(map[string]bool)
	c.literals = make(map[string]bool)
	compile := func(field, expr string, want *cel.Type) *celProgram {
		if len(expr) > MaxCELExpressionLength {
			errs = append(errs, &CELError{CheckID: id, Field: field, Err: fmt.Errorf(
				"%d bytes, more than an expression may have (%d)", len(expr), MaxCELExpressionLength)})
			return nil
		}
		p, err := compileCEL(env, id, field, expr, want, opts)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		c.paramUse.add(p.ast)
		addLiterals(c.literals, p.ast)
		return p
	}
	if strings.TrimSpace(spec.Expression) != "" {
		c.expr = compile("expression", spec.Expression, cel.BoolType)
	}
	if strings.TrimSpace(spec.Message) != "" {
		c.message = compile("message", spec.Message, cel.StringType)
	}
	if strings.TrimSpace(spec.Match) != "" {
		c.match = compile("match", spec.Match, cel.BoolType)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if c.meta.Depends == nil {
		c.meta.Depends = c.dependencies()
	}
	return c, nil
}

// dependencies derives what the results of c depend on from its expressions, for a check
// that declares nothing: the kinds it reports on and requires, Namespaces (namespaceObject),
// the kinds pod templates are drawn from (a podTemplates check), and every kind its inventory
// lookups name. The check is then re-run whole when an object of one of them changes, and
// only then. A check of every object (no kinds), and one that uses the inventory otherwise
// than in a lookup whose kind is a literal (a kind computed, the inventory bound to another
// name), can read any kind: nil, re-run on every change.
func (c *celCheck) dependencies() *Dependencies {
	if len(c.meta.Kinds) == 0 && !c.podTemplates {
		return nil
	}
	kinds := slices.Concat(c.meta.Kinds, c.meta.Requires, []schema.GroupKind{inventory.KindNamespace})
	if c.podTemplates {
		kinds = append(kinds, inventory.PodTemplateKinds()...)
	}
	for _, p := range []*celProgram{c.expr, c.message, c.match} {
		if p == nil {
			continue
		}
		root := celast.NavigateAST(p.ast.NativeRep())
		for _, id := range celast.MatchDescendants(root, celast.KindMatcher(celast.IdentKind)) {
			if id.AsIdent() != celenv.VarInventory {
				continue
			}
			gk, ok := lookupKind(id)
			if !ok {
				return nil
			}
			kinds = append(kinds, gk)
		}
	}
	slices.SortFunc(kinds, func(a, b schema.GroupKind) int { return strings.Compare(a.String(), b.String()) })
	return &Dependencies{Kinds: slices.Compact(kinds)}
}

// lookupKind returns the kind an inventory lookup reads when ident, the inventory variable, is
// the target of list or get with a literal kind; false for any other use of the variable.
func lookupKind(ident celast.NavigableExpr) (schema.GroupKind, bool) {
	parent, ok := ident.Parent()
	if !ok || parent.Kind() != celast.CallKind {
		return schema.GroupKind{}, false
	}
	call := parent.AsCall()
	if fn := call.FunctionName(); (fn != "list" && fn != "get") || !call.IsMemberFunction() ||
		call.Target().ID() != ident.ID() || len(call.Args()) == 0 || call.Args()[0].Kind() != celast.LiteralKind {
		return schema.GroupKind{}, false
	}
	lit, ok := call.Args()[0].AsLiteral().(types.String)
	if !ok {
		return schema.GroupKind{}, false
	}
	gk := inventory.ParseGroupKind(string(lit))
	return gk, gk.Kind != ""
}

// celProgram is one compiled expression of a check: its field ("expression", "message" or
// "match"), its program and its checked AST, which locates evaluation errors.
type celProgram struct {
	field string
	prg   cel.Program
	ast   *cel.Ast
}

// addLiterals adds the string literals of a to set.
func addLiterals(set map[string]bool, a *cel.Ast) {
	root := celast.NavigateAST(a.NativeRep())
	for _, e := range celast.MatchDescendants(root, celast.KindMatcher(celast.LiteralKind)) {
		if s, ok := e.AsLiteral().(types.String); ok {
			set[string(s)] = true
		}
	}
}

func cmpOr(v, def uint64) uint64 {
	if v == 0 {
		return def
	}
	return v
}

// compileCEL compiles and type-checks one expression and plans its program.
func compileCEL(env *cel.Env, id, field, expr string, want *cel.Type, opts []cel.ProgramOption) (*celProgram, error) {
	ast, iss := env.CompileSource(common.NewStringSource(expr, field))
	if iss.Err() != nil {
		ce := &CELError{CheckID: id, Field: field}
		msgs := make([]string, 0, len(iss.Errors()))
		for i, e := range iss.Errors() {
			if i == 0 && e.Location != nil && e.Location.Line() > 0 {
				ce.Line, ce.Column = e.Location.Line(), e.Location.Column()+1
			}
			msgs = append(msgs, strings.TrimSuffix(e.Message, " (in container '')"))
		}
		ce.Err = errors.New(strings.Join(msgs, "; "))
		return nil, ce
	}
	if got := ast.OutputType(); !got.IsExactType(want) {
		hint := ""
		if got.IsExactType(cel.DynType) {
			if want.IsExactType(cel.BoolType) {
				hint = " (the result is not known to be a bool: compare it, e.g. `x == true`)"
			} else {
				hint = " (the result is not known to be a string: convert it with string(x))"
			}
		}
		return nil, &CELError{CheckID: id, Field: field,
			Err: fmt.Errorf("%w: got %s, want %s%s", ErrCELType, got, want, hint)}
	}
	prg, err := env.Program(ast, opts...)
	if err != nil {
		return nil, &CELError{CheckID: id, Field: field, Err: err}
	}
	return &celProgram{field: field, prg: prg, ast: ast}, nil
}

// paramUse is what a check's expressions read of the params variable.
type paramUse struct {
	keys map[string]bool // keys read by name
	any  bool            // params read in a way that cannot be followed (whole, or by a computed key)
}

// add records what expression a reads of params: params.KEY, params.?KEY, has(params.KEY),
// params['KEY'], params[?'KEY'] and 'KEY' in params name a key; any other use of params reads
// an unknown set of keys.
func (u *paramUse) add(a *cel.Ast) {
	if a == nil {
		return
	}
	root := celast.NavigateAST(a.NativeRep())
	for _, id := range celast.MatchDescendants(root, celast.KindMatcher(celast.IdentKind)) {
		if id.AsIdent() != celenv.VarParams {
			continue
		}
		if key, ok := paramKey(id); ok {
			u.keys[key] = true
		} else {
			u.any = true
		}
	}
}

// paramKey returns the key read by the expression around ident, the params variable, when
// it is one of the forms paramUse.add names.
func paramKey(ident celast.NavigableExpr) (string, bool) {
	parent, ok := ident.Parent()
	if !ok {
		return "", false
	}
	literal := func(e celast.Expr) (string, bool) {
		if e.Kind() != celast.LiteralKind {
			return "", false
		}
		s, ok := e.AsLiteral().(types.String)
		return string(s), ok
	}
	switch parent.Kind() {
	case celast.SelectKind:
		return parent.AsSelect().FieldName(), true
	case celast.CallKind:
		call := parent.AsCall()
		args := call.Args()
		if len(args) != 2 {
			return "", false
		}
		switch call.FunctionName() {
		case "_?._", "_[_]", "_[?_]":
			if args[0].ID() == ident.ID() {
				return literal(args[1])
			}
		case "@in":
			if args[1].ID() == ident.ID() {
				return literal(args[0])
			}
		}
	}
	return "", false
}

// checkParams returns an error naming a caller's parameter that the check's expressions
// never read: a typo that would leave the check running with its defaults.
func (c *celCheck) checkParams(params map[string]any) error {
	if c.paramUse.any {
		return nil
	}
	var unknown []string
	for k := range params {
		if _, def := c.params[k]; !def && !c.paramUse.keys[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	known := make([]string, 0, len(c.paramUse.keys)+len(c.params))
	for k := range c.paramUse.keys {
		known = append(known, k)
	}
	for k := range c.params {
		if !c.paramUse.keys[k] {
			known = append(known, k)
		}
	}
	slices.Sort(known)
	list := "none"
	if len(known) > 0 {
		list = strings.Join(known, ", ")
	}
	return fmt.Errorf("check %s: unknown parameter %q (the check reads: %s)", c.meta.ID, unknown[0], list)
}

var podTemplateOwners = []schema.GroupKind{
	inventory.KindPod, inventory.KindReplicationController, inventory.KindDeployment,
	inventory.KindReplicaSet, inventory.KindStatefulSet, inventory.KindDaemonSet,
	inventory.KindJob, inventory.KindCronJob,
}

func podTemplateOwner(gk schema.GroupKind) bool { return slices.Contains(podTemplateOwners, gk) }

func podTemplateOwnerNames() string {
	names := make([]string, len(podTemplateOwners))
	for i, gk := range podTemplateOwners {
		names[i] = gk.Kind
	}
	return strings.Join(names, ", ")
}

func gkString(gk schema.GroupKind) string {
	if gk.Group == "" {
		return gk.Kind
	}
	return gk.Kind + "." + gk.Group
}

// celCheck is a compiled CEL check. It is immutable and safe for concurrent use.
type celCheck struct {
	meta          Meta
	podTemplates  bool
	params        map[string]any
	paramsVal     ref.Val // params as a CEL value, converted once
	paramUse      paramUse
	costLimit     uint64
	scanCostLimit uint64
	expr          *celProgram
	message       *celProgram
	match         *celProgram
	literals      map[string]bool // the string literals of the expressions
}

func (c *celCheck) Meta() Meta { return c.meta }

// Validate implements Validator. CEL compiles and type-checks every expression, and checks the
// kinds, when it builds the check, so Validate only confirms that it did.
func (c *celCheck) Validate() error {
	if c.expr == nil {
		return &CELError{CheckID: c.meta.ID, Field: "expression", Err: errors.New("not compiled (use check.CEL)")}
	}
	if c.podTemplates {
		for _, gk := range c.meta.Kinds {
			if !podTemplateOwner(gk) {
				return fmt.Errorf("kind %s has no pod template", gkString(gk))
			}
		}
	}
	return nil
}

func (c *celCheck) Run(ctx context.Context, pass *Pass) error {
	_, err := c.run(ctx, pass)
	return err
}

// run runs the check and returns the run's accounts.
func (c *celCheck) run(ctx context.Context, pass *Pass) (*celRun, error) {
	params := c.paramsVal
	if len(pass.Params) > 0 {
		if err := c.checkParams(pass.Params); err != nil {
			return nil, err
		}
		over, err := celenv.NormalizeParams(pass.Params)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", c.meta.ID, err)
		}
		params = celenv.ParamsValue(celenv.MergeParams(c.params, over))
	}
	r := &celRun{
		c:      c,
		pass:   pass,
		inv:    celenv.NewInventory(pass.Inventory),
		budget: c.scanCostLimit,
	}
	r.act = celenv.Activation{Params: params, Inventory: r.inv}
	inv := pass.Inventory
	reason := c.unseen(inv)
	if reason != "" {
		pass.Report(Finding{Status: StatusNotEvaluated, Message: NotSeenMessage(reason)})
	}
	candidates := 0
	if c.podTemplates {
		for _, t := range inv.PodTemplates() {
			if len(c.meta.Kinds) > 0 && !slices.Contains(c.meta.Kinds, t.Owner.GroupKind()) {
				continue
			}
			candidates++
			if err := ctx.Err(); err != nil {
				return r, fmt.Errorf("check %s: %w", c.meta.ID, err)
			}
			if err := r.template(ctx, t); err != nil {
				return r, err
			}
		}
	} else {
		each := func(objs []*inventory.Object) error {
			for _, o := range objs {
				candidates++
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("check %s: %w", c.meta.ID, err)
				}
				if err := r.object(ctx, o); err != nil {
					return err
				}
			}
			return nil
		}
		if len(c.meta.Kinds) == 0 {
			if err := each(inv.Objects()); err != nil {
				return r, err
			}
		}
		seen := make(map[schema.GroupKind]bool, len(c.meta.Kinds))
		for _, gk := range c.meta.Kinds {
			if seen[gk] {
				continue
			}
			seen[gk] = true
			if err := each(inv.ByKind(gk)); err != nil {
				return r, err
			}
		}
	}
	if candidates == 0 && reason == "" {
		// A check that matched nothing says so: a scan of nothing must not read as a clean one
		// (a misspelt kind in a check file ends here too).
		pass.NotApplicable(nil, "nothing to evaluate: the inventory has no "+c.describeKinds())
	}
	return r, nil
}

// describeKinds names the objects the check evaluates, for messages.
func (c *celCheck) describeKinds() string {
	kinds := make([]string, 0, len(c.meta.Kinds))
	for _, gk := range c.meta.Kinds {
		kinds = append(kinds, gk.String())
	}
	what := "objects"
	if c.podTemplates {
		what = "pod templates"
		if len(kinds) > 0 {
			return what + " of kind " + strings.Join(kinds, ", ")
		}
		return what
	}
	if len(kinds) > 0 {
		return "objects of kind " + strings.Join(kinds, ", ")
	}
	return what
}

// unseen says which of the kinds the check evaluates inv did not see completely, so that the
// results over the objects seen are not read as the whole picture; "" when it saw them all.
// For declared kinds (and the pod template owners of a PodTemplates check that declares none)
// it is the rule of every check, UnseenKinds. For a check of every object, the kinds that
// could not be listed (forbidden or failed) or that input which failed to load may have held
// (incomplete) are the gaps.
func (c *celCheck) unseen(inv *inventory.Inventory) string {
	kinds := c.meta.Kinds
	if len(kinds) == 0 && c.podTemplates {
		kinds = podTemplateOwners
	}
	if len(kinds) > 0 {
		return UnseenKinds(inv, kinds...)
	}
	var gaps []schema.GroupKind
	for _, cov := range inv.CoverageAll() {
		if cov.State == inventory.Forbidden || cov.State == inventory.Failed || cov.State == inventory.Incomplete {
			gaps = append(gaps, cov.GroupKind())
		}
	}
	if len(gaps) == 0 {
		return ""
	}
	return inv.Unseen(gaps...)
}

// celRun is one run of a CEL check: its pass, the reused activation and the cost spent.
type celRun struct {
	c      *celCheck
	pass   *Pass
	inv    *celenv.Inventory // the inventory variable, seen from no object in particular
	act    celenv.Activation
	spent  uint64
	budget uint64
	evals  int    // evaluations run
	most   uint64 // cost of the costliest evaluation
	tried  int    // objects evaluated
	over   int    // objects whose evaluation exceeded the per-evaluation limit

	nsName  string
	nsView  inventory.View
	nsMap   map[string]any
	nsErr   error
	nsValid bool
}

func (r *celRun) object(ctx context.Context, o *inventory.Object) error {
	m, err := o.Map()
	if err != nil {
		r.pass.Report(Finding{Status: StatusError, Object: o, Message: r.errMessage(o, err.Error())})
		return nil
	}
	ns, nsErr, err := r.namespaceOf(o)
	if err != nil {
		r.pass.Report(Finding{Status: StatusError, Object: o, Message: r.errMessage(o, err.Error())})
		return nil
	}
	r.act.Object, r.act.NamespaceObject, r.act.NamespaceErr = m, ns, nsErr
	r.act.Inventory = r.inv.From(o)
	return r.evaluate(ctx, o, "")
}

func (r *celRun) template(ctx context.Context, t inventory.PodTemplate) error {
	o := t.Owner
	m, err := o.Map()
	if err == nil {
		r.act.PodSpec, r.act.PodMetadata, err = celenv.PodTemplateMaps(t)
	}
	var (
		ns    map[string]any
		nsErr error
	)
	if err == nil {
		ns, nsErr, err = r.namespaceOf(o)
	}
	if err != nil {
		r.pass.Report(Finding{Status: StatusError, Object: o, Field: t.Path, Message: r.errMessage(o, err.Error())})
		return nil
	}
	r.act.Object, r.act.NamespaceObject, r.act.NamespaceErr = m, ns, nsErr
	r.act.Inventory = r.inv.From(o)
	return r.evaluate(ctx, o, t.Path)
}

// namespaceOf returns the map form of o's Namespace object, or, when that Namespace is unknown
// (celenv.NamespaceUnseen), the error namespaceObject stands for; err is a conversion failure.
// It remembers the last namespace and view: objects come ordered by namespace, so most
// lookups are repeats.
func (r *celRun) namespaceOf(o *inventory.Object) (ns map[string]any, unseen, err error) {
	name, view := o.Namespace(), r.pass.Inventory.From(o) // one view for all without variants
	if r.nsValid && name == r.nsName && view == r.nsView {
		return r.nsMap, r.nsErr, nil
	}
	m, err := celenv.NamespaceOf(r.pass.Inventory, o)
	if err != nil {
		return nil, nil, err
	}
	unseen = celenv.NamespaceUnseen(r.pass.Inventory, o)
	r.nsName, r.nsView, r.nsMap, r.nsErr, r.nsValid = name, view, m, unseen, true
	return m, unseen, nil
}

// evaluate reports the verdict on o from the activation. It returns an error only when ctx
// ends, which stops the run.
func (r *celRun) evaluate(ctx context.Context, o *inventory.Object, field string) error {
	c := r.c
	if r.spent >= r.budget {
		r.pass.Report(Finding{Status: StatusError, Object: o, Field: field, Message: r.budgetSpent(o)})
		return nil
	}
	if r.over >= celRunawayAfter && 2*r.over > r.tried {
		r.pass.Report(Finding{Status: StatusError, Object: o, Field: field, Message: fmt.Sprintf(
			"check %s: %s not evaluated: the check exceeded its cost limit (%d) on %d of the %d objects evaluated",
			c.meta.ID, o, c.costLimit, r.over, r.tried)})
		return nil
	}
	r.tried++
	if c.match != nil {
		ok, err := r.evalBool(ctx, c.match)
		if err != nil {
			return r.evalFailed(ctx, o, field, c.match, err)
		}
		if !ok {
			return nil
		}
	}
	ok, err := r.evalBool(ctx, c.expr)
	if err != nil {
		return r.evalFailed(ctx, o, field, c.expr, err)
	}
	if ok {
		r.pass.Report(Finding{Status: StatusPass, Object: o, Field: field})
		return nil
	}
	r.pass.Report(Finding{Status: StatusFail, Object: o, Field: field, Message: r.failMessage(ctx)})
	return nil
}

func (r *celRun) failMessage(ctx context.Context) string {
	msg := r.c.meta.Title
	if r.c.message == nil {
		return msg
	}
	v, err := r.eval(ctx, r.c.message)
	if err != nil {
		return fmt.Sprintf("%s (message expression failed: %s)", msg, r.describe(r.c.message, err))
	}
	if s, ok := v.Value().(string); ok && s != "" {
		return s // bounded by the pass, as every finding's message (MaxMessageLength)
	}
	return msg
}

func (r *celRun) evalBool(ctx context.Context, prg *celProgram) (bool, error) {
	v, err := r.eval(ctx, prg)
	if err != nil {
		return false, err
	}
	b, ok := v.(types.Bool)
	if !ok {
		return false, fmt.Errorf("result is %s, not bool", v.Type())
	}
	return bool(b), nil
}

// eval evaluates prg on the activation under the check's per-evaluation limit, or what is
// left of its scan budget when that is less, and charges the cost to the run. The meter
// polls ctx, so a cancelled run stops within microseconds of evaluation.
func (r *celRun) eval(ctx context.Context, p *celProgram) (ref.Val, error) {
	limit := min(r.c.costLimit, r.budget-min(r.spent, r.budget))
	r.act.Meter.Reset(limit, ctx.Done())
	v, _, err := p.prg.Eval(&r.act)
	cost := r.act.Meter.Cost()
	r.spent += cost
	r.evals++
	r.most = max(r.most, cost)
	if err != nil && limit < r.c.costLimit && isCostLimit(err) {
		err = errScanBudget
	}
	return v, err
}

// errScanBudget is the error of an evaluation stopped because the check's scan budget ran out.
var errScanBudget = errors.New("scan cost budget spent")

func isCostLimit(err error) bool {
	var cancelled interpreter.EvalCancelledError
	return errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded
}

func (r *celRun) budgetSpent(o *inventory.Object) string {
	return fmt.Sprintf("check %s: %s not evaluated: the check's scan cost budget (%d) is spent", r.c.meta.ID, o, r.budget)
}

// evalFailed turns an evaluation error of p into a finding, or returns ctx's error when the
// run was cancelled.
func (r *celRun) evalFailed(ctx context.Context, o *inventory.Object, field string, p *celProgram, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("check %s: %w", r.c.meta.ID, ctxErr)
	}
	var incomplete *celenv.IncompleteError
	switch {
	case errors.As(err, &incomplete):
		r.pass.Report(Finding{Status: StatusNotEvaluated, Object: o, Field: field, Message: r.incomplete(incomplete)})
		return nil
	case errors.Is(err, errScanBudget):
		r.pass.Report(Finding{Status: StatusError, Object: o, Field: field, Message: r.budgetSpent(o)})
		return nil
	case isCostLimit(err):
		r.over++
	}
	msg := r.describe(p, err)
	if p.field != "expression" || !isCostLimit(err) {
		msg = p.field + ": " + msg
	}
	r.pass.Report(Finding{Status: StatusError, Object: o, Field: field, Message: r.errMessage(o, msg)})
	return nil
}

// describe says what went wrong in an evaluation of p, without any value of the object
// (see celenv.DescribeError).
func (r *celRun) describe(p *celProgram, err error) string {
	var incomplete *celenv.IncompleteError
	switch {
	case isCostLimit(err):
		if errors.Is(err, errScanBudget) {
			return "the check's scan cost budget is spent"
		}
		return fmt.Sprintf("cost limit %d exceeded", r.c.costLimit)
	case errors.Is(err, errScanBudget):
		return "the check's scan cost budget is spent"
	case errors.As(err, &incomplete):
		return r.incomplete(incomplete)
	}
	var cancelled interpreter.EvalCancelledError
	if errors.As(err, &cancelled) {
		return "interrupted"
	}
	return celenv.DescribeError(p.ast, err)
}

// incomplete is the reason an inventory lookup could not be answered. It names the kind when
// the kind is built in or written in the check's expressions; a kind taken from the object
// evaluated is a value of the object, and is not repeated.
func (r *celRun) incomplete(e *celenv.IncompleteError) string {
	if _, builtin := inventory.LookupKind(e.Kind); builtin || e.Arg == "" || r.c.literals[e.Arg] {
		return e.Error()
	}
	return "cannot be evaluated: an inventory lookup names a kind, taken from the object, that the inventory does not hold completely"
}

func (r *celRun) errMessage(o *inventory.Object, msg string) string {
	return fmt.Sprintf("check %s: evaluating %s: %s", r.c.meta.ID, o, msg)
}
