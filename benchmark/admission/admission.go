package admission

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// PoliciesName is the name of the benchmark Policies builds, as the scanner's -b takes it.
const PoliciesName = "admission-policies"

// IDPrefix starts the ID of every check of the benchmark: "vap:" and the policy's name.
const IDPrefix = "vap:"

// UnseenID is the ID of the check the benchmark holds when the inventory could not see every
// ValidatingAdmissionPolicy (a cluster that forbids listing them): its one result is
// notEvaluated and names what was not seen. No policy can have this name.
const UnseenID = IDPrefix + "*"

// SeverityAnnotation on a ValidatingAdmissionPolicy sets the severity of its check (critical,
// high, medium, low or info); without it the severity is medium.
const SeverityAnnotation = "kspm.dev/severity"

// Option configures Policies.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	extra            []*inventory.Object
	withoutInventory bool
}

// WithObjects adds ValidatingAdmissionPolicies and ValidatingAdmissionPolicyBindings that are
// not in the inventory (a file of new policies, see LoadFile): a policy replaces the
// inventory's policy of the same name, a binding the inventory's binding of the same name.
// Objects of other kinds are an error of Policies.
func WithObjects(objs ...*inventory.Object) Option {
	return optionFunc(func(c *config) { c.extra = append(c.extra, objs...) })
}

// WithoutInventoryPolicies leaves out the policies of the inventory: only those of
// WithObjects are checked. The inventory's bindings and params still serve them.
func WithoutInventoryPolicies() Option {
	return optionFunc(func(c *config) { c.withoutInventory = true })
}

// Policies returns the benchmark that applies the ValidatingAdmissionPolicies of inv (and of
// WithObjects) to the objects of inv: one check per policy, "vap:" and its name, in the order
// of the names. Its checks are meant to run over inv: each evaluates the objects, bindings,
// params and Namespaces of the inventory it is run on, and the policies read here.
//
// The benchmark holds no check when there is no policy, unless inv could not see them all
// (then it holds one, UnseenID); kspm.Scan refuses a benchmark without checks, so leave it
// out then. Policies returns an error only for an object of WithObjects that is neither a
// ValidatingAdmissionPolicy nor a ValidatingAdmissionPolicyBinding, or two such policies (or
// bindings) of one name.
func Policies(inv *inventory.Inventory, opts ...Option) (benchmark.Benchmark, error) {
	cfg := &config{}
	for _, o := range opts {
		o.apply(cfg)
	}
	b := benchmark.Benchmark{
		Name:  PoliciesName,
		Title: "ValidatingAdmissionPolicies applied to what already runs",
		Description: "Each ValidatingAdmissionPolicy of the inventory (or given beside it) judges every object of " +
			"the inventory as the API server would judge its creation, through each of its bindings.",
	}
	extraPolicies := map[string]*inventory.Object{}
	extraBindings := map[string]*inventory.Object{}
	var errs []error
	for _, o := range cfg.extra {
		var into map[string]*inventory.Object
		switch o.GroupKind() {
		case inventory.KindValidatingAdmissionPolicy:
			into = extraPolicies
		case inventory.KindValidatingAdmissionPolicyBinding:
			into = extraBindings
		default:
			errs = append(errs, fmt.Errorf("%s%s: not a ValidatingAdmissionPolicy or ValidatingAdmissionPolicyBinding", at(o), o))
			continue
		}
		if prev, ok := into[o.Name()]; ok {
			errs = append(errs, fmt.Errorf("%s%s: defined twice (also %s)", at(o), o, prev.Source()))
			continue
		}
		into[o.Name()] = o
	}
	if len(errs) > 0 {
		return b, errors.Join(errs...)
	}

	bindings := &bindingSet{extra: extraBindings}
	defs := map[string][]*inventory.Object{}
	if !cfg.withoutInventory {
		for _, o := range inv.ByKind(inventory.KindValidatingAdmissionPolicy) {
			defs[o.Name()] = append(defs[o.Name()], o)
		}
	}
	for name, o := range extraPolicies {
		defs[name] = []*inventory.Object{o}
	}
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		_, extra := extraPolicies[name]
		b.Checks = append(b.Checks, newPolicyCheck(name, defs[name], extra, bindings))
	}
	if !cfg.withoutInventory && inv.Gap(inventory.KindValidatingAdmissionPolicy) {
		b.Checks = append([]check.Check{unseenCheck()}, b.Checks...)
	}
	return b, nil
}

// at returns "FILE:LINE: " for an object read from a file, else "".
func at(o *inventory.Object) string {
	if s := o.Source().String(); s != "" {
		return s + ": "
	}
	return ""
}

