// workloads:allowed-registries inspects the image of every container, init container and
// ephemeral container of every pod template. It passes when each image's registry (with the
// runtime's Docker Hub default for images that name no registry host) starts one of the
// entries of the parameter registries, e.g. "registry.example.com" or "ghcr.io/acme" (a
// trailing slash is ignored: "ghcr.io/acme/" allows ghcr.io/acme/app, not ghcr.io/acme-x/app).
// The rule is the CEL expression in allowed_registries.yaml. With no registries configured
// the control is not evaluated: there is no policy to hold images to.

package workloads

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/kspm-dev/kspm/check"
)

//go:embed allowed_registries.yaml
var allowedRegistriesYAML []byte

// AllowedRegistries returns the workloads:allowed-registries control. Set its parameter
// "registries" (a list, or a comma-separated string) to the allowed registries.
func AllowedRegistries() check.Check {
	checks, err := check.ParseCELChecks(allowedRegistriesYAML, "allowed_registries.yaml")
	if err != nil || len(checks) != 1 {
		panic(fmt.Sprintf("workloads: bundled CEL check does not load: %v", err)) // a build defect, caught by tests
	}
	return &allowedRegistries{Check: checks[0]}
}

// allowedRegistries refuses to run the CEL rule without a policy: with no registries, every
// image would fail, which says nothing about the cluster.
type allowedRegistries struct{ check.Check }

// Meta declares the parameter registries, so that the runner checks and converts it.
func (c *allowedRegistries) Meta() check.Meta {
	m := c.Check.Meta()
	m.Params = []check.Param{{Name: "registries", Type: check.ParamStringList,
		Description: "Registries (hosts or path prefixes) images may come from."}}
	// The CEL rule reads each pod template alone, but runs over every template: a change to
	// any re-runs it whole.
	m.Depends = allowedRegistriesDeps
	return m
}

func (c *allowedRegistries) Run(ctx context.Context, pass *check.Pass) error {
	regs, _ := pass.Params["registries"].([]string) // declared: the runner converts it
	// Entries are registry hosts or path prefixes; "registry.example.com/" means what
	// "registry.example.com" does (the rule adds the separating slash itself).
	var clean []string
	for _, r := range regs {
		if r = strings.TrimRight(strings.TrimSpace(r), "/"); r != "" {
			clean = append(clean, r)
		}
	}
	if len(clean) == 0 {
		pass.NotEvaluated(nil, "no allowed registries configured: set the parameter registries of "+c.Meta().ID)
		return nil
	}
	params := map[string]any{"registries": clean}
	return c.Check.Run(ctx, check.NewPass(pass.Inventory, pass.Check, params, pass.Report))
}

// Validate validates the CEL rule.
func (c *allowedRegistries) Validate() error {
	if v, ok := c.Check.(check.Validator); ok {
		return v.Validate()
	}
	return nil
}
