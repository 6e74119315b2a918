package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// customBenchmark names the benchmark that holds the checks of --checks files in reports.
const customBenchmark = "custom"

// errNoChecks is returned when the selection holds no check: a scan of nothing would
// report success for nothing.
var errNoChecks = errors.New("no checks selected")

// plan returns the benchmarks to run: the bundled benchmarks of -b (all of them when -b is
// not given, unless --checks is), then a benchmark of the --checks files' checks, narrowed to
// --check IDs when given. Benchmarks left with no check are dropped; an empty plan is an
// error wrapping errNoChecks.
//
// The --checks and --params files are read the first time only (see options.loaded): a
// fleet plans again for each cluster's version, and neither reads them again nor reports
// their problems once per cluster.
func plan(o *options) ([]benchmark.Benchmark, error) {
	if o.loaded == nil {
		l, err := loadFiles(o)
		if err != nil {
			return nil, err
		}
		o.loaded = l
	}
	custom := o.loaded.custom
	o.policies = o.loaded.policies
	// admission-policies is built once the inventory is loaded (see withAdmission).
	admissionToo, names := admissionSelected(benchmarkNames(o))
	admissionToo = admissionToo || len(o.policies) > 0
	bopts := []kspm.BenchmarkOption{kspm.WithPSSVersion(o.pssVersion)}
	if o.clusterVersion != "" {
		bopts = append(bopts, kspm.WithClusterVersion(o.clusterVersion))
	}
	bms, err := kspm.SelectBenchmarks(names, bopts...)
	if err != nil {
		return nil, err
	}
	if len(custom) > 0 {
		if err := checkCollisions(bms, custom); err != nil {
			return nil, err
		}
		bms = append(bms, benchmark.Benchmark{
			Name:        customBenchmark,
			Title:       "Custom checks",
			Description: "Checks loaded with --checks from " + strings.Join(o.checkFiles, ", "),
			Checks:      custom,
		})
	}
	if ids := o.checkIDs; len(ids) > 0 {
		if admissionToo { // the IDs of policies are known once the inventory is loaded
			ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return strings.HasPrefix(id, admission.IDPrefix) })
		}
		if len(ids) == 0 {
			bms = nil
		} else if bms, err = onlyChecks(bms, ids); err != nil {
			return nil, err
		}
	}
	if countChecks(bms) == 0 && !admissionToo {
		return nil, fmt.Errorf("%w: the selected benchmarks and check files hold no check (see --list)", errNoChecks)
	}
	if o.params, err = bindParams(o.loaded.params, bms); err != nil {
		return nil, err
	}
	return bms, nil
}

// loadedFiles is what the --checks and --params files hold, read once.
type loadedFiles struct {
	custom   []check.Check
	policies []*inventory.Object
	params   []paramsFile
}

// loadFiles reads the --checks and --params files of o.
func loadFiles(o *options) (*loadedFiles, error) {
	custom, policies, err := loadCustomChecks(o.checkFiles)
	if err != nil {
		return nil, err
	}
	params, err := readParams(o.paramFiles)
	if err != nil {
		return nil, err
	}
	return &loadedFiles{custom: custom, policies: policies, params: params}, nil
}

// benchmarkNames resolves -b: "all" expands to the default benchmarks (every bundled one but
// aliases such as cis-2.0), and no -b means the default benchmarks unless --checks files are given (and no --check: IDs are looked
// up among the bundled checks too).
func benchmarkNames(o *options) []string {
	if len(o.benchmarks) == 0 {
		if len(o.checkFiles) > 0 && len(o.checkIDs) == 0 {
			return nil
		}
		return defaultBenchmarkNames()
	}
	var names []string
	for _, n := range o.benchmarks {
		if n == "all" {
			names = append(names, defaultBenchmarkNames()...)
		} else {
			names = append(names, n)
		}
	}
	// A name given twice (or "all" plus a name) selects the benchmark once.
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// defaultBenchmarkNames are the benchmarks the scanner runs when -b is not given, and what
// "all" means: kspm's default set and admission-policies.
func defaultBenchmarkNames() []string {
	return append(kspm.DefaultBenchmarkNames(), admission.PoliciesName)
}

// loadCustomChecks loads every --checks file and validates the checks together, so an ID
// defined in two files is an error rather than a check silently dropped. It returns the CEL
// checks, and the ValidatingAdmissionPolicies and bindings the files hold.
func loadCustomChecks(files []string) ([]check.Check, []*inventory.Object, error) {
	var (
		all      []check.Check
		policies []*inventory.Object
		errs     []error
	)
	for _, f := range files {
		cs, objs, err := loadCheckFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, cs...)
		policies = append(policies, objs...)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if err := check.Validate(all); err != nil {
		return nil, nil, fmt.Errorf("--checks: %w", err)
	}
	return all, policies, nil
}

// checkCollisions reports custom checks whose IDs are also the IDs of bundled checks.
func checkCollisions(bms []benchmark.Benchmark, custom []check.Check) error {
	bundled := make(map[string]string)
	for _, b := range bms {
		for _, c := range b.Checks {
			bundled[c.Meta().ID] = b.Name
		}
	}
	var errs []error
	for _, c := range custom {
		if b, ok := bundled[c.Meta().ID]; ok {
			errs = append(errs, fmt.Errorf("--checks: check ID %s is already used by benchmark %s; give the custom check another ID", c.Meta().ID, b))
		}
	}
	return errors.Join(errs...)
}

// onlyChecks keeps the checks whose IDs are in ids. An ID that no selected check has is an
// error listing the valid ones.
func onlyChecks(bms []benchmark.Benchmark, ids []string) ([]benchmark.Benchmark, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var (
		valid []string
		out   []benchmark.Benchmark
	)
	for _, b := range bms {
		var keep []check.Check
		for _, c := range b.Checks {
			id := c.Meta().ID
			valid = append(valid, id)
			if want[id] {
				keep = append(keep, c)
			}
		}
		if len(keep) > 0 {
			b.Checks = keep
			out = append(out, b)
		}
	}
	var unknown []string
	for _, id := range ids {
		if !slices.Contains(valid, id) && !slices.Contains(unknown, id) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(valid)
		valid = slices.Compact(valid)
		return nil, fmt.Errorf("unknown check %s; the selected benchmarks and check files have: %s",
			strings.Join(quote(unknown), ", "), strings.Join(valid, ", "))
	}
	return out, nil
}

// countChecks returns the number of distinct check IDs in bms (kspm.Scan runs a check that
// several benchmarks share once).
func countChecks(bms []benchmark.Benchmark) int {
	seen := make(map[string]bool)
	for _, b := range bms {
		for _, c := range b.Checks {
			seen[c.Meta().ID] = true
		}
	}
	return len(seen)
}

func quote(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
