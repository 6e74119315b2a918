package admission

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// run is one run of a policy's check over one inventory. It is used by one goroutine.
type run struct {
	c    *policyCheck
	pass *check.Pass
	inv  *inventory.Inventory
	res  *resources
	// bindings caches the bindings of the policy as each view sees them.
	bindings map[inventory.View][]*bindingDef
	// bindingDefs caches each binding defaulted and validated; reported marks those whose
	// problem was reported.
	bindingDefs map[*inventory.Object]*bindingDef
	params      map[paramKey]*paramInformer
	// overBudget counts the evaluations of the policy that ran out of the API server's CEL
	// cost budget in this run (see maxOverBudget).
	overBudget int
}

// maxOverBudget is how many evaluations of one policy may run out of the CEL cost budget in
// one run before kspm stops evaluating the policy: the API server spends that budget once per
// request, a scan once per object, so a policy that exhausts it (up to a second each) would
// hold a scan of thousands of objects for an hour.
const maxOverBudget = 3

// costMarkers are what the API server's CEL evaluation (k8s.io/apiserver/pkg/admission/plugin/cel)
// says when an expression exceeds its per-call cost limit or the request's budget.
var costMarkers = []string{"cost limit exceeded", "running out of cost budget"}

// exhausted reports whether an evaluation message says the cost budget ran out.
func exhausted(msg string) bool {
	return slices.ContainsFunc(costMarkers, func(m string) bool { return strings.Contains(msg, m) })
}

// bindingDef is one binding, ready to use.
type bindingDef struct {
	obj     *inventory.Object
	binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// problem is why the API server would refuse the binding (nil when it would not).
	problem   error
	admission *check.Admission
}

type paramKey struct {
	view inventory.View
	gk   schema.GroupKind
}

func newRun(_ context.Context, c *policyCheck, pass *check.Pass) *run {
	return &run{
		c: c, pass: pass, inv: pass.Inventory, res: newResources(pass.Inventory),
		bindings:    make(map[inventory.View][]*bindingDef),
		bindingDefs: make(map[*inventory.Object]*bindingDef),
		params:      make(map[paramKey]*paramInformer),
	}
}

func (r *run) report(f check.Finding) { r.pass.Report(f) }

// objectOf returns the object a result about o is about.
func (r *run) objectOf(o *inventory.Object) *inventory.Object { return o }

// bindingsFor returns the bindings of the policy that judge o, ordered by name: the
// inventory's, as o sees them, and those given beside it (which replace the inventory's of
// the same name). A binding the API server would refuse is reported, once, and left out.
func (r *run) bindingsFor(o *inventory.Object) []*bindingDef {
	view := r.inv.From(o)
	if bs, ok := r.bindings[view]; ok {
		return bs
	}
	var objs []*inventory.Object
	for _, b := range view.ByKind(inventory.KindValidatingAdmissionPolicyBinding) {
		if _, replaced := r.c.bindings.extra[b.Name()]; !replaced {
			objs = append(objs, b)
		}
	}
	for _, b := range r.c.bindings.extra {
		objs = append(objs, b)
	}
	var out []*bindingDef
	for _, b := range objs {
		vb, ok := b.Object().(*admissionregistrationv1.ValidatingAdmissionPolicyBinding)
		if !ok || vb.Spec.PolicyName != r.c.name {
			continue
		}
		d, seen := r.bindingDefs[b]
		if !seen {
			d = &bindingDef{obj: b, binding: defaultBinding(vb)}
			d.problem = validateBinding(d.binding)
			d.admission = &check.Admission{Binding: b.Name()}
			for _, a := range d.binding.Spec.ValidationActions {
				d.admission.ValidationActions = append(d.admission.ValidationActions, string(a))
			}
			r.bindingDefs[b] = d
			if d.problem != nil {
				r.report(check.Finding{Status: check.StatusError, Object: b, Admission: d.admission, Err: d.problem,
					Message: fmt.Sprintf("the API server would refuse the binding%s: %v", sourceNote(b, r.inv), d.problem)})
			}
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *bindingDef) int { return strings.Compare(a.obj.Name(), b.obj.Name()) })
	r.bindings[view] = out
	return out
}

