package monitor

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// ErrNotReady is returned by Report before the first evaluation.
var ErrNotReady = errors.New("monitor: not evaluated yet")

// DefaultResync is how often, by default, the monitor re-runs every check over the whole
// inventory whatever changed (see WithResync).
const DefaultResync = time.Hour

// Option configures New and NewForConfig.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	updates     func(Update)
	previous    []check.Result
	hasPrevious bool
	params      map[string]map[string]any
	timeout     time.Duration
	parallelism int
	resync      time.Duration
	cluster     []inventory.ClusterOption
	tool        report.Tool
	now         func() time.Time
}

// WithUpdates calls fn after each evaluation with what it changed (see Update). Calls are
// serialised, from the goroutine that runs the monitor, which waits for fn to return: fn must
// be quick, or hand the update on. The first evaluation's Update (Initial) has no deltas
// unless WithPrevious gave results to compare with: its results are Report's.
func WithUpdates(fn func(Update)) Option {
	return optionFunc(func(c *config) { c.updates = fn })
}

// WithPrevious gives the results a previous monitor published (read back from its reports,
// after a restart): the first evaluation then reports as deltas only what differs from them,
// instead of nothing, so that a restart does not resolve and open again what did not change.
func WithPrevious(results []check.Result) Option {
	return optionFunc(func(c *config) { c.previous, c.hasPrevious = results, true })
}

// WithParams sets the parameters of the check with the given ID, as kspm.WithParams does.
func WithParams(checkID string, params map[string]any) Option {
	return optionFunc(func(c *config) {
		if c.params == nil {
			c.params = make(map[string]map[string]any)
		}
		c.params[checkID] = params
	})
}

// WithCheckTimeout bounds each check's run, as kspm.WithCheckTimeout does.
func WithCheckTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithParallelism bounds how many checks run at once when checks are re-run over the whole
// inventory (default: the number of CPUs). Runs for a few objects run one check at a time.
func WithParallelism(n int) Option {
	return optionFunc(func(c *config) { c.parallelism = n })
}

// WithResync sets how often every check is re-run over the whole inventory whatever changed
// (DefaultResync: an hour): the checks whose results depend on the time (an age, see
// check.Dependencies.Clock) are then current, and a dependency a check failed to declare
// cannot keep a result wrong for longer. Zero or less turns it off.
func WithResync(d time.Duration) Option {
	return optionFunc(func(c *config) { c.resync = d })
}

// WithClusterOptions passes options to the watch of the cluster: WithKinds, WithSourceName,
// WithMetadataClient, WithPageSize (see inventory.Watch).
func WithClusterOptions(opts ...inventory.ClusterOption) Option {
	return optionFunc(func(c *config) { c.cluster = append(c.cluster, opts...) })
}

// WithTool names the program whose reports Report makes, as kspm.WithTool does.
func WithTool(name, version string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.tool = report.Tool{Name: name, Version: version}
		}
	})
}

// WithClock sets the clock the monitor reads times from (default time.Now).
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.now = now
		}
	})
}

// Monitor keeps the results of a set of benchmarks current over a watched cluster. Build one
// with New or NewForConfig, then call Run; Report, Inventory and Stats are safe to call from
// any goroutine meanwhile.
type Monitor struct {
	cfg    config
	watch  *inventory.Watch
	engine *engine
	names  []string
	ready  chan struct{}

	runMu sync.Mutex // held by Run
	mu    sync.RWMutex
	stats Stats
}

// Stats says what a monitor did and holds.
type Stats struct {
	// Revision counts evaluations (0 before the first).
	Revision uint64 `json:"revision"`
	// Objects is the number of objects of the current inventory, and Results of current
	// results (those Report returns).
	Objects int `json:"objects"`
	Results int `json:"results"`
	// Overlay is the number of objects the current inventory holds apart from the flat
	// inventory it shares with the snapshots before it (see inventory.Inventory.With): a
	// measure of how much is not shared.
	Overlay int `json:"overlay"`
	// LastEvaluation is when the last evaluation finished, and LastDuration how long it took;
	// LastWhole is when every check last ran over the whole inventory (the first evaluation,
	// a resync).
	LastEvaluation time.Time     `json:"lastEvaluation"`
	LastDuration   time.Duration `json:"lastDuration"`
	LastWhole      time.Time     `json:"lastWhole"`
	// Watch counts the lists, relists and watches of the cluster.
	Watch inventory.WatchStats `json:"watch"`
	// HeapLiveBytes is the Go runtime's live heap: the bytes of heap objects the last
	// garbage collection found reachable (runtime/metrics "/gc/heap/live:bytes"). It is the
	// process's: in a program that runs a monitor and nothing else (examples/monitor) it is
	// the monitor's memory, inventory and results, which it holds once; an embedding
	// program's own data counts in it too.
	HeapLiveBytes uint64 `json:"heapLiveBytes"`
}

// New returns a monitor of the cluster cs talks to, evaluating the checks of benchmarks (each
// control once, as kspm.Scan runs them). It checks the checks and their parameters (the
// errors of kspm.Run: ErrNoChecks, ErrInvalidChecks, ErrUnknownCheck, ErrInvalidParams) and
// starts nothing.
func New(cs kubernetes.Interface, benchmarks []benchmark.Benchmark, opts ...Option) (*Monitor, error) {
	cfg := newConfig(opts)
	w, err := inventory.NewWatch(cs, cfg.cluster...)
	if err != nil {
		return nil, err
	}
	return newMonitor(w, benchmarks, cfg)
}

