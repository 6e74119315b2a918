package kspm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	tool         report.Tool
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
// key by key (for CEL checks, the `params` variable). An ID that is not in the run makes Run
// and Scan fail with ErrUnknownCheck; a key or value the check does not take (see
// check.ResolveParams), with ErrInvalidParams.
func WithParams(checkID string, params map[string]any) Option {
	return optionFunc(func(c *config) {
		if c.params == nil {
			c.params = make(map[string]map[string]any)
		}
		c.params[checkID] = params
	})
}

// WithTool names the program that produces Scan's report (report.Tool), in place of kspm
// and Version: a tool that embeds kspm names itself and its own version. An empty name
// keeps the default.
func WithTool(name, version string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.tool = report.Tool{Name: name, Version: version}
		}
	})
}

// WithClock sets the clock Scan reads the report's GeneratedAt from (default time.Now), so
// that a golden test gets the same report every run. A nil now keeps the default.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.now = now
		}
	})
}

// checkParamIDs returns an error naming every check that WithParams set parameters for and
// that is not in checks.
func (c *config) checkParamIDs(checks []check.Check) error {
	var unknown []string
	for id := range c.params {
		if !slices.ContainsFunc(checks, func(c check.Check) bool { return c.Meta().ID == id }) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return fmt.Errorf("%w: parameters set for %s, not in the run", ErrUnknownCheck, strings.Join(unknown, ", "))
}

func newConfig(opts []Option) *config {
	c := &config{parallelism: runtime.GOMAXPROCS(0), now: time.Now,
		tool: report.Tool{Name: "kspm", Version: Version}}
	for _, o := range opts {
		o.apply(c)
	}
	return c
}

// ErrInvalidChecks is wrapped by the error Run returns when the checks do not validate.
var ErrInvalidChecks = errors.New("invalid checks")

// ErrNoChecks is wrapped by the error Run and Scan return when there is no check to run: a
// scan of nothing is not a success.
var ErrNoChecks = errors.New("no checks to run")

// ErrInvalidParams is wrapped by the error Run and Scan return when a check does not take
// the parameters WithParams sets for it (see check.ResolveParams): a misspelt key, a value of
// the wrong type.
var ErrInvalidParams = errors.New("invalid parameters")

// ErrUnknownCheck is wrapped by the error Run and Scan return when an option (WithParams)
// names a check that is not in the run.
var ErrUnknownCheck = errors.New("unknown check")

// Run runs checks over inv concurrently and returns their results: grouped by check in the
// order of checks, and within a check ordered by object, whatever the scheduling.
//
// A check that panics, returns an error or overruns its timeout yields an error result;
// the other checks go on. A manual check yields one manual result; a check whose
// Meta.Requires kinds are not completely known yields one notEvaluated result naming them,
// and is not run. A check that is run while some of its Meta.Kinds were not seen completely
// (see check.UnseenKinds) gets, besides its results over the objects seen, one notEvaluated
// result about no object naming those kinds, unless it reported one itself; this holds for
// Go and CEL checks alike. A check that ran, returned no error and reported nothing yields
// one notApplicable result whose message is check.NothingReported: every check in checks has at
// least one result.
// Run returns an error only when there are no checks (ErrNoChecks), the checks are invalid
// (ErrInvalidChecks, see check.Validate), an option names a check not in checks
// (ErrUnknownCheck), a check does not take the parameters set for it (ErrInvalidParams), or
// ctx ends before every check has run.
func Run(ctx context.Context, inv *inventory.Inventory, checks []check.Check, opts ...Option) ([]check.Result, error) {
	if len(checks) == 0 {
		return nil, ErrNoChecks
	}
	if err := check.Validate(checks); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidChecks, err)
	}
	cfg := newConfig(opts)
	if err := cfg.checkParamIDs(checks); err != nil {
		return nil, err
	}
	params := make([]map[string]any, len(checks))
	var paramErrs []error
	for i, c := range checks {
		p, err := check.ResolveParams(c, cfg.params[c.Meta().ID])
		if err != nil {
			paramErrs = append(paramErrs, err)
		}
		params[i] = p
	}
	if len(paramErrs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidParams, errors.Join(paramErrs...))
	}
	// Each check's findings are collected on its goroutine; the results are then made in
	// place in one slice. (Concatenating per-check result slices would copy every result
	// once more, in one long copy that the garbage collector cannot interrupt.)
	perCheck := make([]findings, len(checks))
	metas := make([]check.Meta, len(checks))
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
			metas[i] = c.Meta()
			perCheck[i] = runOne(gctx, inv, c, metas[i], params[i], cfg)
			if cfg.progress != nil {
				mu.Lock()
				done++
				cfg.progress(Progress{Done: done, Total: len(checks), CheckID: metas[i].ID})
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan interrupted: %w", err)
	}
	offsets := make([]int, len(checks)+1)
	for i, fs := range perCheck {
		offsets[i+1] = offsets[i] + fs.n
	}
	out := make([]check.Result, offsets[len(checks)])
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(cfg.parallelism, len(checks))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(checks); i = int(next.Add(1)) - 1 {
				j := offsets[i]
				for _, chunk := range perCheck[i].chunks {
					// The results' object references, allocated together.
					refs := make([]inventory.Ref, len(chunk))
					for k, f := range chunk {
						o := f.Object
						f.Object = nil
						out[j] = check.NewResult(metas[i], f)
						if o != nil {
							refs[k] = o.Ref()
							out[j].Object = &refs[k]
						}
						j++
					}
				}
				perCheck[i] = findings{}
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// runOne runs one check and turns whatever happens into findings, in their result order.
func runOne(ctx context.Context, inv *inventory.Inventory, c check.Check, meta check.Meta, params map[string]any, cfg *config) findings {
	var fs findings
	if meta.Manual {
		fs.add(check.Finding{Status: check.StatusManual, Message: check.ManualMessage(meta)})
		return fs
	}
	if reason := inv.Unseen(meta.Requires...); reason != "" {
		fs.add(check.Finding{Status: check.StatusNotEvaluated, Message: "cannot be evaluated: " + reason})
		return fs
	}
	if cfg.checkTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.checkTimeout)
		defer cancel()
	}
	pass := check.NewPass(inv, meta, params, fs.add)
	err := safeRun(ctx, c, pass)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	// The coverage rule of Meta.Kinds, for Go and CEL checks alike: results over the objects
	// seen are not the whole picture when a kind the check reads was not seen completely.
	if reason := check.UnseenKinds(inv, meta.Kinds...); reason != "" && !fs.saysNotEvaluated() {
		fs.add(check.Finding{Status: check.StatusNotEvaluated, Message: check.NotSeenMessage(reason)})
	}
	fs.sort()
	if err == nil && fs.n == 0 {
		// Every check that ran shows in the results, as a CEL check with no object to
		// evaluate does.
		fs.add(check.Finding{Status: check.StatusNotApplicable, Message: check.NothingReported})
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && cfg.checkTimeout > 0 {
			err = fmt.Errorf("check timed out after %s: %w", cfg.checkTimeout, err)
		}
		fs.add(check.Finding{Status: check.StatusError, Message: err.Error(), Err: err})
	}
	return fs
}

