package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/pss"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// whatIfOptions are the flags of the Pod Security what-if mode.
type whatIfOptions struct {
	policy string // --pss-what-if LEVEL[:VERSION]
}

// addWhatIfFlags binds the what-if flags to w.
func addWhatIfFlags(fs *flag.FlagSet, w *whatIfOptions) {
	fs.StringVar(&w.policy, "pss-what-if", "", "")
}

// whatIfUsage is the usage section of the what-if mode.
const whatIfUsage = `Pod Security what-if (instead of a scan):
  --pss-what-if LEVEL[:VERSION]
                          which workloads would be rejected if their namespace enforced the
                          Pod Security level (baseline, restricted) at VERSION (default:
                          latest); per-namespace readiness for a rollout. -n NS (or a comma
                          list) limits it to those namespaces. Exit status 1 when any workload
                          would be rejected.
`

// whatIf answers the what-if question over inv: as a readiness table, or as a JSON report
// of the pss:what-if control. It returns the exit status.
func whatIf(ctx context.Context, stdout io.Writer, inv *inventory.Inventory, o *options) (int, error) {
	level, version, err := pss.ParseLevelVersion(o.whatIf.policy)
	if err != nil {
		return exitError, err
	}
	namespaces := splitList(o.whoCan.namespace)
	if o.format == formatJSON {
		b, err := pss.WhatIfBenchmark(level, version, namespaces)
		if err != nil {
			return exitError, err
		}
		rep, err := kspm.Scan(ctx, inv, []benchmark.Benchmark{b})
		if err != nil {
			return exitError, err
		}
		if err := report.WriteJSON(stdout, rep); err != nil {
			return exitError, err
		}
		if rep.Summary.ByStatus["fail"] > 0 {
			return exitFailOn, nil
		}
		return exitOK, nil
	}
	res, err := pss.WhatIf(ctx, inv, level, version, namespaces)
	if err != nil {
		return exitError, err
	}
	if err := res.WriteText(stdout); err != nil {
		return exitError, err
	}
	if res.Rejected() > 0 {
		return exitFailOn, nil
	}
	return exitOK, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// validateWhatIf checks the what-if flags once parsed.
func validateWhatIf(o *options) error {
	if o.whatIf.policy == "" {
		return nil
	}
	if o.whoCan.verb != "" {
		return fmt.Errorf("--pss-what-if and --who-can are separate modes: use one")
	}
	_, _, err := pss.ParseLevelVersion(o.whatIf.policy)
	return err
}
