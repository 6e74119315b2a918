// Package benchmark defines Benchmark, a named list of checks. Its subpackages hold the
// bundled benchmarks, under one naming scheme:
//
//   - a package is named for its benchmark or family of benchmarks (pss, cis, rbac,
//     workloads, secrets, network, org), and its check IDs start with that family's prefix
//     ("pss:", "cis:", "rbac:", "workloads:", "secrets:", "network:", "org:");
//   - for each benchmark it builds, a package exports a constructor named for the benchmark
//     without the family (pss.Restricted, cis.V112, rbac.RBAC, workloads.Workloads,
//     network.Network, org.Org) that returns a fresh copy, and a constant of the same name with
//     the suffix Name holding the name the scanner's -b and kspm.SelectBenchmarks take
//     (pss.RestrictedName == "pss-restricted", cis.V112Name == "cis-1.12");
//   - a constructor takes the package's Options when the package has any, and returns an
//     error exactly when an option can be invalid (pss); the others cannot fail.
//
// kspm.SelectBenchmarks builds bundled benchmarks by name.
package benchmark

import (
	"fmt"

	"github.com/kspm-dev/kspm/check"
)

// Benchmark is a named, ordered list of checks.
type Benchmark struct {
	// Name selects the benchmark, e.g. "pss-restricted" or "cis-1.12".
	Name string `json:"name"`
	// Title is a one-line description.
	Title string `json:"title"`
	// Description says what the benchmark covers and where it comes from.
	Description string `json:"description,omitempty"`
	// Checks are the benchmark's controls, in report order.
	Checks []check.Check `json:"-"`
}

// Validate checks the benchmark's name and its checks (see check.Validate).
func (b Benchmark) Validate() error {
	if b.Name == "" {
		return fmt.Errorf("benchmark with empty name")
	}
	if len(b.Checks) == 0 {
		return fmt.Errorf("benchmark %s: no checks", b.Name)
	}
	if err := check.Validate(b.Checks); err != nil {
		return fmt.Errorf("benchmark %s: %w", b.Name, err)
	}
	return nil
}
