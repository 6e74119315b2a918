package kspm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/exception"
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
	exceptions   *exception.Matcher // WithExceptions
	baseline     *report.Comparison // WithBaseline
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

// WithExceptions applies the exceptions of m to the results of Scan and ScanJSON (see
// package exception): the failing results they match become excepted, and the report's
// Exceptions says what each exception set aside, which had expired (at the time m was made
// for) and which set nothing aside; m.Summary() says the same afterwards, ScanJSON's report
// having been written. The objects judged are at hand, so label selectors and exemptions
// annotated on objects (exception.WithAnnotationExemptions) are read from them. m is for
// one scan: it counts what it matched. Run, which makes no report, does not apply it.
func WithExceptions(m *exception.Matcher) Option {
	return optionFunc(func(c *config) { c.exceptions = m })
}

// WithBaseline compares the results of Scan and ScanJSON with a baseline's findings through
// c (made by report.Baseline.Compare for this scan), after exceptions are applied: failing
// and excepted results are marked new or present, the report's Summary counts the new
// failures by severity (Summary.NewFailedBySeverity, what fails a build under a baseline),
// and its Baseline says which of the baseline's findings are resolved, or unconfirmed
// because this scan could not show them; c.Summary says the same afterwards.
func WithBaseline(c *report.Comparison) Option {
	return optionFunc(func(cfg *config) { cfg.baseline = c })
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
	cfg := newConfig(opts)
	rs, err := run(ctx, inv, checks, cfg)
	if err != nil {
		return nil, err
	}
	return rs.results(cfg.parallelism), nil
}

// run runs checks over inv as Run describes and returns their findings, from which the
// results are made.
func run(ctx context.Context, inv *inventory.Inventory, checks []check.Check, cfg *config) (*runFindings, error) {
	if len(checks) == 0 {
		return nil, ErrNoChecks
	}
	if err := check.Validate(checks); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidChecks, err)
	}
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
	// Each check's findings are collected on its goroutine; the results are made from them
	// afterwards (see runFindings).
	rs := &runFindings{perCheck: make([]findings, len(checks)), metas: make([]check.Meta, len(checks))}
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
			rs.metas[i] = c.Meta()
			rs.perCheck[i] = runOne(gctx, inv, c, rs.metas[i], params[i], cfg)
			if cfg.progress != nil {
				mu.Lock()
				done++
				cfg.progress(Progress{Done: done, Total: len(checks), CheckID: rs.metas[i].ID})
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan interrupted: %w", err)
	}
	rs.offsets = make([]int, len(checks)+1)
	for i, fs := range rs.perCheck {
		rs.offsets[i+1] = rs.offsets[i] + fs.n
	}
	return rs, nil
}

// runFindings are the findings of a run's checks, in result order, and what makes them
// results: a result is its finding and the metadata of its check, so the results can be
// made all at once (Run) or a few at a time, as they are written (ScanJSON), which spares
// holding them all: a million results take 200 MB.
type runFindings struct {
	perCheck []findings
	metas    []check.Meta
	offsets  []int // offsets[i] is the index of check i's first result; the last, their number
	dec      *decorations
}

// decorations are what exceptions and a baseline change of the results, by result index:
// worked out once, in result order (a baseline pairs findings in that order), and applied
// to each result whenever it is made.
type decorations struct {
	exc        []*check.Exception // the exception of each excepted result; nil without exceptions
	marks      []uint8            // the baseline mark of each result (see baselineMarks); nil without a baseline
	matcher    *exception.Matcher
	comparison *report.Comparison
}

// baselineMarks are the values of check.Result.Baseline a mark indexes.
var baselineMarks = [...]string{"", check.BaselineNew, check.BaselinePresent}

// decorate works out the decorations of exceptions m and baseline comparison c (either may
// be nil) over every result, in order; sources are the inventory's.
func (rs *runFindings) decorate(m *exception.Matcher, c *report.Comparison, sources []string) {
	if m == nil && c == nil {
		return
	}
	d := &decorations{matcher: m, comparison: c}
	n := rs.len()
	if m != nil {
		d.exc = make([]*check.Exception, n)
	}
	if c != nil {
		d.marks = make([]uint8, n)
		c.SetSources(sources) // fingerprints name manifests relative to the inputs
	}
	i := 0
	rs.each(0, n, func(r *check.Result, obj *inventory.Object) {
		if m != nil && m.Except(r, obj) {
			d.exc[i] = r.Exception
		}
		if d.comparison != nil {
			switch d.comparison.Mark(r) {
			case check.BaselineNew:
				d.marks[i] = 1
			case check.BaselinePresent:
				d.marks[i] = 2
			}
		}
		i++
	})
	rs.dec = d
}

// apply gives r, the result at index i, its decorations.
func (d *decorations) apply(i int, r *check.Result) {
	if d == nil {
		return
	}
	if d.exc != nil && d.exc[i] != nil {
		r.Status, r.Exception = check.StatusExcepted, d.exc[i]
	}
	if d.marks != nil {
		r.Baseline = baselineMarks[d.marks[i]]
	}
}

