package pss

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"k8s.io/pod-security-admission/api"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/printable"
	"github.com/kspm-dev/kspm/inventory"
)

// WhatIfID is the ID of the control WhatIfBenchmark returns.
const WhatIfID = IDPrefix + "what-if"

// WhatIfResult is the readiness of namespaces for enforcing one Pod Security level and
// version: which workloads admission would reject, and why.
type WhatIfResult struct {
	// Policy is the level and version asked about, e.g. "restricted:v1.30" or
	// "restricted:latest".
	Policy string `json:"policy"`
	// EvaluatedAs is the policy version actually evaluated, e.g. "restricted:v1.37" for latest.
	EvaluatedAs string `json:"evaluatedAs"`
	// Namespaces are the namespaces asked about (or all), ordered by name.
	Namespaces []NamespaceReadiness `json:"namespaces"`
	// Incomplete says why workloads may be missing from the assessment (kinds forbidden,
	// failed or incompletely loaded), or is empty when every workload kind was seen
	// completely. A namespace that looks ready may then not be.
	Incomplete string `json:"incomplete,omitempty"`
}

// NamespaceReadiness is one namespace's readiness for the policy of a WhatIfResult.
type NamespaceReadiness struct {
	// Namespace is the namespace's name; "" gathers objects that set no namespace (manifests).
	Namespace string `json:"namespace"`
	// Current is the enforce policy the namespace's labels set today, e.g. "baseline:latest";
	// empty when the Namespace object is not in the inventory. Readiness is summed up per
	// namespace name: of a Namespace manifests define in several places, Current is read from
	// the last definition in inventory order (inventory.Inventory.Get).
	Current string `json:"current,omitempty"`
	// Exempt is set when the cluster's admission configuration exempts the namespace
	// (WithAdmissionExemptions): nothing in it is checked.
	Exempt bool `json:"exempt,omitempty"`
	// Workloads is the number of pods and workload pod templates evaluated.
	Workloads int `json:"workloads"`
	// Rejected are the workloads admission would reject, ordered by kind and name.
	Rejected []Rejection `json:"rejected,omitempty"`
	// Skipped are the workloads admission would not check (exempt runtime class).
	Skipped []inventory.Ref `json:"skipped,omitempty"`
}

// Ready reports whether the namespace could enforce the policy without rejecting any workload.
func (n NamespaceReadiness) Ready() bool { return len(n.Rejected) == 0 }

// Rejection is one workload admission would reject, with every check it fails.
type Rejection struct {
	// Object is the pod or the workload that owns the pod template.
	Object inventory.Ref `json:"object"`
	// Field is the path of the pod spec in Object, e.g. "spec.template.spec".
	Field string `json:"field"`
	// Message is the admission controller's denial detail, "reason (detail), ...".
	Message string `json:"message"`
	// Violations are the failing checks, in the order admission runs them.
	Violations []Violation `json:"violations"`
}

// Violation is one failing Pod Security check.
type Violation struct {
	// CheckID is the control's ID, e.g. "pss:runAsNonRoot".
	CheckID string `json:"checkID"`
	// Reason is the upstream check's forbidden reason, e.g. "privileged".
	Reason string `json:"reason"`
	// Detail is the upstream check's forbidden detail, e.g. `container "app" must not set
	// securityContext.privileged=true`.
	Detail string `json:"detail,omitempty"`
	// Field is the field path the failure concerns, as precise as could be told.
	Field string `json:"field,omitempty"`
}

// Rejected returns the number of workloads rejected over all namespaces.
func (r *WhatIfResult) Rejected() int {
	n := 0
	for _, ns := range r.Namespaces {
		n += len(ns.Rejected)
	}
	return n
}