// NewForConfig is New for the cluster cfg points at, with clients made as
// inventory.FromConfig makes them (Secrets watched as metadata only: their values never reach
// the process).
func NewForConfig(cfg *rest.Config, benchmarks []benchmark.Benchmark, opts ...Option) (*Monitor, error) {
	c := newConfig(opts)
	w, err := inventory.WatchConfig(cfg, c.cluster...)
	if err != nil {
		return nil, err
	}
	return newMonitor(w, benchmarks, c)
}

func newConfig(opts []Option) config {
	c := config{resync: DefaultResync, parallelism: runtime.GOMAXPROCS(0), now: time.Now,
		tool: report.Tool{Name: "kspm", Version: kspm.Version}}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

func newMonitor(w *inventory.Watch, benchmarks []benchmark.Benchmark, cfg config) (*Monitor, error) {
	checks, names, err := kspm.Checks(benchmarks)
	if err != nil {
		return nil, err
	}
	runOpts := []kspm.Option{kspm.WithParallelism(cfg.parallelism)}
	e, err := newEngine(checks, cfg.params, cfg.timeout, runOpts)
	if err != nil {
		return nil, err
	}
	if cfg.hasPrevious {
		e.seed(cfg.previous)
		cfg.previous = nil // held by the engine, as records, from now on
	}
	return &Monitor{cfg: cfg, watch: w, engine: e, names: names, ready: make(chan struct{})}, nil
}

// Run watches the cluster and keeps the results current until ctx ends, then returns ctx's
// error. It returns another error when the first listing of the cluster fails as
// inventory.FromClientset fails (the credentials rejected, no kind listable), or an
// evaluation fails (which only ctx ending does). Run may be called once.
func (m *Monitor) Run(ctx context.Context) error {
	if !m.runMu.TryLock() {
		return errors.New("monitor: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	watchDone := make(chan error, 1)
	go func() { watchDone <- m.watch.Run(ctx) }()
	defer func() {
		cancel()
		<-watchDone
	}()
	inv, _, err := m.watch.Next(ctx, nil)
	if err != nil {
		return err
	}
	if err := m.evaluate(ctx, inv, nil, true); err != nil {
		return err
	}
	close(m.ready)
	nextWhole := m.cfg.now().Add(m.cfg.resync)
	for {
		wctx, wcancel := ctx, context.CancelFunc(func() {})
		if m.cfg.resync > 0 {
			wctx, wcancel = context.WithDeadline(ctx, nextWhole)
		}
		next, changes, err := m.watch.Next(wctx, inv)
		wcancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			if err := m.evaluate(ctx, inv, nil, true); err != nil {
				return err
			}
			nextWhole = m.cfg.now().Add(m.cfg.resync)
		case err != nil:
			return err
		default:
			if err := m.evaluate(ctx, next, changes, false); err != nil {
				return err
			}
			inv = next
		}
	}
}

// Ready returns a channel closed once the first evaluation is done: Report then answers.
func (m *Monitor) Ready() <-chan struct{} { return m.ready }

// evaluate moves the results to inv and hands the update on.
func (m *Monitor) evaluate(ctx context.Context, inv *inventory.Inventory, changes []inventory.Change, whole bool) error {
	start := time.Now()
	m.mu.Lock()
	initial := m.engine.inv == nil
	deltas, st, err := m.engine.step(ctx, inv, changes, whole, false)
	if err != nil {
		m.mu.Unlock()
		return fmt.Errorf("monitor: evaluation: %w", err)
	}
	now := m.cfg.now()
	m.stats.Revision++
	m.stats.LastEvaluation, m.stats.LastDuration = now, time.Since(start)
	if whole {
		m.stats.LastWhole = now
	}
	u := Update{Revision: m.stats.Revision, Time: now, Initial: initial, Deltas: deltas, Coverage: st.coverage,
		Objects: len(changes), Duration: m.stats.LastDuration, Whole: st.whole, Targeted: st.targeted}
	m.mu.Unlock()
	for i := range u.Deltas {
		u.Deltas[i].Time = now
	}
	if m.cfg.updates != nil {
		m.cfg.updates(u)
	}
	return nil
}

// Report returns the current results as a report, the same as kspm.Scan's over the current
// inventory; ErrNotReady before the first evaluation.
func (m *Monitor) Report() (*report.Report, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.engine.inv == nil {
		return nil, ErrNotReady
	}
	return report.New(m.engine.inv, m.names, m.engine.results(), m.cfg.tool, m.stats.LastEvaluation), nil
}

// Inventory returns the inventory the current results are about (nil before the first
// evaluation). It is immutable.
func (m *Monitor) Inventory() *inventory.Inventory {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.engine.inv
}

// Stats returns what the monitor did and holds.
func (m *Monitor) Stats() Stats {
	m.mu.RLock()
	s := m.stats
	if inv := m.engine.inv; inv != nil {
		s.Objects = inv.Len()
		s.Overlay = inv.OverlaySize()
	}
	s.Results = m.engine.resultCount()
	m.mu.RUnlock()
	s.Watch = m.watch.Stats()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		s.HeapLiveBytes = sample[0].Value.Uint64()
	}
	return s
}