// summarize sets the exceptions and baseline sections of rep, the report of the results.
func (rs *runFindings) summarize(rep *report.Report) {
	if d := rs.dec; d != nil {
		if d.matcher != nil {
			rep.Exceptions = d.matcher.Summary()
		}
		if d.comparison != nil {
			rep.Baseline = d.comparison.Summary(rep)
		}
	}
}

// len returns the number of results.
func (rs *runFindings) len() int { return rs.offsets[len(rs.offsets)-1] }

// results makes every result, in one slice, on up to parallelism goroutines (a check's
// results on one), and lets go of the findings.
func (rs *runFindings) results(parallelism int) []check.Result {
	out := make([]check.Result, rs.len())
	checks := len(rs.perCheck)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(parallelism, checks)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < checks; i = int(next.Add(1)) - 1 {
				j := rs.offsets[i]
				for _, chunk := range rs.perCheck[i].chunks {
					for k := range chunk {
						out[j] = chunk[k].result(rs.metas[i], rs.perCheck[i].strs)
						rs.dec.apply(j, &out[j])
						j++
					}
				}
				rs.perCheck[i] = findings{}
			}
		})
	}
	wg.Wait()
	return out
}

// read calls yield with the results lo to hi-1, made one at a time in one variable: yield
// must not keep the pointer. It is a report.ResultReader, safe for concurrent use.
func (rs *runFindings) read(lo, hi int, yield func(*check.Result)) {
	i := lo
	rs.each(lo, hi, func(r *check.Result, _ *inventory.Object) {
		rs.dec.apply(i, r)
		i++
		yield(r)
	})
}

// each calls yield with the results lo to hi-1, as read does, and the object each is about.
func (rs *runFindings) each(lo, hi int, yield func(*check.Result, *inventory.Object)) {
	hi = min(hi, rs.len())
	if lo >= hi {
		return
	}
	var r check.Result
	// The check of result lo, and its place in the check's findings.
	i := sort.Search(len(rs.perCheck), func(i int) bool { return rs.offsets[i+1] > lo })
	k := lo - rs.offsets[i]
	for n := hi - lo; n > 0; i, k = i+1, 0 {
		for _, chunk := range rs.perCheck[i].chunks {
			if k >= len(chunk) {
				k -= len(chunk)
				continue
			}
			for j := range chunk[k:min(len(chunk), k+n)] {
				r = chunk[k+j].result(rs.metas[i], rs.perCheck[i].strs)
				yield(&r, chunk[k+j].object)
				n--
			}
			k = 0
			if n == 0 {
				break
			}
		}
	}
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
	fs.places = nil
	return fs
}

// findings collects a check's findings in chunks of growing size, so that a check with a
// million findings neither copies them as a growing slice would nor leaves the garbage.
type findings struct {
	chunks [][]finding
	n      int
	// unsorted is set when a finding came after one that sorts after it (see sort).
	unsorted bool
	// strs are the distinct messages and field paths of the findings, which name them by
	// their place (place 0 is ""): checks format the same message or path for object after
	// object (`container "app" runs as UID 0`), and a scan of 100,000 objects makes 1.24
	// million findings whose 100 MB of such text holds about 10 MB of distinct strings. The
	// results share the one copy; the copies the check made are garbage at once.
	strs []string
	// places finds a string's place in strs while the check runs.
	places map[string]uint32
}

// stringAt returns the string at place i of strs: "" for 0, which strs holds only once a
// finding had a string.
func stringAt(strs []string, i uint32) string {
	if i == 0 {
		return ""
	}
	return strs[i]
}

// place returns the place of s in fs.strs, adding it if it is new.
func (fs *findings) place(s string) uint32 {
	if s == "" {
		return 0
	}
	if i, ok := fs.places[s]; ok {
		return i
	}
	if fs.places == nil {
		fs.places = make(map[string]uint32)
		fs.strs = append(fs.strs, "")
	}
	i := uint32(len(fs.strs))
	fs.strs = append(fs.strs, s)
	fs.places[s] = i
	return i
}

// saysNotEvaluated reports whether a finding is a notEvaluated result about no object: the
// check's own account of what it could not see.
func (fs *findings) saysNotEvaluated() bool {
	for _, chunk := range fs.chunks {
		for i := range chunk {
			if f := &chunk[i]; f.object == nil && statuses[f.status] == check.StatusNotEvaluated {
				return true
			}
		}
	}
	return false
}

// add keeps f. What making its result needs of its object, the reference, is taken now, and
// f is compared with the finding before it: the check has just read the object, which is in
// the processor's caches, where it may not be once every check has run (at 100,000 objects,
// reading each result's object again took a second).
func (fs *findings) add(f check.Finding) {
	kept := finding{object: f.Object, field: fs.place(f.Field), message: fs.place(f.Message), status: statusIndex(f.Status)}
	if f.Object != nil {
		kept.ref = f.Object.SharedRef()
	}
	if f.Err != nil || f.Admission != nil {
		kept.rare = &rare{err: f.Err, admission: f.Admission} // on the heap only when there is one
	}
	k := len(fs.chunks)
	if k > 0 && !fs.unsorted {
		prev := fs.chunks[k-1]
		fs.unsorted = fs.compare(&prev[len(prev)-1], &kept) > 0
	}
	if k == 0 || len(fs.chunks[k-1]) == cap(fs.chunks[k-1]) {
		fs.chunks = append(fs.chunks, make([]finding, 0, min(max(16, fs.n), 4096)))
	}
	last := &fs.chunks[len(fs.chunks)-1]
	*last = append(*last, kept)
	fs.n++
}