// WhatIf tells, for each namespace in namespaces (every namespace of the inventory when
// empty: those with a Namespace object or a workload), which of its pods and workload pod
// templates the Pod Security admission controller would reject if the namespace enforced
// level ("privileged", "baseline" or "restricted") at version ("latest" or "v1.N"; "" means
// latest). WithAdmissionExemptions and WithAdmissionDefaults apply; the namespaces' current
// labels are reported, not used.
func WhatIf(ctx context.Context, inv *inventory.Inventory, level, version string, namespaces []string, opts ...Option) (*WhatIfResult, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	lv, err := whatIfPolicy(level, version)
	if err != nil {
		return nil, err
	}
	rs := rules().rulesFor(lv, cfg.cluster)
	res := &WhatIfResult{
		Policy:      lv.String(),
		EvaluatedAs: api.LevelVersion{Level: lv.Level, Version: rules().effective(lv.Version, cfg.cluster)}.String(),
		Incomplete:  blindSpots(inv),
	}
	if lv.Level == api.LevelPrivileged {
		res.EvaluatedAs = lv.String()
	}
	byNS := map[string]*NamespaceReadiness{}
	add := func(ns string) *NamespaceReadiness {
		if r, ok := byNS[ns]; ok {
			return r
		}
		r := &NamespaceReadiness{Namespace: ns, Exempt: ns != "" && cfg.admission.exemptNS[ns]}
		if o := inv.Get(inventory.KindNamespace, "", ns); o != nil {
			pol, _ := api.PolicyToEvaluate(o.Meta().GetLabels(), cfg.admission.defaults)
			r.Current = pol.Enforce.String()
		}
		byNS[ns] = r
		return r
	}
	selected := setOf(namespaces)
	all := len(selected) == 0
	if all {
		for _, o := range inv.ByKind(inventory.KindNamespace) {
			add(o.Name())
		}
	} else {
		for ns := range selected {
			add(ns)
		}
	}
	for i, t := range inv.PodTemplates() {
		if i%512 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ns := t.Namespace()
		if !all && !selected[ns] {
			continue
		}
		r := add(ns)
		if r.Exempt {
			continue
		}
		if rc := t.Spec.RuntimeClassName; rc != nil && cfg.admission.exemptRuntimes[*rc] {
			r.Skipped = append(r.Skipped, t.Owner.Ref())
			continue
		}
		r.Workloads++
		meta, spec := podInput(t.Metadata, t.Spec)
		vs := evaluateAll(rs, meta, spec, t.Path)
		if len(vs) == 0 {
			continue
		}
		rej := Rejection{Object: t.Owner.Ref(), Field: t.Path, Message: aggregate(vs)}
		for _, v := range vs {
			rej.Violations = append(rej.Violations, Violation{
				CheckID: IDPrefix + string(v.id), Reason: v.reason, Detail: v.detail, Field: v.field})
		}
		r.Rejected = append(r.Rejected, rej)
	}
	for _, r := range byNS {
		res.Namespaces = append(res.Namespaces, *r)
	}
	slices.SortFunc(res.Namespaces, func(a, b NamespaceReadiness) int { return cmp.Compare(a.Namespace, b.Namespace) })
	return res, nil
}

func whatIfPolicy(level, version string) (api.LevelVersion, error) {
	l, err := parseLevel(strings.TrimSpace(level))
	if err != nil {
		return api.LevelVersion{}, err
	}
	v := api.LatestVersion()
	if version = strings.TrimSpace(version); version != "" {
		if v, err = parseVersion(version); err != nil {
			return api.LevelVersion{}, err
		}
	}
	return api.LevelVersion{Level: l, Version: v}, nil
}

// WriteText writes r as a readable report: one line per namespace, then each rejected
// workload with its failing checks, then why the assessment may be incomplete. Names and
// messages from the input are escaped (see report.Escape).
func (r *WhatIfResult) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	printable.Fprintf(ew, "Pod Security what-if: enforce %q", r.Policy)
	if r.EvaluatedAs != r.Policy {
		printable.Fprintf(ew, " (evaluated as %q)", r.EvaluatedAs)
	}
	printable.Fprintf(ew, "\n\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tCURRENT\tWORKLOADS\tREJECTED\tREADY")
	for _, ns := range r.Namespaces {
		current := ns.Current
		if current == "" {
			current = "-"
		}
		ready := "yes"
		switch {
		case ns.Exempt:
			ready = "exempt"
		case !ns.Ready():
			ready = "no"
		}
		printable.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", displayNS(ns.Namespace), current, ns.Workloads, len(ns.Rejected), ready)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, ns := range r.Namespaces {
		for _, rej := range ns.Rejected {
			printable.Fprintf(ew, "\n%s (%s) would be rejected:\n", rej.Object, rej.Field)
			for _, v := range rej.Violations {
				printable.Fprintf(ew, "  - %s: %s\n", v.CheckID, violation{reason: v.Reason, detail: v.Detail}.message())
			}
		}
		for _, ref := range ns.Skipped {
			printable.Fprintf(ew, "\n%s: not checked (exempt runtime class)\n", ref)
		}
	}
	if r.Incomplete != "" {
		printable.Fprintf(ew, "\nThe assessment may be incomplete: some workloads could not be read: %s.\n", r.Incomplete)
	}
	return ew.err
}

