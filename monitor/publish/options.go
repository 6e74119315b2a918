package publish

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"time"

	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
)

// Kind is a kind of report object Reports writes.
type Kind string

// The kinds of report object.
const (
	// OpenReports: openreports.io/v1alpha1 Report (per namespace) and ClusterReport.
	OpenReports Kind = "openreports"
	// PolicyReports: wgpolicyk8s.io/v1alpha2 PolicyReport (per namespace) and
	// ClusterPolicyReport, for the tools that read only those (Policy Reporter).
	PolicyReports Kind = "policyreports"
)

// Defaults of the options.
const (
	// DefaultInstance names the objects (kspm-0, ...) and is the value of label
	// kspm.dev/instance.
	DefaultInstance = "kspm"
	// DefaultMaxResults is how many results one report object holds at most.
	DefaultMaxResults = 500
	// MaxPartBytes bounds the JSON size of one object's results (about 1 MiB; etcd's default
	// request limit is 1.5 MiB).
	MaxPartBytes = 1 << 20
	// DefaultWriteQPS and DefaultWriteBurst bound the writes per second.
	DefaultWriteQPS   = 5
	DefaultWriteBurst = 10
	// DefaultDelay is how long a changed scope waits before it is written, so that the
	// updates of a burst (a rollout) make one write.
	DefaultDelay = time.Second
	// DefaultReconcile is how often the objects in the cluster are read again and compared
	// with what should be there (see WithReconcile).
	DefaultReconcile = 5 * time.Minute
)

// DefaultResults are the OpenReports results written by default: the findings.
func DefaultResults() []v1alpha1.Result { return []v1alpha1.Result{"fail", "warn", "error"} }

// allResults are the five OpenReports results, in the order of the schema.
var allResults = []v1alpha1.Result{"pass", "fail", "warn", "error", "skip"}

// Option configures New.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	kinds      []Kind
	instance   string
	maxResults int
	results    []v1alpha1.Result
	qps        float64
	burst      int
	delay      time.Duration
	backoffMin time.Duration
	backoffMax time.Duration
	reconcile  time.Duration
	logger     *slog.Logger
	dryRun     io.Writer
}

func newConfig(opts []Option) (config, error) {
	c := config{kinds: []Kind{OpenReports}, instance: DefaultInstance, maxResults: DefaultMaxResults,
		results: DefaultResults(), qps: DefaultWriteQPS, burst: DefaultWriteBurst, delay: DefaultDelay,
		backoffMin: 500 * time.Millisecond, backoffMax: 5 * time.Minute, reconcile: DefaultReconcile,
		logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// WithKinds sets the kinds of report object written (default OpenReports). None writes
// nothing: the Reports then only keeps the results (for a dry run, print them).
func WithKinds(kinds ...Kind) Option {
	return optionFunc(func(c *config) error {
		var out []Kind
		for _, k := range kinds {
			if k != OpenReports && k != PolicyReports {
				return fmt.Errorf("publish: unknown report kind %q (want %q or %q)", k, OpenReports, PolicyReports)
			}
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		c.kinds = out
		return nil
	})
}

// instanceName: the objects are named <instance>-<n>, a DNS subdomain name, and the instance
// is a label value: at most 63 characters, lower-case alphanumerics and '-', starting and
// ending with an alphanumeric.
var instanceName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$`)

// WithInstance names the publishing monitor (DefaultInstance): its objects are named
// <instance>-<n> and labelled kspm.dev/instance=<instance>, and it touches no other
// instance's objects. Two monitors of one cluster need two instances.
func WithInstance(name string) Option {
	return optionFunc(func(c *config) error {
		if !instanceName.MatchString(name) {
			return fmt.Errorf("publish: instance %q: want at most 50 lower-case letters, digits and '-', starting and ending with a letter or digit", name)
		}
		c.instance = name
		return nil
	})
}

// WithMaxResults sets how many results one report object holds at most (DefaultMaxResults);
// more are split across numbered objects.
func WithMaxResults(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 1 {
			return fmt.Errorf("publish: max results %d: want at least 1", n)
		}
		c.maxResults = n
		return nil
	})
}

// WithResults sets the OpenReports results written (DefaultResults: fail, warn, error): of
// pass, fail, warn, error and skip. The report's configuration lists them
// (limits.statusFilter) when they are not all five.
func WithResults(results ...v1alpha1.Result) Option {
	return optionFunc(func(c *config) error {
		var out []v1alpha1.Result
		for _, r := range results {
			if !slices.Contains(allResults, r) {
				return fmt.Errorf("publish: unknown result %q (want pass, fail, warn, error or skip)", r)
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
		if len(out) == 0 {
			return fmt.Errorf("publish: no result to write")
		}
		slices.SortFunc(out, func(a, b v1alpha1.Result) int {
			return slices.Index(allResults, a) - slices.Index(allResults, b)
		})
		c.results = out
		return nil
	})
}

// WithWriteRate bounds the writes (creates, updates, deletes) per second: qps on average,
// burst at once (DefaultWriteQPS, DefaultWriteBurst).
func WithWriteRate(qps float64, burst int) Option {
	return optionFunc(func(c *config) error {
		if qps <= 0 || burst < 1 {
			return fmt.Errorf("publish: write rate %g/s, burst %d: want both positive", qps, burst)
		}
		c.qps, c.burst = qps, burst
		return nil
	})
}

// WithDelay sets how long a changed scope waits before it is written (DefaultDelay); the
// changes that arrive meanwhile make one write.
func WithDelay(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		c.delay = max(d, 0)
		return nil
	})
}

// WithRetryBackoff sets the backoff of a scope whose write failed: min after the first
// failure, doubling up to max (500ms and 5m by default).
func WithRetryBackoff(min, max time.Duration) Option {
	return optionFunc(func(c *config) error {
		if min <= 0 || max < min {
			return fmt.Errorf("publish: retry backoff %s to %s: want 0 < min <= max", min, max)
		}
		c.backoffMin, c.backoffMax = min, max
		return nil
	})
}

// WithReconcile sets how often Run lists this instance's objects in the cluster and writes
// again the scopes whose objects differ from what Reports wrote (DefaultReconcile): an object
// deleted, edited or recreated by someone else is repaired within d, even if no result
// changes. Objects that match are not written. It is also the pace at which a name held by
// an object that is not this instance's is tried again. 0 turns the reconcile off (such a
// name is then tried again at the retry backoff's maximum).
func WithReconcile(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < 0 {
			return fmt.Errorf("publish: reconcile period %s: want 0 (off) or more", d)
		}
		c.reconcile = d
		return nil
	})
}

// WithLogger logs the writes (debug) and the failures (warn) to l.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) error {
		if l != nil {
			c.logger = l
		}
		return nil
	})
}

// WithDryRun writes nothing to the cluster: each object that would be created or updated is
// written to w instead, as one line of JSON (escaped as report.EscapeJSON escapes), and each
// deletion is logged. New then takes a nil client.
func WithDryRun(w io.Writer) Option {
	return optionFunc(func(c *config) error {
		c.dryRun = w
		return nil
	})
}
