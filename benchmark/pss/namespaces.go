package pss

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/pod-security-admission/api"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// IDs of the namespace controls.
const (
	NamespaceEnforceLabelID    = IDPrefix + "namespace-enforce-label"
	NamespaceViolationsID      = IDPrefix + "namespace-violations"
	NamespaceAuditViolationsID = IDPrefix + "namespace-audit-violations"
	NamespaceWarnViolationsID  = IDPrefix + "namespace-warn-violations"
)

const (
	namespaceSection = "Pod Security admission: namespaces"
	workloadsRemedy  = "Fix the workload's pod template so it meets the namespace's level (the " +
		"message lists each failing check; the pss-baseline and pss-restricted benchmarks " +
		"describe them), or, if the workload truly needs more, move it to a namespace with a " +
		"more permissive level. Do not relax a namespace to make one workload fit."
	auditWarnRemedy = " Audit and warn levels are usually set one step above enforce to prepare " +
		"tightening it; workloads failing them will be rejected once enforce is raised."
)

// Namespaces returns the "pss-namespaces" benchmark: how the Pod Security admission controller
// treats the inventory's namespaces as labelled. It holds pss:namespace-enforce-label (a
// namespace that enforces nothing) and pss:namespace-violations,
// pss:namespace-audit-violations and pss:namespace-warn-violations (workloads that violate their
// namespace's enforce, audit and warn policy at the version its labels set).
//
// The options that apply are WithExemptNamespaces, WithAdmissionDefaults and
// WithAdmissionExemptions; WithVersion does not (each namespace's labels choose its version).
func Namespaces(opts ...Option) (benchmark.Benchmark, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return benchmark.Benchmark{}, err
	}
	return benchmark.Benchmark{
		Name:  NamespacesName,
		Title: "Pod Security admission: namespace enforcement",
		Description: "Whether each namespace enforces a Pod Security level, and which workloads " +
			"violate the enforce, audit and warn policy their namespace's " +
			"pod-security.kubernetes.io labels set, judged with the admission controller's own " +
			"label parsing and checks.",
		Checks: []check.Check{
			enforceLabelCheck(cfg),
			violationsCheck(cfg, modeEnforce),
			violationsCheck(cfg, modeAudit),
			violationsCheck(cfg, modeWarn),
		},
	}, nil
}

func enforceLabelCheck(cfg *config) check.Check {
	exempt := sortedKeys(cfg.exemptNS)
	desc := "Passes when the namespace's pod-security.kubernetes.io/enforce label sets baseline " +
		"or restricted (or, with no label, when the cluster's admission defaults enforce one). " +
		"Fails when nothing is enforced: no label and a privileged default, the label set to " +
		"privileged, or a label value admission cannot parse."
	if len(exempt) > 0 {
		desc += " Skipped namespaces: " + strings.Join(exempt, ", ") + "."
	}
	meta := check.Meta{
		ID:          NamespaceEnforceLabelID,
		Title:       "Namespaces must enforce a Pod Security level",
		Description: desc,
		Severity:    check.Medium,
		Remediation: "Label the namespace with the strictest level its workloads meet, e.g. " +
			"`kubectl label namespace NS pod-security.kubernetes.io/enforce=baseline " +
			"pod-security.kubernetes.io/enforce-version=v1.30` (use the pss-what-if mode first to " +
			"see what would be rejected), and set audit and warn one level higher to prepare the " +
			"next step.",
		References: []string{docLabels, docAdmission},
		Section:    namespaceSection,
		Kinds:      []schema.GroupKind{inventory.KindNamespace},
		Requires:   []schema.GroupKind{inventory.KindNamespace},
		Depends:    namespaceDeps,
	}
	return check.New(meta, func(ctx context.Context, pass *check.Pass) error {
		for _, o := range pass.Objects(inventory.KindNamespace) {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := o.Name()
			if cfg.exemptNS[name] {
				pass.NotApplicable(o, fmt.Sprintf("namespace %q is skipped by configuration (system namespace)", name))
				continue
			}
			status, fieldPath, msg := judgeEnforceLabel(o.Meta().GetLabels(), name, cfg.admission)
			pass.Report(check.Finding{Status: status, Object: o, Field: fieldPath, Message: msg})
		}
		return nil
	})
}

