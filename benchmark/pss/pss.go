package pss

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/pod-security-admission/api"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Benchmark names.
const (
	BaselineName   = "pss-baseline"
	RestrictedName = "pss-restricted"
	NamespacesName = "pss-namespaces"
	WhatIfName     = "pss-what-if"
)

// IDPrefix starts the ID of every control of this package: "pss:<upstream check ID>".
const IDPrefix = "pss:"

// workloadKinds are the kinds whose pod templates the controls evaluate.
var workloadKinds = inventory.PodTemplateKinds()

// Baseline returns the Pod Security Standards baseline benchmark, "pss-baseline": one control
// per upstream baseline check in force at the chosen version (WithVersion), each evaluating
// every pod template of the inventory.
func Baseline(opts ...Option) (benchmark.Benchmark, error) {
	return levelBenchmark(api.LevelBaseline, opts)
}

// Restricted returns the Pod Security Standards restricted benchmark, "pss-restricted": one
// control per upstream restricted check in force at the chosen version (WithVersion), plus
// every baseline check that no restricted check replaces at that version, as the admission
// controller evaluates the restricted level.
func Restricted(opts ...Option) (benchmark.Benchmark, error) {
	return levelBenchmark(api.LevelRestricted, opts)
}

func levelBenchmark(level api.Level, opts []Option) (benchmark.Benchmark, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return benchmark.Benchmark{}, err
	}
	lv := api.LevelVersion{Level: level, Version: cfg.lv}
	checks, err := checksAt(string(level), cfg.version, cfg.cluster)
	if err != nil {
		return benchmark.Benchmark{}, err
	}
	name, title := BaselineName, "Baseline"
	if level == api.LevelRestricted {
		name, title = RestrictedName, "Restricted"
	}
	b := benchmark.Benchmark{
		Name:  name,
		Title: fmt.Sprintf("Pod Security Standards %s (%s)", title, describeVersion(lv.Version, cfg.cluster)),
		Description: fmt.Sprintf("Every pod and workload pod template evaluated with the checks the "+
			"Kubernetes Pod Security admission controller runs for %q, from "+
			"k8s.io/pod-security-admission. A failure means admission at this level would reject "+
			"the pod.", lv.String()),
		Checks: checks,
	}
	return b, nil
}

// describeVersion says which policy a version evaluates in a cluster of version cluster (nil:
// not known), e.g. "latest = v1.37", "v1.40, evaluated as v1.37" or "latest, evaluated as
// v1.34".
func describeVersion(v api.Version, cluster *api.Version) string {
	eff := rules().effective(v, cluster)
	switch {
	case v.Latest() && cluster != nil && eff != rules().newest:
		return "latest, evaluated as " + eff.String()
	case v.Latest():
		return "latest = " + eff.String()
	case eff != v:
		return fmt.Sprintf("%s, evaluated as %s", v, eff)
	}
	return v.String()
}

// Checks returns the controls the admission controller evaluates for level ("baseline" or
// "restricted") at version ("latest" or "v1.N"), in its order. Baseline and Restricted wrap
// them in a benchmark.
func Checks(level, version string) ([]check.Check, error) {
	return checksAt(level, version, nil)
}

// checksAt is Checks for a cluster of version cluster (nil: not known).
func checksAt(level, version string, cluster *api.Version) ([]check.Check, error) {
	l, err := parseLevel(level)
	if err != nil {
		return nil, err
	}
	if l == api.LevelPrivileged {
		return nil, fmt.Errorf("%w: the privileged level has no checks", ErrInvalidLevel)
	}
	v, err := parseVersion(version)
	if err != nil {
		return nil, err
	}
	lv := api.LevelVersion{Level: l, Version: v}
	rs := rules().rulesFor(lv, cluster)
	out := make([]check.Check, 0, len(rs))
	for _, r := range rs {
		c, ok := controls[r.id]
		if !ok {
			return nil, fmt.Errorf("upstream check %s has no description in package pss", r.id)
		}
		out = append(out, newPodCheck(r, c, lv, cluster))
	}
	return out, nil
}

func newPodCheck(r rule, c control, lv api.LevelVersion, cluster *api.Version) check.Check {
	// The control is described and reports at its own level, not at the level of the
	// benchmark that holds it: a baseline control in pss-restricted is the very control of
	// pss-baseline (same ID, same metadata, same verdicts), so a scan of both runs it once
	// (see kspm.Scan on check identity).
	lv.Level = r.level
	meta := check.Meta{
		ID:          IDPrefix + string(r.id),
		Title:       c.title,
		Description: c.description + versionNote(r, lv, cluster),
		Severity:    c.severity,
		Remediation: c.remediation,
		References:  []string{docStandards + "#" + string(r.level), docAdmission},
		Section:     "Pod Security Standards: " + capitalize(string(r.level)),
		Level:       string(r.level),
		Kinds:       workloadKinds,
		Depends:     templateDeps,
	}
	passMsg := fmt.Sprintf("allowed by PodSecurity %q", lv.String())
	return check.New(meta, func(ctx context.Context, pass *check.Pass) error {
		inv := pass.Inventory
		reason := blindSpots(inv)
		if reason != "" {
			pass.NotEvaluated(nil, "some workloads could not be read, so they were not evaluated: "+reason)
		}
		tmpls := pass.PodTemplates()
		if len(tmpls) == 0 {
			if reason == "" { // else there may be workloads: the notEvaluated result says so
				pass.NotApplicable(nil, "no pods or workload pod templates in the inventory")
			}
			return nil
		}
		for i, t := range tmpls {
			if i%512 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			meta, spec := podInput(t.Metadata, t.Spec)
			if v, failed := r.evaluate(meta, spec, t.Path); failed {
				pass.Fail(t.Owner, v.field, v.message())
			} else {
				pass.Report(check.Finding{Status: check.StatusPass, Object: t.Owner, Field: t.Path, Message: passMsg})
			}
		}
		return nil
	})
}

// versionNote tells which upstream implementation a control runs.
func versionNote(r rule, lv api.LevelVersion, cluster *api.Version) string {
	return fmt.Sprintf(" Evaluated as upstream check %q in its version from %s, the one in force at %s (%s).",
		r.id, r.since, lv.String(), describeVersion(lv.Version, cluster))
}

// blindSpots names the workload kinds the inventory did not read completely: forbidden or
// failed listings, and, listed from a cluster, kinds not listed at all (not requested). Kinds
// merely absent from manifests are not blind spots: the input is the set.
func blindSpots(inv *inventory.Inventory) string {
	var reasons []string
	for _, gk := range workloadKinds {
		if !inv.Gap(gk) {
			continue
		}
		c := inv.Coverage(gk)
		r := fmt.Sprintf("%s %s", gk.Kind, c.State)
		if c.Reason != "" {
			r += " (" + c.Reason + ")"
		}
		reasons = append(reasons, r)
	}
	return strings.Join(reasons, "; ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