// outcome is the verdict of one policy, through one binding, on one object.
type outcome struct {
	status  check.Status
	message string
	// skip: the policy does not judge the object (its matchConditions are not met).
	skip bool
}

func notEvaluated(format string, args ...any) outcome {
	return outcome{status: check.StatusNotEvaluated, message: fmt.Sprintf(format, args...)}
}

// failed is the outcome of a problem the failurePolicy decides, with the policy's or the
// binding's configuration (a param missing, a selector that does not parse) or an
// auditAnnotation: the API server rejects the object under Fail, whatever the binding's
// validationActions, and admits it unjudged under Ignore.
func (d *policyDef) failed(msg string) outcome {
	if *d.policy.Spec.FailurePolicy == admissionregistrationv1.Ignore {
		return notEvaluated("%s (failurePolicy Ignore: the API server admits the object without the policy's verdict)", msg)
	}
	return outcome{status: check.StatusError, message: msg + " (failurePolicy Fail: the API server rejects the object)"}
}

// evalFailed is the outcome of an expression that failed to evaluate (a matchCondition or a
// validation): under Fail the API server takes it for a failure of the policy, which the
// binding's validationActions then act on; under Ignore it admits the object unjudged.
func (d *policyDef) evalFailed(msg string) outcome {
	if *d.policy.Spec.FailurePolicy == admissionregistrationv1.Ignore {
		return notEvaluated("%s (failurePolicy Ignore: the API server admits the object without the policy's verdict)", msg)
	}
	return outcome{status: check.StatusError, message: msg +
		" (failurePolicy Fail: the API server takes it for a failure of the policy, which the binding's validationActions act on)"}
}

// errNamespaceNotSeen is what the namespace lister answers for a Namespace the inventory
// does not hold: not a NotFound, so that the matcher does not ask an API server instead.
var errNamespaceNotSeen = errors.New("namespace not in the inventory")

// namespaces lists the Namespaces of the inventory as one object sees them, for the
// matcher's namespaceSelector. It records the Namespace it was asked for and lacked.
type namespaces struct {
	view    inventory.View
	missing string
}

func (n *namespaces) List(sel labels.Selector) ([]*corev1.Namespace, error) {
	var out []*corev1.Namespace
	for _, o := range n.view.ByKind(inventory.KindNamespace) {
		if ns, ok := o.Object().(*corev1.Namespace); ok && sel.Matches(labels.Set(ns.Labels)) {
			out = append(out, ns)
		}
	}
	return out, nil
}

func (n *namespaces) Get(name string) (*corev1.Namespace, error) {
	if o := n.view.Get(inventory.KindNamespace, "", name); o != nil {
		if ns, ok := o.Object().(*corev1.Namespace); ok {
			return ns, nil
		}
	}
	n.missing = name
	return nil, errNamespaceNotSeen
}

// namespaceReason says why the Namespace name is not known.
func (r *run) namespaceReason(name string) string {
	if reason := r.inv.Unseen(inventory.KindNamespace); reason != "" && r.inv.Gap(inventory.KindNamespace) {
		return fmt.Sprintf("the policy reads the object's Namespace %s, which was not seen: %s", name, reason)
	}
	return fmt.Sprintf("the policy reads the object's Namespace %s, which is not in the input", name)
}

// policyResources are the resources of admissionregistration.k8s.io that the API server
// excludes from every policy it reads from the API (so that a policy cannot lock itself in).
var policyResources = []string{"validatingadmissionpolicies", "validatingadmissionpolicybindings",
	"mutatingadmissionpolicies", "mutatingadmissionpolicybindings"}