// sort puts the findings in result order (see compareFindings), keeping the order of equal
// ones. Checks mostly report in inventory order already: then nothing moves.
func (fs *findings) sort() {
	if !fs.unsorted {
		return
	}
	all := make([]finding, 0, fs.n)
	for _, chunk := range fs.chunks {
		all = append(all, chunk...)
	}
	slices.SortStableFunc(all, func(a, b finding) int { return fs.compare(&a, &b) })
	fs.chunks = [][]finding{all}
	fs.unsorted = false
}

// finding is a check's finding as the runner keeps it until its result is made: with its
// object's reference, its field path and message as their places in the check's strs, its
// status as its place in statuses and what few findings have (an error, the admission
// binding that judged) behind a pointer (40 bytes where a check.Finding and the reference
// take 88: a scan of 100,000 objects keeps 1.24 million).
type finding struct {
	object         *inventory.Object
	ref            *inventory.Ref // object.SharedRef(), nil for no object
	rare           *rare
	field, message uint32
	status         uint8
}

// rare holds the parts of a finding that few findings have.
type rare struct {
	err       error
	admission *check.Admission
}

// statuses are the statuses a finding's status indexes.
var statuses = check.Statuses()

// statusIndex returns the place of s in statuses. Findings reach the runner with a defined
// status (check.Pass.Report turns any other into an error finding); one that did not would
// be a mistake in kspm, and the check's run ends in an error result.
func statusIndex(s check.Status) uint8 {
	for i, st := range statuses {
		if st == s {
			return uint8(i)
		}
	}
	panic(fmt.Sprintf("kspm: a finding with the status %q reached the runner", s))
}

// result makes the result of f, one of the findings whose strings are strs, for the check
// described by m.
func (f *finding) result(m check.Meta, strs []string) check.Result {
	g := check.Finding{Status: statuses[f.status], Field: stringAt(strs, f.field), Message: stringAt(strs, f.message)}
	if f.rare != nil {
		g.Err, g.Admission = f.rare.err, f.rare.admission
	}
	r := check.NewResult(m, g)
	r.Object = f.ref
	return r
}

func safeRun(ctx context.Context, c check.Check, pass *check.Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &check.PanicError{CheckID: pass.Check.ID, Value: v, Stack: debug.Stack()}
		}
	}()
	return c.Run(ctx, pass)
}

// compare orders the findings of one check: verdicts about the whole cluster first, then by
// object (group, kind, namespace, name, and source, which tells apart the definitions of an
// object the input defines in several places), field, status and message.
func (fs *findings) compare(a, b *finding) int {
	switch {
	case a.object == b.object:
	case a.object == nil:
		return -1
	case b.object == nil:
		return 1
	default:
		if c := inventory.CompareObjects(a.object, b.object); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(stringAt(fs.strs, a.field), stringAt(fs.strs, b.field)),
		cmp.Compare(statuses[a.status], statuses[b.status]), cmp.Compare(stringAt(fs.strs, a.message), stringAt(fs.strs, b.message)))
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
	rs, err := run(ctx, inv, checks, cfg)
	if err != nil {
		return nil, err
	}
	rs.decorate(cfg.exceptions, cfg.baseline, inv.Sources())
	rep := report.New(inv, names, rs.results(cfg.parallelism), cfg.tool, cfg.now())
	rs.summarize(rep)
	return rep, nil
}

// ScanJSON runs the checks of benchmarks over inv as Scan does, and writes the report Scan
// returns to w as report.WriteJSON writes it, byte for byte. It makes each result only to
// write it, so that the results are never all held at once: a scan of 100,000 objects makes
// over a million, which take 200 MB. It returns the report's Summary. Errors are Scan's, or
// the error writing to w.
func ScanJSON(ctx context.Context, w io.Writer, inv *inventory.Inventory, benchmarks []benchmark.Benchmark, opts ...Option) (report.Summary, error) {
	cfg := newConfig(opts)
	checks, names, err := Checks(benchmarks)
	if err != nil {
		return report.Summary{}, err
	}
	rs, err := run(ctx, inv, checks, cfg)
	if err != nil {
		return report.Summary{}, err
	}
	// Exceptions and the baseline are applied to each result as it is made (rs.decorate).
	rs.decorate(cfg.exceptions, cfg.baseline, inv.Sources())
	rep := report.NewFromReader(inv, names, rs.len(), rs.read, cfg.tool, cfg.now())
	rs.summarize(rep)
	if err := report.WriteJSONFrom(w, rep, rs.len(), rs.read); err != nil {
		return report.Summary{}, err
	}
	return rep.Summary, nil
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
