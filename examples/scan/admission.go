package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// The benchmark admission-policies (package benchmark/admission) is registered here, as the
// Helm and kustomize renderers are, rather than bundled in kspm: its checks are the
// ValidatingAdmissionPolicies of the inventory, known only once it is loaded, and it links
// k8s.io/apiserver, which embedders that do not use it do not link.
//
// It is in the scanner's default set: an inventory without policies costs nothing (the
// benchmark is then empty and left out), and one with policies holds the organisation's own
// rules, which is what a scan should hold objects to first.

// admissionSelected reports whether the benchmarks of -b (or the default set) include
// admission-policies, and returns the other names.
func admissionSelected(names []string) (bool, []string) {
	if !slices.Contains(names, admission.PoliciesName) {
		return false, names
	}
	return true, slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == admission.PoliciesName })
}

// loadCheckFile reads one --checks file: kspm CEL checks and ValidatingAdmissionPolicies
// with their bindings, in any mix.
func loadCheckFile(path string) ([]check.Check, []*inventory.Object, error) {
	objs, checks, err := admission.LoadFile(path)
	return checks, objs, err
}

// withAdmission adds to bms, once inv is loaded, the benchmark of the ValidatingAdmissionPolicies:
// those of inv when admission-policies is selected, and those of --checks files in any case
// (alone when it is not selected), narrowed to --check IDs. A benchmark left without checks
// is not added; a plan left with none is an error wrapping errNoChecks.
func withAdmission(o *options, inv *inventory.Inventory, bms []benchmark.Benchmark) ([]benchmark.Benchmark, error) {
	selected, _ := admissionSelected(benchmarkNames(o))
	if !selected && len(o.policies) == 0 {
		return bms, nil
	}
	opts := []admission.Option{admission.WithObjects(o.policies...)}
	if !selected {
		opts = append(opts, admission.WithoutInventoryPolicies())
	}
	b, err := admission.Policies(inv, opts...)
	if err != nil {
		return nil, fmt.Errorf("--checks: %w", err)
	}
	if ids := admissionIDs(o.checkIDs); len(o.checkIDs) > 0 {
		var keep []check.Check
		for _, c := range b.Checks {
			if slices.Contains(ids, c.Meta().ID) {
				keep = append(keep, c)
			}
		}
		for _, id := range ids {
			if !slices.ContainsFunc(keep, func(c check.Check) bool { return c.Meta().ID == id }) {
				return nil, fmt.Errorf("unknown check %q: no ValidatingAdmissionPolicy %q in the input or --checks files",
					id, strings.TrimPrefix(id, admission.IDPrefix))
			}
		}
		b.Checks = keep
	}
	if len(b.Checks) > 0 {
		bms = append(bms, b)
	}
	if countChecks(bms) == 0 {
		return nil, fmt.Errorf("%w: no ValidatingAdmissionPolicy in the input or --checks files, and no other check (see --list)", errNoChecks)
	}
	return bms, nil
}

// admissionIDs returns the IDs of ids that name admission policy checks.
func admissionIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if strings.HasPrefix(id, admission.IDPrefix) {
			out = append(out, id)
		}
	}
	return out
}

// listAdmission adds to the listing of --list the policies of --checks files (the inventory's
// are known only once it is loaded, which --list does not do).
func listAdmission(o *options, bms []benchmark.Benchmark) ([]benchmark.Benchmark, error) {
	if len(o.policies) == 0 {
		return bms, nil
	}
	empty, err := inventory.New()
	if err != nil {
		return nil, err
	}
	out, err := withAdmission(o, empty, bms)
	if errors.Is(err, errNoChecks) {
		return bms, nil
	}
	return out, err
}
