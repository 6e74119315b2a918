package admission

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/util/version"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/apiserver/pkg/cel/library"
)

// compiled is a policy made ready to evaluate: its expressions compiled once, by the API
// server's own compiler, into the API server's own validator, with what kspm must know
// besides: which expressions read what has no meaning offline.
type compiled struct {
	// validator evaluates validations, messageExpressions and auditAnnotations; it has no
	// matchConditions (see matcher).
	validator validating.Validator
	// matcher evaluates the matchConditions that do not read what has no meaning offline;
	// nil when there are none.
	matcher matchconditions.Matcher
	// matchOffline is why the matchConditions left out of matcher cannot be evaluated ("" when
	// none were left out).
	matchOffline string
	// validationOffline[i] is why validation i cannot be evaluated, or "".
	validationOffline []string
	// auditOffline is why an auditAnnotation cannot be evaluated ("" when all can): an
	// auditAnnotation that fails to evaluate makes the API server reject the object.
	auditOffline string
	// usesNamespaceObject: some expression reads namespaceObject.
	usesNamespaceObject bool
	// usesDryRun: some expression reads request.dryRun or request.options (whose dryRun a
	// dry run sets).
	usesDryRun bool
}

// Why an expression cannot be evaluated offline.
const (
	offlineAuthorizer = "uses authorizer: whether the requesting user may do something has no meaning offline"
	offlineUserInfo   = "reads request.userInfo: the requesting user has no meaning offline"
	offlineRequest    = "reads the admission request as a whole, whose userInfo has no meaning offline"
)

// compilationEnv is the environment the API server compiles admission policies in: the base
// environment at the default compatibility version, with strict cost. Built once.
var compilationEnv = sync.OnceValue(func() *environment.EnvSet {
	return environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
})

// compile compiles p (defaulted and validated) as the API server does. A problem with an
// expression (one that does not compile, or has the wrong type) is returned, naming the
// expression: the API server refuses such a policy.
func compile(p *admissionregistrationv1.ValidatingAdmissionPolicy) (*compiled, error) {
	fc, err := plugincel.NewCompositedCompiler(compilationEnv())
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	spec := &p.Spec
	hasParams := spec.ParamKind != nil
	withAuthz := plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true}
	noAuthz := plugincel.OptionalVariableDeclarations{HasParams: hasParams}
	const mode = environment.StoredExpressions
	var errs []error
	check := func(field string, r plugincel.CompilationResult) {
		if r.Error != nil {
			errs = append(errs, fmt.Errorf("%s: %s", field, r.Error.Detail))
		}
	}

	an, err := newAnalyzer()
	if err != nil {
		return nil, err
	}
	for i, v := range spec.Variables {
		check(fmt.Sprintf("spec.variables[%d] (%s)", i, v.Name),
			fc.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, withAuthz, mode))
		an.variable(v.Name, v.Expression)
	}

	c := &compiled{validationOffline: make([]string, len(spec.Validations))}
	var (
		matchConds []plugincel.ExpressionAccessor
		offline    []string
	)
	for i := range spec.MatchConditions {
		mc := (*matchconditions.MatchCondition)(&spec.MatchConditions[i])
		check(fmt.Sprintf("spec.matchConditions[%d] (%s)", i, mc.Name), fc.CompileCELExpression(mc, withAuthz, mode))
		u := an.uses(mc.Expression)
		c.usesNamespaceObject = c.usesNamespaceObject || u.namespaceObject
		c.usesDryRun = c.usesDryRun || u.dryRun
		if u.offline != "" {
			offline = append(offline, fmt.Sprintf("matchConditions[%d] (%s) %s", i, mc.Name, u.offline))
			continue
		}
		matchConds = append(matchConds, mc)
	}
	c.matchOffline = strings.Join(offline, "; ")
	if len(matchConds) > 0 {
		c.matcher = matchconditions.NewMatcher(fc.CompileCondition(matchConds, withAuthz, mode),
			spec.FailurePolicy, "policy", "validate", p.Name)
	}

	validations := make([]plugincel.ExpressionAccessor, len(spec.Validations))
	messages := make([]plugincel.ExpressionAccessor, len(spec.Validations))
	for i, v := range spec.Validations {
		vc := &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		validations[i] = vc
		check(fmt.Sprintf("spec.validations[%d].expression", i), fc.CompileCELExpression(vc, withAuthz, mode))
		u := an.uses(v.Expression)
		c.usesNamespaceObject = c.usesNamespaceObject || u.namespaceObject
		c.usesDryRun = c.usesDryRun || u.dryRun
		if u.offline != "" {
			c.validationOffline[i] = fmt.Sprintf("validations[%d] %s", i, u.offline)
		}
		if v.MessageExpression == "" {
			continue
		}
		mc := &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		check(fmt.Sprintf("spec.validations[%d].messageExpression", i), fc.CompileCELExpression(mc, noAuthz, mode))
		mu := an.uses(v.MessageExpression)
		c.usesNamespaceObject = c.usesNamespaceObject || mu.namespaceObject
		c.usesDryRun = c.usesDryRun || mu.dryRun
		// A message the offline request cannot give is left out: the API server then uses
		// the validation's message, as for a messageExpression that fails.
		if mu.offline == "" {
			messages[i] = mc
		}
	}

	audits := make([]plugincel.ExpressionAccessor, len(spec.AuditAnnotations))
	offline = nil
	for i, a := range spec.AuditAnnotations {
		ac := &validating.AuditAnnotationCondition{Key: a.Key, ValueExpression: a.ValueExpression}
		check(fmt.Sprintf("spec.auditAnnotations[%d] (%s)", i, a.Key), fc.CompileCELExpression(ac, withAuthz, mode))
		u := an.uses(a.ValueExpression)
		c.usesNamespaceObject = c.usesNamespaceObject || u.namespaceObject
		c.usesDryRun = c.usesDryRun || u.dryRun
		if u.offline != "" {
			offline = append(offline, fmt.Sprintf("auditAnnotations[%d] (%s) %s", i, a.Key, u.offline))
			continue
		}
		audits[i] = ac
	}
	c.auditOffline = strings.Join(offline, "; ")
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.validator = validating.NewValidator(
		fc.CompileCondition(validations, withAuthz, mode),
		nil, // matchConditions are evaluated by c.matcher, so that kspm knows their verdict
		fc.CompileCondition(audits, withAuthz, mode),
		fc.CompileCondition(messages, noAuthz, mode),
		spec.FailurePolicy,
		nil,
	)
	return c, nil
}