func displayNS(ns string) string {
	if ns == "" {
		return "(none)"
	}
	return ns
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// WhatIfBenchmark returns the "pss-what-if" benchmark for a scanner's what-if mode: one control,
// pss:what-if, with a result for every pod and workload pod template in namespaces (all when
// empty): pass when admission would admit it if its namespace enforced level at version, fail
// with the denial detail otherwise, notApplicable when admission exempts it. ParseLevelVersion
// reads the usual "LEVEL[:VERSION]" flag value.
func WhatIfBenchmark(level, version string, namespaces []string, opts ...Option) (benchmark.Benchmark, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return benchmark.Benchmark{}, err
	}
	lv, err := whatIfPolicy(level, version)
	if err != nil {
		return benchmark.Benchmark{}, err
	}
	selected := setOf(namespaces)
	scope := "every namespace"
	if len(selected) > 0 {
		scope = "namespaces " + strings.Join(sortedKeys(selected), ", ")
	}
	meta := check.Meta{
		ID:    WhatIfID,
		Title: fmt.Sprintf("Workload would be admitted if its namespace enforced %q", lv.String()),
		Description: fmt.Sprintf("Evaluates the pods and workload pod templates of %s as the Pod "+
			"Security admission controller would if the namespace were labelled "+
			"pod-security.kubernetes.io/enforce=%s and enforce-version=%s. Fails for each workload "+
			"whose pods would be rejected.", scope, lv.Level, lv.Version),
		Severity: check.Medium,
		Remediation: "Fix the failing checks in the workload's pod template before raising the " +
			"namespace's enforce level (roll out the fix first), or keep the workload in a " +
			"namespace with a more permissive level.",
		References: []string{docAdmission, docMigrate, docStandards},
		Section:    "Pod Security admission: what-if",
		Level:      string(lv.Level),
		Kinds:      workloadKinds,
	}
	rs := rules().rulesFor(lv, cfg.cluster)
	return benchmark.Benchmark{
		Name:        WhatIfName,
		Title:       fmt.Sprintf("Pod Security what-if: enforce %q", lv.String()),
		Description: meta.Description,
		Checks: []check.Check{check.New(meta, func(ctx context.Context, pass *check.Pass) error {
			inv := pass.Inventory
			if reason := blindSpots(inv); reason != "" {
				pass.NotEvaluated(nil, "some workloads could not be read, so they were not evaluated: "+reason)
			}
			for i, t := range inv.PodTemplates() {
				if i%512 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				ns := t.Namespace()
				if len(selected) > 0 && !selected[ns] {
					continue
				}
				if ns != "" && cfg.admission.exemptNS[ns] {
					pass.NotApplicable(t.Owner, fmt.Sprintf("namespace %q is exempt from Pod Security admission", ns))
					continue
				}
				if rc := t.Spec.RuntimeClassName; rc != nil && cfg.admission.exemptRuntimes[*rc] {
					pass.NotApplicable(t.Owner, fmt.Sprintf("runtime class %q is exempt from Pod Security admission", *rc))
					continue
				}
				meta, spec := podInput(t.Metadata, t.Spec)
				vs := evaluateAll(rs, meta, spec, t.Path)
				if len(vs) == 0 {
					pass.Report(check.Finding{Status: check.StatusPass, Object: t.Owner, Field: t.Path,
						Message: fmt.Sprintf("would be admitted under %q", lv.String())})
					continue
				}
				pass.Fail(t.Owner, vs[0].field, fmt.Sprintf("would violate PodSecurity %q: %s", lv.String(), aggregate(vs)))
			}
			return nil
		})},
	}, nil
}
