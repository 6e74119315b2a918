package kspm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// Version is the version of kspm recorded in reports.
const Version = "0.1.0-dev"

// Progress reports how far a run has got. It is passed to the WithProgress callback after
// each check finishes.
type Progress struct {
	// Done is the number of checks finished, Total the number to run.
	Done, Total int
	// CheckID is the check that just finished.
	CheckID string
}

// Option configures Run and Scan.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	parallelism  int
	checkTimeout time.Duration
	progress     func(Progress)
	params       map[string]map[string]any
	now          func() time.Time
}

// WithParallelism bounds how many checks run at once (default: the number of CPUs).
func WithParallelism(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.parallelism = n
		}
	})
}

// WithCheckTimeout bounds each check's run; a check that overruns gets an error result.
// Zero (the default) means no per-check bound beyond the caller's context.
func WithCheckTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.checkTimeout = d })
}

// WithProgress calls fn after each check finishes. Calls are serialised; fn must be quick.
func WithProgress(fn func(Progress)) Option {
	return optionFunc(func(c *config) { c.progress = fn })
}

// WithParams sets the parameters of the check with the given ID, overriding its defaults
// key by key (for CEL checks, the `params` variable).
func WithParams(checkID string, params map[string]any) Option {
	return optionFunc(func(c *config) {
		if c.params == nil {
			c.params = make(map[string]map[string]any)
		}
		c.params[checkID] = params
	})
}

func newConfig(opts []Option) *config {
	c := &config{parallelism: runtime.GOMAXPROCS(0), now: time.Now}
	for _, o := range opts {
		o.apply(c)
	}
	return c
}

// ErrInvalidChecks is wrapped by the error Run returns when the checks do not validate.
var ErrInvalidChecks = errors.New("invalid checks")

// Run runs checks over inv concurrently and returns their results: grouped by check in the
// order of checks, and within a check ordered by object, whatever the scheduling.
//
// A check that panics, returns an error or overruns its timeout yields an error result;
// the other checks go on. A manual check yields one manual result; a check whose
// Meta.Requires kinds are not completely known yields one notEvaluated result naming them.
// Run returns an error only when the checks are invalid (see check.Validate) or ctx ends
// before every check has run.
func Run(ctx context.Context, inv *inventory.Inventory, checks []check.Check, opts ...Option) ([]check.Result, error) {
	if err := check.Validate(checks); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidChecks, err)
	}
	cfg := newConfig(opts)
	perCheck := make([][]check.Result, len(checks))
	var (
		mu   sync.Mutex
		done int
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.parallelism)
	for i, c := range checks {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			perCheck[i] = runOne(gctx, inv, c, cfg)
			if cfg.progress != nil {
				mu.Lock()
				done++
				cfg.progress(Progress{Done: done, Total: len(checks), CheckID: c.Meta().ID})
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan interrupted: %w", err)
	}
	n := 0
	for _, rs := range perCheck {
		n += len(rs)
	}
	out := make([]check.Result, 0, n)
	for _, rs := range perCheck {
		out = append(out, rs...)
	}
	return out, nil
}

// runOne runs one check and turns whatever happens into results.
func runOne(ctx context.Context, inv *inventory.Inventory, c check.Check, cfg *config) []check.Result {
	meta := c.Meta()
	if meta.Manual {
		msg := "manual control: review by hand"
		if meta.Description != "" {
			msg += ": " + meta.Description
		}
		return []check.Result{check.NewResult(meta, check.Finding{Status: check.StatusManual, Message: msg})}
	}
	if reason := inv.Unseen(meta.Requires...); reason != "" {
		return []check.Result{check.NewResult(meta, check.Finding{Status: check.StatusNotEvaluated,
			Message: "cannot be evaluated: " + reason})}
	}
	if cfg.checkTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.checkTimeout)
		defer cancel()
	}
	var findings []check.Finding
	pass := check.NewPass(inv, meta, cfg.params[meta.ID], func(f check.Finding) {
		findings = append(findings, f)
	})
	err := safeRun(ctx, c, pass)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	sortFindings(findings)
	out := make([]check.Result, 0, len(findings)+1)
	for _, f := range findings {
		out = append(out, check.NewResult(meta, f))
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && cfg.checkTimeout > 0 {
			err = fmt.Errorf("check timed out after %s: %w", cfg.checkTimeout, err)
		}
		out = append(out, check.NewResult(meta, check.Finding{Status: check.StatusError, Message: err.Error()}))
	}
	return out
}

// PanicError is the error a check's panic becomes.
type PanicError struct {
	CheckID string
	Value   any
	Stack   []byte
}

// Error implements error.
func (e *PanicError) Error() string { return fmt.Sprintf("check %s panicked: %v", e.CheckID, e.Value) }

func safeRun(ctx context.Context, c check.Check, pass *check.Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{CheckID: pass.Check.ID, Value: v, Stack: debug.Stack()}
		}
	}()
	return c.Run(ctx, pass)
}

func sortFindings(fs []check.Finding) {
	slices.SortStableFunc(fs, func(a, b check.Finding) int {
		switch {
		case a.Object == nil && b.Object == nil:
			return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Message, b.Message))
		case a.Object == nil:
			return -1
		case b.Object == nil:
			return 1
		}
		ga, gb := a.Object.GroupKind(), b.Object.GroupKind()
		return cmp.Or(cmp.Compare(ga.Group, gb.Group), cmp.Compare(ga.Kind, gb.Kind),
			cmp.Compare(a.Object.Namespace(), b.Object.Namespace()),
			cmp.Compare(a.Object.Name(), b.Object.Name()),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Message, b.Message))
	})
}

// Scan runs every check of benchmarks over inv and returns the report. A check that appears
// in several benchmarks (by ID) runs once. See Run for how failures become results.
func Scan(ctx context.Context, inv *inventory.Inventory, benchmarks []benchmark.Benchmark, opts ...Option) (*report.Report, error) {
	cfg := newConfig(opts)
	var (
		names  []string
		checks []check.Check
		seen   = make(map[string]bool)
	)
	for _, b := range benchmarks {
		names = append(names, b.Name)
		for _, c := range b.Checks {
			if id := c.Meta().ID; !seen[id] {
				seen[id] = true
				checks = append(checks, c)
			}
		}
	}
	results, err := Run(ctx, inv, checks, opts...)
	if err != nil {
		return nil, err
	}
	return report.New(inv, names, results, report.Tool{Name: "kspm", Version: Version}, cfg.now()), nil
}

// ErrUnknownBenchmark is wrapped by the error for a benchmark name that is not bundled.
var ErrUnknownBenchmark = errors.New("unknown benchmark")
