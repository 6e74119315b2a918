package check

import (
	"errors"
	"fmt"
)

// Validator is implemented by checks that can validate themselves beyond their metadata
// (CEL checks: the expression compiles to the right type). Validate calls it.
type Validator interface {
	Validate() error
}

// Validate checks a set of checks: every ID unique and non-empty, title and remediation
// present, severity valid, a run function for every check that is not manual, parameter declarations (Meta.Params)
// well formed with defaults of their types, dependencies (Meta.Depends) that name every kind of
// Kinds and Requires, and each check's own validation (e.g. CEL compiles). It returns
// every problem found, joined.
func Validate(checks []Check) error {
	var errs []error
	seen := make(map[string]bool, len(checks))
	for i, c := range checks {
		if c == nil {
			errs = append(errs, fmt.Errorf("check #%d is nil", i))
			continue
		}
		m := c.Meta()
		name := m.ID
		if name == "" {
			name = fmt.Sprintf("#%d", i)
			errs = append(errs, fmt.Errorf("check %s: empty ID", name))
		} else if seen[m.ID] {
			errs = append(errs, fmt.Errorf("check %s: duplicate ID", name))
		}
		seen[m.ID] = true
		if m.Title == "" {
			errs = append(errs, fmt.Errorf("check %s: empty title", name))
		}
		if m.Remediation == "" {
			errs = append(errs, fmt.Errorf("check %s: empty remediation", name))
		}
		if !m.Severity.Valid() {
			errs = append(errs, fmt.Errorf("check %s: invalid severity %q", name, m.Severity))
		}
		if g, ok := c.(*goCheck); ok && g.run == nil && !m.Manual {
			errs = append(errs, fmt.Errorf("check %s: no run function (only a manual check may have none)", name))
		}
		if err := validateParams(m.Params); err != nil {
			errs = append(errs, fmt.Errorf("check %s: %w", name, err))
		}
		if err := m.Depends.validate(m); err != nil {
			errs = append(errs, fmt.Errorf("check %s: %w", name, err))
		}
		if v, ok := c.(Validator); ok {
			if err := v.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("check %s: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}