// unseenCheck is the check that says the policies could not all be seen.
func unseenCheck() check.Check {
	return check.New(check.Meta{
		ID:       UnseenID,
		Title:    "ValidatingAdmissionPolicies that could not be listed",
		Severity: check.Medium,
		Description: "The inventory could not see every ValidatingAdmissionPolicy: what the policies it " +
			"lacks would reject is not known.",
		Remediation: "Give the scan permission to list validatingadmissionpolicies and " +
			"validatingadmissionpolicybindings (admissionregistration.k8s.io).",
		Kinds: []schema.GroupKind{inventory.KindValidatingAdmissionPolicy},
	}, func(_ context.Context, pass *check.Pass) error {
		if reason := pass.Inventory.Unseen(inventory.KindValidatingAdmissionPolicy); reason != "" {
			pass.NotEvaluated(nil, check.NotSeenMessage(reason))
		}
		return nil
	})
}

// bindingSet holds the bindings given beside the inventory.
type bindingSet struct {
	extra map[string]*inventory.Object
}

// policyCheck is the check of one policy.
type policyCheck struct {
	meta check.Meta
	name string
	// defs are the definitions of the policy: one given beside the inventory, or the
	// inventory's (several when the input defines it in several places).
	defs     []*inventory.Object
	extra    bool
	bindings *bindingSet
	// unlisted names the resources the policy matches that are not built-in kinds of the
	// inventory, which a cluster's inventory does not list (e.g. "horizontalpodautoscalers.autoscaling", "*.apps").
	unlisted []string

	// prepared holds each definition defaulted, validated and compiled, once.
	prepared sync.Map // *inventory.Object → *policyDef
}

// policyDef is one definition of a policy, ready to evaluate.
type policyDef struct {
	obj    *inventory.Object
	policy *admissionregistrationv1.ValidatingAdmissionPolicy
	// problem is why the API server would refuse the policy (nil when it would not).
	problem error
	c       *compiled
}

func newPolicyCheck(name string, defs []*inventory.Object, extra bool, bindings *bindingSet) *policyCheck {
	c := &policyCheck{name: name, defs: defs, extra: extra, bindings: bindings}
	var sev check.Severity // the highest a definition sets
	var kinds []schema.GroupKind
	for _, o := range defs {
		if s, err := check.ParseSeverity(o.Meta().GetAnnotations()[SeverityAnnotation]); err == nil && s.Rank() > sev.Rank() {
			sev = s
		}
		if d := c.prepare(o); d.problem == nil {
			kinds = append(kinds, matchedKinds(d.policy)...)
			for _, u := range unlistedResources(d.policy) {
				if !slices.Contains(c.unlisted, u) {
					c.unlisted = append(c.unlisted, u)
				}
			}
		}
	}
	kinds = append(kinds, inventory.KindValidatingAdmissionPolicyBinding)
	slices.SortFunc(kinds, func(a, b schema.GroupKind) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind))
	})
	c.meta = check.Meta{
		ID:       IDPrefix + name,
		Title:    "ValidatingAdmissionPolicy " + name,
		Severity: cmp.Or(sev, check.Medium),
		Description: "Applies the ValidatingAdmissionPolicy " + name + " to every object, as the API server " +
			"would when the object is created: a result per object and binding that the policy matches, " +
			"fail with the policy's message when it would reject the object.",
		Remediation: "Change the object so that the policy admits it (the message says what it rejects), or, " +
			"when the policy should not judge it, exclude it through the policy's matchConstraints or the " +
			"binding's matchResources.",
		Section: "ValidatingAdmissionPolicy",
		Kinds:   slices.Compact(kinds),
	}
	return c
}

// matchedKinds returns the built-in kinds whose creation the rules of p may match.
func matchedKinds(p *admissionregistrationv1.ValidatingAdmissionPolicy) []schema.GroupKind {
	var out []schema.GroupKind
	for _, k := range inventory.BuiltinKinds() {
		for _, r := range p.Spec.MatchConstraints.ResourceRules {
			if ruleNames(r, k.Group, k.Resource) {
				out = append(out, k.GroupKind())
				break
			}
		}
	}
	return out
}

// ruleNames reports whether r may match creating objects of group and resource.
func ruleNames(r admissionregistrationv1.NamedRuleWithOperations, group, resource string) bool {
	anyOf := func(items []string, want string) bool {
		return slices.Contains(items, "*") || slices.Contains(items, want)
	}
	ops := false
	for _, op := range r.Operations {
		ops = ops || op == admissionregistrationv1.OperationAll || op == admissionregistrationv1.Create
	}
	res := false
	for _, rr := range r.Resources {
		name, sub, _ := strings.Cut(rr, "/")
		res = res || ((name == "*" || name == resource) && (sub == "" || sub == "*"))
	}
	return ops && res && anyOf(r.APIGroups, group)
}