func judgeEnforceLabel(labels map[string]string, name string, adm admissionConfig) (check.Status, string, string) {
	if adm.exemptNS[name] {
		return check.StatusFail, "", fmt.Sprintf("namespace %q is exempt from Pod Security admission "+
			"in the cluster's AdmissionConfiguration: no level is enforced whatever its labels say", name)
	}
	pol, errs := api.PolicyToEvaluate(labels, adm.defaults)
	for _, label := range []string{api.EnforceLevelLabel, api.EnforceVersionLabel} {
		if e := labelError(errs, label); e != nil {
			return check.StatusFail, labelField(label), fmt.Sprintf("label %s=%q is invalid (%s); "+
				"admission falls back to enforcing %q and rejects label changes that keep it invalid",
				label, labels[label], e.Detail, pol.Enforce.String())
		}
	}
	level, hasLevel := labels[api.EnforceLevelLabel]
	switch {
	case hasLevel && pol.Enforce.Level == api.LevelPrivileged:
		return check.StatusFail, labelField(api.EnforceLevelLabel),
			fmt.Sprintf("label %s=%s: any pod is admitted", api.EnforceLevelLabel, level)
	case !hasLevel && pol.Enforce.Level == api.LevelPrivileged:
		return check.StatusFail, "metadata.labels", fmt.Sprintf("no %s label and the cluster default "+
			"enforces %q: any pod is admitted", api.EnforceLevelLabel, pol.Enforce.String())
	case !hasLevel:
		return check.StatusPass, "", fmt.Sprintf("no %s label; the cluster default %q is enforced",
			api.EnforceLevelLabel, pol.Enforce.String())
	}
	return check.StatusPass, "", fmt.Sprintf("enforces %q", pol.Enforce.String())
}

func labelError(errs field.ErrorList, label string) *field.Error {
	want := labelField(label)
	for _, e := range errs {
		if e.Field == want {
			return e
		}
	}
	return nil
}

func labelField(label string) string { return "metadata.labels[" + label + "]" }

// mode is one of the three ways admission applies a namespace's policy.
type mode struct {
	name        string // enforce, audit, warn
	id          string
	title       string
	severity    check.Severity
	pick        func(api.Policy) api.LevelVersion
	consequence string // what a violation means
}

var (
	modeEnforce = mode{
		name: "enforce", id: NamespaceViolationsID, severity: check.High,
		title:       "Workloads must meet their namespace's enforced Pod Security level",
		pick:        func(p api.Policy) api.LevelVersion { return p.Enforce },
		consequence: "admission would reject its pods",
	}
	modeAudit = mode{
		name: "audit", id: NamespaceAuditViolationsID, severity: check.Medium,
		title:       "Workloads should meet their namespace's audited Pod Security level",
		pick:        func(p api.Policy) api.LevelVersion { return p.Audit },
		consequence: "admission records an audit violation for it",
	}
	modeWarn = mode{
		name: "warn", id: NamespaceWarnViolationsID, severity: check.Low,
		title:       "Workloads should meet their namespace's warned Pod Security level",
		pick:        func(p api.Policy) api.LevelVersion { return p.Warn },
		consequence: "admission returns a warning for it",
	}
)

func violationsCheck(cfg *config, m mode) check.Check {
	desc := fmt.Sprintf("Evaluates every pod and workload pod template against the %s policy of "+
		"its namespace, as the Pod Security admission controller resolves it from the "+
		"pod-security.kubernetes.io/%s and %s-version labels (invalid values handled as admission "+
		"does) and the cluster defaults. Fails when %s.", m.name, m.name, m.name, m.consequence)
	if m.name == "enforce" {
		desc += " Running pods were admitted before the label was set or tightened; their next " +
			"rollout or restart is rejected."
	}
	desc += fmt.Sprintf(" The %s-version label set to latest, or not set, is evaluated as policy %s.",
		m.name, rules().effective(api.LatestVersion(), cfg.cluster))
	remedy := workloadsRemedy
	if m.name != "enforce" {
		remedy += auditWarnRemedy
	}
	meta := check.Meta{
		ID:          m.id,
		Title:       m.title,
		Description: desc,
		Severity:    m.severity,
		Remediation: remedy,
		References:  []string{docAdmission, docLabels, docStandards},
		Section:     namespaceSection,
		Kinds:       workloadKinds,
		Depends:     namespacedTemplateDeps,
	}
	return check.New(meta, func(ctx context.Context, pass *check.Pass) error {
		inv := pass.Inventory
		if reason := blindSpots(inv); reason != "" {
			pass.NotEvaluated(nil, "some workloads could not be read, so they were not evaluated: "+reason)
		}
		policies := newNamespacePolicies(inv, cfg.admission)
		for i, t := range pass.PodTemplates() {
			if i%512 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			np := policies.get(inv.From(t.Owner), t.Namespace())
			if np.skip != nil {
				pass.Report(check.Finding{Status: np.skip.status, Object: t.Owner, Message: np.skip.reason})
				continue
			}
			if rc := t.Spec.RuntimeClassName; rc != nil && cfg.admission.exemptRuntimes[*rc] {
				pass.NotApplicable(t.Owner, fmt.Sprintf("runtime class %q is exempt from Pod Security admission", *rc))
				continue
			}
			lv := m.pick(np.policy)
			if lv.Level == api.LevelPrivileged {
				pass.NotApplicable(t.Owner, fmt.Sprintf("namespace %q %ss %q: nothing to violate%s",
					t.Namespace(), m.name, lv.String(), np.note))
				continue
			}
			meta, spec := podInput(t.Metadata, t.Spec)
			vs := evaluateAll(rules().rulesFor(lv, cfg.cluster), meta, spec, t.Path)
			if len(vs) == 0 {
				pass.Report(check.Finding{Status: check.StatusPass, Object: t.Owner, Field: t.Path,
					Message: fmt.Sprintf("meets the %s policy %q of namespace %q%s", m.name, lv.String(), t.Namespace(), np.note)})
				continue
			}
			pass.Fail(t.Owner, vs[0].field, fmt.Sprintf("violates PodSecurity %q (%s policy of namespace %q), so %s: %s%s",
				lv.String(), m.name, t.Namespace(), subject(m, t.Owner), aggregate(vs), np.note))
		}
		return nil
	})
}