// judge applies the policy (definition d) to o through each of its bindings bs, and
// reports a result per binding that matches o.
func (r *run) judge(ctx context.Context, o *inventory.Object, d *policyDef, bs []*bindingDef) {
	gvk := o.GroupVersionKind()
	info := r.res.resource(gvk)
	if gvk.Group == admissionregistrationv1.GroupName && slices.Contains(policyResources, info.gvr.Resource) {
		return // the API server never applies policies to policies
	}
	if !info.guessed && !mayMatch(d.policy, info) {
		return // no rule names the resource: the matcher would say no, at the cost of the object's conversion
	}
	m, err := o.Map()
	if err != nil {
		r.reportAll(o, bs, outcome{status: check.StatusError, message: err.Error()})
		return
	}
	obj := &unstructured.Unstructured{Object: m}
	namespace := o.Namespace()
	if o.GroupKind() == inventory.KindNamespace {
		namespace = o.Name() // as the API server's admission attributes of a Namespace have it
	}
	attrs := admission.NewAttributesRecord(obj, nil, gvk, namespace, o.Name(), info.gvr, "", admission.Create,
		&metav1.CreateOptions{TypeMeta: metav1.TypeMeta{Kind: "CreateOptions", APIVersion: "meta.k8s.io/v1"},
			DryRun: []string{metav1.DryRunAll}}, true, &user.DefaultInfo{})
	ifaces := objectInterfaces{info: info, kind: gvk}
	nsl := &namespaces{view: r.inv.From(o)}
	matcher := generic.NewPolicyMatcher(matching.NewMatcher(nsl, nil))

	matches, gvr, matchKind, err := matcher.DefinitionMatches(attrs, ifaces, validating.NewValidatingAdmissionPolicyAccessor(d.policy))
	if info.guessed {
		// Would another resource name change the answer? Then the guess decides it.
		other := admission.NewAttributesRecord(obj, nil, gvk, namespace, o.Name(),
			gvk.GroupVersion().WithResource(""), "", admission.Create, nil, true, &user.DefaultInfo{})
		m2, _, _, err2 := matcher.DefinitionMatches(other, objectInterfaces{kind: gvk}, validating.NewValidatingAdmissionPolicyAccessor(d.policy))
		if m2 != matches || (err == nil) != (err2 == nil) ||
			(!matches && err == nil && namesOtherResource(d.policy.Spec.MatchConstraints.ResourceRules, gvk.Group, info.gvr.Resource)) {
			r.reportAll(o, bs, notEvaluated("whether the policy's resourceRules match the object depends on the resource "+
				"name of kind %s, which is not known (no CustomResourceDefinition for it in the input; guessed %q)", gvk.Kind, info.gvr.Resource))
			return
		}
	}
	switch {
	case err != nil && nsl.missing != "":
		r.reportAll(o, bs, notEvaluated("%s", r.namespaceReason(nsl.missing)))
		return
	case err != nil:
		r.reportAll(o, bs, d.failed("failed to configure policy: "+err.Error()))
		return
	case !matches:
		return
	case matchKind != gvk:
		r.reportAll(o, bs, notEvaluated("the policy matches the object as %s (matchPolicy Equivalent), to which the API server "+
			"would convert it; kspm does not convert objects between API versions", matchKind))
		return
	}
	// A paramKind the API server cannot resolve is a configuration error of the policy for
	// every object it matches, through every binding, with or without paramRef.
	switch problem, certain := r.paramKindProblem(d.policy.Spec.ParamKind); {
	case problem != "" && certain:
		r.reportAll(o, bs, d.failed("failed to configure policy: "+problem))
		return
	case problem != "":
		r.reportAll(o, bs, notEvaluated("%s", problem))
		return
	}
	for _, b := range bs {
		if b.problem != nil {
			continue
		}
		nsl.missing = ""
		ok, err := matcher.BindingMatches(attrs, ifaces, validating.NewValidatingAdmissionPolicyBindingAccessor(b.binding))
		var out outcome
		switch {
		case err != nil && nsl.missing != "":
			out = notEvaluated("%s", r.namespaceReason(nsl.missing))
		case err != nil:
			out = d.failed("failed to configure binding: " + err.Error())
		case !ok && info.guessed && b.binding.Spec.MatchResources != nil &&
			namesOtherResource(b.binding.Spec.MatchResources.ResourceRules, gvk.Group, info.gvr.Resource):
			out = notEvaluated("whether the binding's resourceRules match the object depends on the resource name of kind %s, "+
				"which is not known (no CustomResourceDefinition for it in the input; guessed %q)", gvk.Kind, info.gvr.Resource)
		case !ok:
			continue
		default:
			out = r.evaluate(ctx, o, d, b, attrs, ifaces, gvr)
			if d.c.usesDryRun {
				// kspm's request is a dry run, a real create is not: a verdict that differs
				// between them (a policy that waves dry runs through) is not the create's.
				real := admission.NewAttributesRecord(obj, nil, gvk, namespace, o.Name(), info.gvr, "", admission.Create,
					&metav1.CreateOptions{TypeMeta: metav1.TypeMeta{Kind: "CreateOptions", APIVersion: "meta.k8s.io/v1"}},
					false, &user.DefaultInfo{})
				if alt := r.evaluate(ctx, o, d, b, real, ifaces, gvr); alt.skip != out.skip || alt.status != out.status {
					out = notEvaluated("the verdict depends on request.dryRun, which kspm sets (its request is a dry run): " +
						"a real create would be judged otherwise")
				}
			}
		}
		if !out.skip {
			r.reportOne(o, b, out)
		}
	}
}

