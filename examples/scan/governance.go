package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/exception"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// governanceOptions are the flags of exceptions and baselines.
type governanceOptions struct {
	exceptionFiles []string // --exceptions
	annotations    bool     // --allow-annotation-exemptions
	baselineFile   string   // --baseline

	// Made by prepareGovernance for the one scan the command runs.
	matcher    *exception.Matcher
	comparison *report.Comparison
}

const governanceUsage = `  --exceptions FILE       exceptions file (kind: Exceptions): the failures it covers are
                          reported as excepted, with its reason, owner and expiry, and do not
                          count for --fail-on; expired exceptions and those that set nothing
                          aside are named on stderr; repeatable
  --allow-annotation-exemptions
                          also honour kspm.dev/exempt (with kspm.dev/exempt-reason)
                          annotations on the objects; off by default, as anyone who may edit
                          an object could silence its findings
  --baseline FILE         JSON report of an earlier scan (-o json): only failures it does not
                          hold count for --fail-on; the report lists the findings new, still
                          present and resolved
`

// set reports whether any of the flags is given.
func (g *governanceOptions) set() bool {
	return len(g.exceptionFiles) > 0 || g.annotations || g.baselineFile != ""
}

// prepareGovernance reads the exceptions files and the baseline report of o, for a scan at
// time now.
func prepareGovernance(ctx context.Context, o *options, now time.Time) error {
	g := &o.governance
	if len(g.exceptionFiles) > 0 || g.annotations {
		var set *exception.Set
		for _, path := range g.exceptionFiles {
			s, err := exception.Load(ctx, path)
			if err != nil {
				return fmt.Errorf("--exceptions: %w", err)
			}
			if set == nil {
				set = s
				continue
			}
			set.Files = append(set.Files, s.Files...)
			set.Entries = append(set.Entries, s.Entries...)
		}
		var opts []exception.Option
		if g.annotations {
			opts = append(opts, exception.WithAnnotationExemptions())
		}
		m, err := exception.NewMatcher(set, now, opts...)
		if err != nil {
			return fmt.Errorf("--exceptions: %w", err)
		}
		g.matcher = m
	}
	if g.baselineFile != "" {
		b, err := readBaseline(g.baselineFile)
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		g.comparison = b.Compare()
	}
	return nil
}

// readBaseline reads the baseline report at path: a regular file (a FIFO is refused rather
// than waited on), read as it streams (a report of a large cluster runs to hundreds of
// megabytes) up to report's bound.
func readBaseline(path string) (*report.Baseline, error) {
	return report.ReadBaselineFile(path, report.DefaultMaxReportBytes)
}

// governanceScanOptions returns the scan options of the exceptions and baseline.
func governanceScanOptions(o *options) []kspm.Option {
	var opts []kspm.Option
	if m := o.governance.matcher; m != nil {
		opts = append(opts, kspm.WithExceptions(m))
	}
	if c := o.governance.comparison; c != nil {
		opts = append(opts, kspm.WithBaseline(c))
	}
	return opts
}

// failSeverity returns the severity --fail-on compares: of the failures, or under a baseline
// of the new failures only. Excepted results are not failures.
func failSeverity(sum report.Summary, o *options) check.Severity {
	if o.governance.comparison != nil {
		return sum.MaxNewFailedSeverity()
	}
	return sum.MaxFailedSeverity()
}

// reportGovernance names on stderr what the exceptions and the baseline did that needs
// attention: expired exceptions, exceptions that set nothing aside, exemptions written on
// objects, and the comparison with the baseline. The report says the same.
func reportGovernance(stderr io.Writer, o *options, inv *inventory.Inventory, bms []benchmark.Benchmark) {
	g := &o.governance
	if g.matcher != nil {
		s := g.matcher.Summary()
		for _, u := range s.Expired {
			report.Fprintf(stderr, "%s: warning: exception %s expired on %s: the %d %s it matches count again\n",
				progName, useName(u), u.Expires, u.Results, plural(u.Results, "failure", "failures"))
		}
		for _, u := range s.Unused {
			report.Fprintf(stderr, "%s: warning: exception %s set nothing aside: %s\n", progName, useName(u), u.Note)
		}
		if a := s.Annotations; a != nil {
			report.Fprintf(stderr, "%s: annotation exemptions allowed: %d %s set aside by annotations on %d %s\n",
				progName, a.Results, plural(a.Results, "failure", "failures"), a.Objects, plural(a.Objects, "object", "objects"))
			for _, ig := range a.Ignored {
				report.Fprintf(stderr, "%s: warning: exemption not applied: %s\n", progName, ig)
			}
		}
	}
	if c := g.comparison; c != nil {
		head := &report.Report{Inventory: report.InventorySummary{Sources: inv.Sources()}}
		for _, b := range bms {
			head.Benchmarks = append(head.Benchmarks, b.Name)
		}
		s := c.Summary(head)
		report.Fprintf(stderr, "%s: baseline %s: %d new, %d still present, %d resolved, %d unconfirmed\n",
			progName, g.baselineFile, s.New, s.Present, s.Resolved, s.Unconfirmed)
		for _, w := range s.Warnings {
			report.Fprintf(stderr, "%s: warning: baseline: %s\n", progName, w)
		}
	}
}

// useName names an exception: its place and, when it has one, its id.
func useName(u report.ExceptionUse) string {
	if u.ID != "" {
		return u.Source + " (" + u.ID + ")"
	}
	return u.Source
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errGovernanceMode is the error for the flags of exceptions and baselines outside a scan.
var errGovernanceMode = errors.New("--exceptions, --allow-annotation-exemptions and --baseline apply to a scan")