// prepare returns the definition o defaulted, validated and compiled; once per definition.
func (c *policyCheck) prepare(o *inventory.Object) *policyDef {
	if d, ok := c.prepared.Load(o); ok {
		return d.(*policyDef)
	}
	d := &policyDef{obj: o}
	p, ok := o.Object().(*admissionregistrationv1.ValidatingAdmissionPolicy)
	if !ok {
		d.problem = fmt.Errorf("%s is not a ValidatingAdmissionPolicy", o)
	} else {
		d.policy = defaultPolicy(p)
		d.problem = validatePolicy(d.policy)
		if d.problem == nil {
			d.c, d.problem = compile(d.policy)
		}
	}
	actual, _ := c.prepared.LoadOrStore(o, d)
	return actual.(*policyDef)
}

// Meta implements check.Check.
func (c *policyCheck) Meta() check.Meta { return c.meta }

// Run implements check.Check: it judges every object of the inventory.
func (c *policyCheck) Run(ctx context.Context, pass *check.Pass) error {
	r := newRun(ctx, c, pass)
	// A definition the API server would refuse is reported once, and judges nothing.
	for _, o := range c.defs {
		if d := c.prepare(o); d.problem != nil {
			r.report(check.Finding{Status: check.StatusError, Object: r.objectOf(o),
				Message: fmt.Sprintf("the API server would refuse the policy%s: %v", sourceNote(o, r.inv), d.problem),
				Err:     d.problem})
		}
	}
	bound := false
	for _, o := range r.inv.Objects() {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := c.prepare(c.definitionFor(r.inv, o))
		if d.problem != nil {
			continue
		}
		bs := r.bindingsFor(o)
		bound = bound || len(bs) > 0
		if len(bs) > 0 {
			r.judge(ctx, o, d, bs)
		}
	}
	if !bound {
		for _, o := range c.defs {
			if c.prepare(o).problem == nil {
				r.report(check.Finding{Status: check.StatusNotApplicable, Object: r.objectOf(o),
					Message: "no ValidatingAdmissionPolicyBinding binds the policy: the API server does not enforce it"})
			}
		}
	}
	r.reportUnlisted()
	return nil
}

// sourceNote names where a policy given beside the inventory was read from.
func sourceNote(o *inventory.Object, inv *inventory.Inventory) string {
	if inv.Get(o.GroupKind(), o.Namespace(), o.Name()) == o {
		return ""
	}
	if s := o.Source().String(); s != "" {
		return " (" + s + ")"
	}
	return ""
}

// definitionFor returns the definition of the policy that judges o: the one given beside the
// inventory, or the inventory's nearest o.
func (c *policyCheck) definitionFor(inv *inventory.Inventory, o *inventory.Object) *inventory.Object {
	if c.extra || len(c.defs) == 1 {
		return c.defs[0]
	}
	if d := inv.From(o).Get(inventory.KindValidatingAdmissionPolicy, "", c.name); d != nil && slices.Contains(c.defs, d) {
		return d
	}
	return c.defs[len(c.defs)-1]
}

// unlistedResources returns the resources p's rules match on a create that are not among the
// inventory's built-in kinds: "resource.group", with "*" for any.
func unlistedResources(p *admissionregistrationv1.ValidatingAdmissionPolicy) []string {
	var out []string
	for _, r := range p.Spec.MatchConstraints.ResourceRules {
		if !slices.ContainsFunc(r.Operations, func(op admissionregistrationv1.OperationType) bool {
			return op == admissionregistrationv1.Create || op == admissionregistrationv1.OperationAll
		}) {
			continue
		}
		for _, g := range r.APIGroups {
			for _, rr := range r.Resources {
				name, sub, _ := strings.Cut(rr, "/")
				if sub != "" && sub != "*" {
					continue // a subresource: objects are not created through it
				}
				if name != "*" && slices.ContainsFunc(inventory.BuiltinKinds(), func(k inventory.KindInfo) bool {
					return k.Resource == name && (g == "*" || k.Group == g)
				}) {
					continue
				}
				u := name
				if g != "" {
					u += "." + g
				}
				if !slices.Contains(out, u) {
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// reportUnlisted says, for an inventory listed from a cluster, which resources the policy
// matches that were not listed: their objects were not judged. It gives the coverage of
// Meta.Kinds too (the runner does not add its own when a check reports such a result).
func (r *run) reportUnlisted() {
	if r.inv.Mode() != inventory.ModeCluster || len(r.c.unlisted) == 0 {
		return
	}
	msg := fmt.Sprintf("the policy also matches resources kspm does not list from a cluster (%s): their objects were not judged",
		strings.Join(r.c.unlisted, ", "))
	if reason := check.UnseenKinds(r.inv, r.c.meta.Kinds...); reason != "" {
		msg = check.NotSeenMessage(reason) + "; " + msg
	}
	r.report(check.Finding{Status: check.StatusNotEvaluated, Message: msg})
}