func (r *run) reportAll(o *inventory.Object, bs []*bindingDef, out outcome) {
	for _, b := range bs {
		if b.problem == nil {
			r.reportOne(o, b, out)
		}
	}
}

func (r *run) reportOne(o *inventory.Object, b *bindingDef, out outcome) {
	r.report(check.Finding{Status: out.status, Object: o, Message: out.message, Admission: b.admission})
}

// evaluate applies the policy to o through binding b, which matches it.
func (r *run) evaluate(ctx context.Context, o *inventory.Object, d *policyDef, b *bindingDef,
	attrs admission.Attributes, ifaces objectInterfaces, gvr schema.GroupVersionResource) outcome {
	var ns *corev1.Namespace
	if name := o.Namespace(); name != "" && o.GroupKind() != inventory.KindNamespace {
		if nso := r.inv.From(o).Get(inventory.KindNamespace, "", name); nso != nil {
			ns, _ = nso.Object().(*corev1.Namespace)
		}
		if ns == nil && d.c.usesNamespaceObject {
			return notEvaluated("%s", r.namespaceReason(name))
		}
	}
	params, unsure, early := r.paramsFor(o, d, b, attrs.GetNamespace())
	if early != nil {
		return *early
	}
	va, err := admission.NewVersionedAttributes(attrs, attrs.GetKind(), ifaces)
	if err != nil {
		return outcome{status: check.StatusError, message: err.Error()}
	}
	var outs []outcome
	for _, p := range params {
		if r.overBudget >= maxOverBudget {
			outs = append(outs, notEvaluated("not evaluated: the policy ran out of the CEL cost budget on %d objects already "+
				"in this scan (the API server fails such a request under failurePolicy Fail); kspm evaluates it no further", r.overBudget))
			continue
		}
		outs = append(outs, r.evaluateOne(ctx, d, va, gvr, p, ns))
	}
	out := combine(outs)
	if out.status == check.StatusPass && unsure != "" {
		return notEvaluated("%s", unsure)
	}
	return out
}

// combine makes one outcome of the outcomes for each param, as the API server would: a
// rejection by any rejects.
func combine(outs []outcome) outcome {
	for _, want := range []check.Status{check.StatusFail, check.StatusError, check.StatusNotEvaluated, check.StatusPass} {
		for _, o := range outs {
			if !o.skip && o.status == want {
				return o
			}
		}
	}
	return outcome{skip: true}
}