// subject says what a violation means for the owner of a pod template.
func subject(m mode, owner *inventory.Object) string {
	if m.name != "enforce" {
		return m.consequence
	}
	if owner.GroupKind() == inventory.KindPod {
		return "admission would reject this pod if it were created again"
	}
	return fmt.Sprintf("admission would reject the pods this %s creates", owner.Kind())
}

// namespacePolicy is the Pod Security policy of one namespace, or why it cannot be told.
type namespacePolicy struct {
	policy api.Policy
	note   string // about invalid labels, appended to messages
	skip   *skipReason
}

type skipReason struct {
	status check.Status
	reason string
}

// namespacePolicies resolves and caches namespace policies for one run.
type namespacePolicies struct {
	inv   *inventory.Inventory
	adm   admissionConfig
	cache map[viewNS]namespacePolicy
}

// viewNS is a namespace as seen through a view: of a Namespace defined in several places, the
// definition nearest the view's object.
type viewNS struct {
	view inventory.View
	ns   string
}

func newNamespacePolicies(inv *inventory.Inventory, adm admissionConfig) *namespacePolicies {
	return &namespacePolicies{inv: inv, adm: adm, cache: map[viewNS]namespacePolicy{}}
}

// get returns the policy of namespace ns for a workload that view sees from: of a Namespace
// the input defines in several places, the labels of the definition nearest it.
func (p *namespacePolicies) get(view inventory.View, ns string) namespacePolicy {
	k := viewNS{view, ns}
	if np, ok := p.cache[k]; ok {
		return np
	}
	np := p.resolve(view, ns)
	p.cache[k] = np
	return np
}

func (p *namespacePolicies) resolve(view inventory.View, ns string) namespacePolicy {
	if ns == "" {
		return namespacePolicy{skip: &skipReason{check.StatusNotEvaluated,
			"the object sets no namespace, so which namespace's policy applies is unknown"}}
	}
	if p.adm.exemptNS[ns] {
		return namespacePolicy{skip: &skipReason{check.StatusNotApplicable,
			fmt.Sprintf("namespace %q is exempt from Pod Security admission", ns)}}
	}
	o := view.Get(inventory.KindNamespace, "", ns)
	if o == nil {
		reason := fmt.Sprintf("namespace %q is not in the inventory, so its Pod Security labels are unknown", ns)
		if unseen := p.inv.Unseen(inventory.KindNamespace); unseen != "" {
			reason += " (" + unseen + ")"
		}
		return namespacePolicy{skip: &skipReason{check.StatusNotEvaluated, reason}}
	}
	labels := o.Meta().GetLabels()
	pol, errs := api.PolicyToEvaluate(labels, p.adm.defaults)
	np := namespacePolicy{policy: pol}
	if len(errs) > 0 {
		var parts []string
		for _, e := range errs {
			parts = append(parts, fmt.Sprintf("%s: %s", e.Field, e.Detail))
		}
		np.note = " [invalid labels, read as admission reads them: " + strings.Join(parts, "; ") + "]"
	}
	return np
}