// usage is what one expression reads that matters offline.
type usage struct {
	// offline says why the expression cannot be evaluated offline; "" when it can.
	offline string
	// namespaceObject: the expression reads namespaceObject.
	namespaceObject bool
	// dryRun: the expression reads request.dryRun or request.options.
	dryRun bool
}

// analyzer finds what expressions read, from their type-checked syntax trees: the
// declarations each identifier refers to, not the text. It follows the policy's variables,
// so that an expression reading variables.x where x uses authorizer is offline too.
type analyzer struct {
	env *cel.Env
	// vars holds the usage of each variable declared so far.
	vars map[string]usage
}

// analysisEnv declares the variables of an admission policy's expressions in the API server's
// environment. Every expression type-checks in it that the API server compiles (variables is
// a map of dyn here, params always declared): it is only read for references.
var analysisEnv = sync.OnceValues(func() (*cel.Env, error) {
	reqType, nsType := plugincel.BuildRequestType(), plugincel.BuildNamespaceType()
	set, err := compilationEnv().Extend(environment.VersionedOptions{
		IntroducedVersion: version.MajorMinor(1, 0),
		EnvOptions: []cel.EnvOption{
			cel.Variable(plugincel.ObjectVarName, cel.DynType),
			cel.Variable(plugincel.OldObjectVarName, cel.DynType),
			cel.Variable(plugincel.NamespaceVarName, nsType.CelType()),
			cel.Variable(plugincel.RequestVarName, reqType.CelType()),
			cel.Variable(plugincel.ParamsVarName, cel.DynType),
			cel.Variable(plugincel.AuthorizerVarName, library.AuthorizerType),
			cel.Variable(plugincel.RequestResourceAuthorizerVarName, library.ResourceCheckType),
			cel.Variable(plugincel.VariableVarName, cel.MapType(cel.StringType, cel.DynType)),
		},
		DeclTypes: []*apiservercel.DeclType{nsType, reqType},
	})
	if err != nil {
		return nil, fmt.Errorf("CEL analysis environment: %w", err)
	}
	return set.Env(environment.StoredExpressions)
})