// findings collects a check's findings in chunks of growing size, so that a check with a
// million findings neither copies them as a growing slice would nor leaves the garbage.
type findings struct {
	chunks [][]check.Finding
	n      int
}

// saysNotEvaluated reports whether a finding is a notEvaluated result about no object: the
// check's own account of what it could not see.
func (fs *findings) saysNotEvaluated() bool {
	for _, chunk := range fs.chunks {
		for _, f := range chunk {
			if f.Object == nil && f.Status == check.StatusNotEvaluated {
				return true
			}
		}
	}
	return false
}

func (fs *findings) add(f check.Finding) {
	if k := len(fs.chunks); k == 0 || len(fs.chunks[k-1]) == cap(fs.chunks[k-1]) {
		fs.chunks = append(fs.chunks, make([]check.Finding, 0, min(max(16, fs.n), 4096)))
	}
	last := &fs.chunks[len(fs.chunks)-1]
	*last = append(*last, f)
	fs.n++
}

// sort puts the findings in result order (see compareFindings), keeping the order of equal
// ones. Checks mostly report in inventory order already: then nothing moves.
func (fs *findings) sort() {
	var prev *check.Finding
	sorted := true
	for _, chunk := range fs.chunks {
		for i := range chunk {
			if prev != nil && compareFindings(*prev, chunk[i]) > 0 {
				sorted = false
				break
			}
			prev = &chunk[i]
		}
		if !sorted {
			break
		}
	}
	if sorted {
		return
	}
	all := make([]check.Finding, 0, fs.n)
	for _, chunk := range fs.chunks {
		all = append(all, chunk...)
	}
	slices.SortStableFunc(all, compareFindings)
	fs.chunks = [][]check.Finding{all}
}

