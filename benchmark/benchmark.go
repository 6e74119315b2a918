// Package benchmark defines Benchmark, a named list of checks. Its subpackages hold the
// bundled benchmarks; each exposes a function that returns a fresh Benchmark.
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