func newAnalyzer() (*analyzer, error) {
	env, err := analysisEnv()
	if err != nil {
		return nil, err
	}
	return &analyzer{env: env, vars: make(map[string]usage)}, nil
}

// variable records the usage of the variable name.
func (a *analyzer) variable(name, expr string) { a.vars[name] = a.uses(expr) }

// uses returns what expr reads. An expression that does not compile reads nothing here: the
// API server's compiler reports it.
func (a *analyzer) uses(expr string) usage {
	ast, iss := a.env.Compile(expr)
	if iss.Err() != nil {
		return usage{}
	}
	native := ast.NativeRep()
	w := walker{refs: native.ReferenceMap(), vars: a.vars}
	w.walk(native.Expr(), nil, nil)
	return w.u
}

// walker collects the usage of one expression.
type walker struct {
	refs map[int64]*celast.ReferenceInfo
	vars map[string]usage
	u    usage
}

// note records a reason the expression cannot be evaluated offline (the first one kept).
func (w *walker) note(why string) {
	if w.u.offline == "" {
		w.u.offline = why
	}
}

// walk visits e, whose parent is parent, where locals are the names comprehensions bind.
func (w *walker) walk(e, parent celast.Expr, locals []string) {
	if e == nil {
		return
	}
	switch e.Kind() {
	case celast.IdentKind:
		name := e.AsIdent()
		if slices.Contains(locals, name) {
			return
		}
		if r, ok := w.refs[e.ID()]; ok && r.Name != "" {
			name = r.Name
		}
		w.ident(name, e, parent)
	case celast.SelectKind:
		s := e.AsSelect()
		if r, ok := w.refs[e.ID()]; ok && r.Name != "" {
			// A qualified name resolved as a whole, e.g. authorizer.requestResource.
			w.ident(r.Name, e, parent)
			return
		}
		w.walk(s.Operand(), e, locals)
	case celast.CallKind:
		c := e.AsCall()
		w.walk(c.Target(), e, locals)
		for _, arg := range c.Args() {
			w.walk(arg, e, locals)
		}
	case celast.ListKind:
		for _, el := range e.AsList().Elements() {
			w.walk(el, e, locals)
		}
	case celast.MapKind:
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			w.walk(me.Key(), e, locals)
			w.walk(me.Value(), e, locals)
		}
	case celast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			w.walk(f.AsStructField().Value(), e, locals)
		}
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		w.walk(c.IterRange(), e, locals)
		w.walk(c.AccuInit(), e, locals)
		inner := append(slices.Clip(locals), c.IterVar(), c.AccuVar())
		if c.HasIterVar2() {
			inner = append(inner, c.IterVar2())
		}
		w.walk(c.LoopCondition(), e, inner)
		w.walk(c.LoopStep(), e, inner)
		w.walk(c.Result(), e, inner)
	}
}

// ident records a reference to the declaration name by e, whose parent is parent.
func (w *walker) ident(name string, e, parent celast.Expr) {
	field := ""
	if parent != nil && parent.Kind() == celast.SelectKind && parent.AsSelect().Operand() == e {
		field = parent.AsSelect().FieldName()
	}
	switch name {
	case plugincel.AuthorizerVarName, plugincel.RequestResourceAuthorizerVarName:
		w.note(offlineAuthorizer)
	case plugincel.RequestVarName:
		switch field {
		case "":
			w.note(offlineRequest)
		case "userInfo":
			w.note(offlineUserInfo)
		case "dryRun", "options":
			w.u.dryRun = true
		}
	case plugincel.NamespaceVarName:
		w.u.namespaceObject = true
	case plugincel.VariableVarName:
		if field == "" { // every variable, through the map
			for _, v := range w.vars {
				w.merge(v)
			}
			return
		}
		w.merge(w.vars[field])
	}
}

// merge adds the usage of a variable the expression reads.
func (w *walker) merge(v usage) {
	if v.offline != "" {
		w.note("reads a variable that " + v.offline)
	}
	w.u.namespaceObject = w.u.namespaceObject || v.namespaceObject
	w.u.dryRun = w.u.dryRun || v.dryRun
}