func safeRun(ctx context.Context, c check.Check, pass *check.Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &check.PanicError{CheckID: pass.Check.ID, Value: v, Stack: debug.Stack()}
		}
	}()
	return c.Run(ctx, pass)
}

// compareFindings orders the findings of one check: verdicts about the whole cluster first,
// then by object (group, kind, namespace, name, and source, which tells apart the definitions
// of an object the input defines in several places), field, status and message.
func compareFindings(a, b check.Finding) int {
	switch {
	case a.Object == b.Object:
	case a.Object == nil:
		return -1
	case b.Object == nil:
		return 1
	default:
		ga, gb := a.Object.GroupKind(), b.Object.GroupKind()
		if c := cmp.Or(cmp.Compare(ga.Group, gb.Group), cmp.Compare(ga.Kind, gb.Kind),
			cmp.Compare(a.Object.Namespace(), b.Object.Namespace()),
			cmp.Compare(a.Object.Name(), b.Object.Name())); c != 0 {
			return c
		}
		sa, sb := a.Object.Source(), b.Object.Source()
		if c := cmp.Or(cmp.Compare(sa.File, sb.File), cmp.Compare(sa.Line, sb.Line), cmp.Compare(sa.Root, sb.Root)); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Message, b.Message))
}

// Scan runs every check of benchmarks over inv and returns the report. See Run for how
// failures become results.
//
// Check identity: two checks are the same control when they have the same ID and equal
// metadata (every field of check.Meta but Depends: see check.SameControl). A control that several benchmarks hold (pss-baseline
// and pss-restricted share the baseline controls) runs once, where it first appears. A
// different check that reuses an ID already taken (a user's check with a bundled check's ID,
// in either order) is an error wrapping ErrInvalidChecks. A benchmark with no checks, or no
// benchmark at all, is an error wrapping ErrNoChecks.
func Scan(ctx context.Context, inv *inventory.Inventory, benchmarks []benchmark.Benchmark, opts ...Option) (*report.Report, error) {
	cfg := newConfig(opts)
	checks, names, err := Checks(benchmarks)
	if err != nil {
		return nil, err
	}
	results, err := Run(ctx, inv, checks, opts...)
	if err != nil {
		return nil, err
	}
	return report.New(inv, names, results, cfg.tool, cfg.now()), nil
}

// Checks returns the checks Scan runs for benchmarks, each control once, where it first
// appears (see Scan on check identity and check.SameControl), and the benchmarks' names. Its
// errors are Scan's: ErrNoChecks for no benchmark or a benchmark with no checks,
// ErrInvalidChecks for a different check reusing a taken ID. A driver that runs the checks of
// benchmarks otherwise than Scan (package monitor) starts from it.
func Checks(benchmarks []benchmark.Benchmark) ([]check.Check, []string, error) {
	if len(benchmarks) == 0 {
		return nil, nil, fmt.Errorf("%w: no benchmark", ErrNoChecks)
	}
	var (
		names  []string
		checks []check.Check
		errs   []error
		seen   = make(map[string]owned)
	)
	for _, b := range benchmarks {
		names = append(names, b.Name)
		if len(b.Checks) == 0 {
			return nil, nil, fmt.Errorf("%w: benchmark %q has none", ErrNoChecks, b.Name)
		}
		for _, c := range b.Checks {
			if c == nil {
				checks = append(checks, c) // Run reports it
				continue
			}
			m := c.Meta()
			first, ok := seen[m.ID]
			switch {
			case !ok:
				seen[m.ID] = owned{benchmark: b.Name, meta: m}
				checks = append(checks, c)
			case !check.SameControl(first.meta, m):
				errs = append(errs, fmt.Errorf("check %s of benchmark %q: a different check of benchmark %q has the same ID",
					m.ID, b.Name, first.benchmark))
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidChecks, errors.Join(errs...))
	}
	return checks, names, nil
}

// owned is the first check seen with an ID, and the benchmark that holds it.
type owned struct {
	benchmark string
	meta      check.Meta
}

// ErrUnknownBenchmark is wrapped by the error for a benchmark name that is not bundled.
var ErrUnknownBenchmark = errors.New("unknown benchmark")
