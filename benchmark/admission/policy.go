package admission

import (
	"errors"
	"fmt"
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The API server defaults a policy and a binding when it stores them, and refuses those that
// do not validate. Manifests are neither defaulted nor validated: kspm does both here, for
// the fields whose defaults decide a verdict and the rules whose breach would leave a
// policy unenforced.

// defaultPolicy returns a copy of p with the API server's defaults set: failurePolicy Fail,
// and in matchConstraints matchPolicy Equivalent, empty (match-all) selectors and rules of
// scope "*".
func defaultPolicy(p *admissionregistrationv1.ValidatingAdmissionPolicy) *admissionregistrationv1.ValidatingAdmissionPolicy {
	p = p.DeepCopy()
	if p.Spec.FailurePolicy == nil {
		f := admissionregistrationv1.Fail
		p.Spec.FailurePolicy = &f
	}
	defaultMatchResources(p.Spec.MatchConstraints)
	return p
}

// defaultBinding returns a copy of b with the API server's defaults set in matchResources.
func defaultBinding(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
	b = b.DeepCopy()
	defaultMatchResources(b.Spec.MatchResources)
	return b
}

func defaultMatchResources(m *admissionregistrationv1.MatchResources) {
	if m == nil {
		return
	}
	if m.MatchPolicy == nil {
		e := admissionregistrationv1.Equivalent
		m.MatchPolicy = &e
	}
	if m.NamespaceSelector == nil {
		m.NamespaceSelector = &metav1.LabelSelector{}
	}
	if m.ObjectSelector == nil {
		m.ObjectSelector = &metav1.LabelSelector{}
	}
	for _, rules := range [][]admissionregistrationv1.NamedRuleWithOperations{m.ResourceRules, m.ExcludeResourceRules} {
		for i := range rules {
			if rules[i].Scope == nil {
				s := admissionregistrationv1.AllScopes
				rules[i].Scope = &s
			}
		}
	}
}

// validatePolicy returns what makes the API server refuse p (defaulted), or nil. Expressions
// are checked when the policy is compiled.
func validatePolicy(p *admissionregistrationv1.ValidatingAdmissionPolicy) error {
	var errs []error
	spec := &p.Spec
	if p.Name == "" {
		errs = append(errs, errors.New("metadata.name: required"))
	}
	switch *spec.FailurePolicy {
	case admissionregistrationv1.Fail, admissionregistrationv1.Ignore:
	default:
		errs = append(errs, fmt.Errorf("spec.failurePolicy: %q not supported (want Fail or Ignore)", *spec.FailurePolicy))
	}
	if pk := spec.ParamKind; pk != nil {
		if gv, err := schema.ParseGroupVersion(pk.APIVersion); err != nil || gv.Version == "" {
			errs = append(errs, fmt.Errorf("spec.paramKind.apiVersion: %q is not GROUP/VERSION", pk.APIVersion))
		}
		if pk.Kind == "" {
			errs = append(errs, errors.New("spec.paramKind.kind: required"))
		}
	}
	if spec.MatchConstraints == nil {
		errs = append(errs, errors.New("spec.matchConstraints: required"))
	} else {
		if len(spec.MatchConstraints.ResourceRules) == 0 {
			errs = append(errs, errors.New("spec.matchConstraints.resourceRules: required"))
		}
		errs = append(errs, validateMatchResources("spec.matchConstraints", spec.MatchConstraints)...)
	}
	if len(spec.Validations) == 0 && len(spec.AuditAnnotations) == 0 {
		errs = append(errs, errors.New("spec.validations, spec.auditAnnotations: at least one validation or auditAnnotation is required"))
	}
	for i, v := range spec.Validations {
		if v.Expression == "" {
			errs = append(errs, fmt.Errorf("spec.validations[%d].expression: required", i))
		}
	}
	seen := map[string]bool{}
	for i, mc := range spec.MatchConditions {
		if mc.Name == "" {
			errs = append(errs, fmt.Errorf("spec.matchConditions[%d].name: required", i))
		} else if seen[mc.Name] {
			errs = append(errs, fmt.Errorf("spec.matchConditions[%d].name: %q declared twice", i, mc.Name))
		}
		seen[mc.Name] = true
	}
	for i, v := range spec.Variables {
		if v.Name == "" {
			errs = append(errs, fmt.Errorf("spec.variables[%d].name: required", i))
		}
	}
	return errors.Join(errs...)
}

// validateBinding returns what makes the API server refuse b (defaulted), or nil.
func validateBinding(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) error {
	var errs []error
	spec := &b.Spec
	if b.Name == "" {
		errs = append(errs, errors.New("metadata.name: required"))
	}
	if spec.PolicyName == "" {
		errs = append(errs, errors.New("spec.policyName: required"))
	}
	if pr := spec.ParamRef; pr != nil {
		switch {
		case pr.Name != "" && pr.Selector != nil:
			errs = append(errs, errors.New("spec.paramRef: name and selector are mutually exclusive"))
		case pr.Name == "" && pr.Selector == nil:
			errs = append(errs, errors.New("spec.paramRef: one of name or selector must be specified"))
		}
		if pr.Selector != nil {
			if _, err := metav1.LabelSelectorAsSelector(pr.Selector); err != nil {
				errs = append(errs, fmt.Errorf("spec.paramRef.selector: %w", err))
			}
		}
		if a := pr.ParameterNotFoundAction; a == nil || (*a != admissionregistrationv1.DenyAction && *a != admissionregistrationv1.AllowAction) {
			errs = append(errs, errors.New("spec.paramRef.parameterNotFoundAction: required, Deny or Allow"))
		}
	}
	if spec.MatchResources != nil {
		errs = append(errs, validateMatchResources("spec.matchResources", spec.MatchResources)...)
	}
	actions := spec.ValidationActions
	if len(actions) == 0 {
		errs = append(errs, errors.New("spec.validationActions: at least one validation action is required"))
	}
	for i, a := range actions {
		switch a {
		case admissionregistrationv1.Deny, admissionregistrationv1.Warn, admissionregistrationv1.Audit:
		default:
			errs = append(errs, fmt.Errorf("spec.validationActions[%d]: %q not supported (want Deny, Warn or Audit)", i, a))
		}
		if slices.Index(actions, a) < i {
			errs = append(errs, fmt.Errorf("spec.validationActions[%d]: %q given twice", i, a))
		}
	}
	if slices.Contains(actions, admissionregistrationv1.Deny) && slices.Contains(actions, admissionregistrationv1.Warn) {
		errs = append(errs, errors.New("spec.validationActions: must not contain both Deny and Warn"))
	}
	return errors.Join(errs...)
}

func validateMatchResources(path string, m *admissionregistrationv1.MatchResources) []error {
	var errs []error
	switch *m.MatchPolicy {
	case admissionregistrationv1.Exact, admissionregistrationv1.Equivalent:
	default:
		errs = append(errs, fmt.Errorf("%s.matchPolicy: %q not supported (want Exact or Equivalent)", path, *m.MatchPolicy))
	}
	if _, err := metav1.LabelSelectorAsSelector(m.NamespaceSelector); err != nil {
		errs = append(errs, fmt.Errorf("%s.namespaceSelector: %w", path, err))
	}
	if _, err := metav1.LabelSelectorAsSelector(m.ObjectSelector); err != nil {
		errs = append(errs, fmt.Errorf("%s.objectSelector: %w", path, err))
	}
	for _, rules := range []struct {
		name  string
		rules []admissionregistrationv1.NamedRuleWithOperations
	}{{"resourceRules", m.ResourceRules}, {"excludeResourceRules", m.ExcludeResourceRules}} {
		for i, r := range rules.rules {
			at := fmt.Sprintf("%s.%s[%d]", path, rules.name, i)
			if len(r.APIGroups) == 0 {
				errs = append(errs, fmt.Errorf("%s.apiGroups: required", at))
			}
			if len(r.APIVersions) == 0 {
				errs = append(errs, fmt.Errorf("%s.apiVersions: required", at))
			}
			if len(r.Operations) == 0 {
				errs = append(errs, fmt.Errorf("%s.operations: required", at))
			}
			if len(r.Resources) == 0 {
				errs = append(errs, fmt.Errorf("%s.resources: required", at))
			}
			switch *r.Scope {
			case admissionregistrationv1.AllScopes, admissionregistrationv1.ClusterScope, admissionregistrationv1.NamespacedScope:
			default:
				errs = append(errs, fmt.Errorf("%s.scope: %q not supported", at, *r.Scope))
			}
		}
	}
	return errs
}