// evaluateOne evaluates the policy's expressions for one param (nil for none).
func (r *run) evaluateOne(ctx context.Context, d *policyDef, va *admission.VersionedAttributes,
	gvr schema.GroupVersionResource, param runtime.Object, ns *corev1.Namespace) outcome {
	c := d.c
	if c.matcher != nil {
		mr := c.matcher.Match(ctx, va, param, nil)
		if mr.Error != nil && exhausted(mr.Error.Error()) {
			r.overBudget++
		}
		switch {
		case mr.Error != nil && c.matchOffline != "":
			return notEvaluated("%s", c.matchOffline)
		case mr.Error != nil:
			return d.evalFailed("matchConditions: " + mr.Error.Error())
		case !mr.Matches:
			return outcome{skip: true}
		}
	}
	if c.matchOffline != "" {
		return notEvaluated("%s", c.matchOffline)
	}
	res := c.validator.Validate(ctx, gvr, va, param, ns, celconfig.RuntimeCELCostBudget, nil)
	if err := ctx.Err(); err != nil {
		return outcome{status: check.StatusError, message: err.Error()}
	}
	if slices.ContainsFunc(res.Decisions, func(dec validating.PolicyDecision) bool {
		return dec.Evaluation == validating.EvalError && exhausted(dec.Message)
	}) || slices.ContainsFunc(res.AuditAnnotations, func(a validating.PolicyAuditAnnotation) bool {
		return a.Error != "" && exhausted(a.Error)
	}) {
		r.overBudget++
	}
	if len(res.Decisions) != len(d.policy.Spec.Validations) { // one decision for the whole policy: an error
		if len(res.Decisions) == 1 && res.Decisions[0].Evaluation == validating.EvalError {
			return d.evalFailed(res.Decisions[0].Message)
		}
		return outcome{status: check.StatusError, message: "unexpected validation result"}
	}
	var denied, failed, auditFailed, offline []string
	for i, dec := range res.Decisions {
		switch {
		case c.validationOffline[i] != "":
			offline = append(offline, c.validationOffline[i])
		case dec.Evaluation == validating.EvalDeny:
			denied = append(denied, dec.Message)
		case dec.Evaluation == validating.EvalError:
			failed = append(failed, fmt.Sprintf("validations[%d]: %s", i, dec.Message))
		}
	}
	for _, a := range res.AuditAnnotations {
		if a.Action == validating.AuditAnnotationActionError {
			auditFailed = append(auditFailed, fmt.Sprintf("auditAnnotation %s: %s", a.Key, a.Error))
		}
	}
	if c.auditOffline != "" {
		offline = append(offline, c.auditOffline)
	}
	switch {
	case len(denied) > 0: // every failed validation, as the API server warns of each
		return outcome{status: check.StatusFail, message: strings.Join(denied, "; ")}
	case len(auditFailed) > 0:
		return d.failed(strings.Join(auditFailed, "; "))
	case len(failed) > 0:
		return d.evalFailed(strings.Join(failed, "; "))
	case len(offline) > 0:
		return notEvaluated("%s", strings.Join(offline, "; "))
	}
	return outcome{status: check.StatusPass, message: "the policy admits the object"}
}

// mayMatch reports whether a resourceRule of p names the resource of info (or one of its
// equivalents) for a create: when none does, the policy does not match the object.
func mayMatch(p *admissionregistrationv1.ValidatingAdmissionPolicy, info resourceInfo) bool {
	for _, r := range p.Spec.MatchConstraints.ResourceRules {
		if ruleNames(r, info.gvr.Group, info.gvr.Resource) {
			return true
		}
		for gvr := range info.equivalents {
			if ruleNames(r, gvr.Group, gvr.Resource) {
				return true
			}
		}
	}
	return false
}

// namesOtherResource reports whether a rule for creates in group (named, not "*") names a
// resource other than guess: the resource of an object whose kind has no known resource
// (guess is a guess from the kind) may be that one, an irregular plural.
func namesOtherResource(rules []admissionregistrationv1.NamedRuleWithOperations, group, guess string) bool {
	for _, r := range rules {
		if !slices.Contains(r.APIGroups, group) || !slices.ContainsFunc(r.Operations, func(op admissionregistrationv1.OperationType) bool {
			return op == admissionregistrationv1.Create || op == admissionregistrationv1.OperationAll
		}) {
			continue
		}
		for _, rr := range r.Resources {
			if name, sub, _ := strings.Cut(rr, "/"); name != "*" && name != guess && (sub == "" || sub == "*") {
				return true
			}
		}
	}
	return false
}
