// Command monitor keeps a cluster's posture current and publishes it where Kubernetes users
// already look. It watches the cluster (package monitor), re-evaluating only what each change
// can affect, and
//
//   - writes the results as report objects (package monitor/publish): an OpenReports Report
//     per namespace and a ClusterReport (openreports.io/v1alpha1), and with --reports
//     policyreports wgpolicyk8s.io/v1alpha2 PolicyReports for Policy Reporter;
//   - serves Prometheus metrics at /metrics, and /healthz and /readyz for the kubelet's probes;
//   - logs every change of a finding (opened, resolved, changed) as a JSON line (log/slog) on
//     standard error.
//
// It runs in the cluster (examples/deploy/monitor.yaml: in-cluster configuration, least
// privilege) or outside it with a kubeconfig; --dry-run writes nothing to the cluster and
// prints the report objects on standard output instead, one JSON object a line.
//
//	go run ./examples/monitor --kubeconfig ~/.kube/config --dry-run
//	go run ./examples/monitor --context prod -b workloads,pss-restricted --reports openreports,policyreports
//
// It watches only the kinds its checks read (--all-kinds: every built-in kind), so that its
// role grants no more. It stops cleanly on SIGTERM or SIGINT: exit status 0; 1 when it
// cannot start or the watch fails; 2 for a usage error. It uses only kspm's public API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/monitor/publish"
	"github.com/kspm-dev/kspm/report"
)

const progName = "kspm-monitor"

// Exit codes.
const (
	exitOK    = 0 // stopped by a signal
	exitError = 1 // could not start, or the watch failed
	exitUsage = 2 // bad flags
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command line's.
type options struct {
	kubeconfig, kubeContext string
	inCluster               bool
	benchmarks              []string
	allKinds                bool
	reports                 []publish.Kind
	results                 []v1alpha1.Result
	maxResults              int
	instance                string
	metricsAddr, probeAddr  string
	dryRun                  bool
	resync                  time.Duration
	qps                     float64
	burst                   int
	writeQPS                float64
	writeBurst              int
	reportReconcile         time.Duration
	logLevel                slog.Level
	// defaultNamespace lists namespace default's other resources every defaultNamespaceEvery
	// (inventory.WithDefaultNamespaceListing).
	defaultNamespace      bool
	defaultNamespaceEvery time.Duration
}

// list splits a comma-separated flag value, dropping empty items.
func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseArgs parses the command line; flag.ErrHelp for -h.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else the in-cluster configuration)")
	fs.StringVar(&o.kubeContext, "context", "", "kubeconfig context (default: the current context)")
	fs.BoolVar(&o.inCluster, "in-cluster", false, "use the in-cluster configuration (the pod's ServiceAccount), whatever kubeconfig there is")
	bench := fs.String("b", strings.Join(kspm.DefaultBenchmarkNames(), ","), "benchmarks, comma-separated (valid: "+strings.Join(kspm.BenchmarkNames(), ", ")+")")
	fs.BoolVar(&o.allKinds, "all-kinds", false, "watch every built-in kind, not only those the benchmarks' checks read")
	reports := fs.String("reports", string(publish.OpenReports), "report objects to write, comma-separated: openreports, policyreports; or none")
	results := fs.String("report-results", "fail,warn,error", "OpenReports results to write, comma-separated, of pass, fail, warn, error, skip")
	fs.IntVar(&o.maxResults, "max-results", publish.DefaultMaxResults, "results per report object at most (more are split across numbered objects)")
	fs.StringVar(&o.instance, "instance", publish.DefaultInstance, "name of this monitor: its report objects are <instance>-<n>, labelled kspm.dev/instance=<instance>")
	fs.StringVar(&o.metricsAddr, "metrics-address", ":8080", "address serving /metrics (empty: none)")
	fs.StringVar(&o.probeAddr, "probe-address", ":8081", "address serving /healthz and /readyz (empty: none; the same as --metrics-address: one server)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "write nothing to the cluster: print the report objects on standard output, one JSON object a line")
	fs.DurationVar(&o.resync, "resync", monitor.DefaultResync, "re-run every check over the whole inventory this often (0: never)")
	fs.Float64Var(&o.qps, "qps", 20, "API requests per second at most (client-go's rate limit)")
	fs.IntVar(&o.burst, "burst", 40, "API requests at once at most")
	fs.Float64Var(&o.writeQPS, "write-qps", publish.DefaultWriteQPS, "report object writes per second at most")
	fs.IntVar(&o.writeBurst, "write-burst", publish.DefaultWriteBurst, "report object writes at once at most")
	fs.DurationVar(&o.reportReconcile, "report-reconcile", publish.DefaultReconcile, "read the report objects back this often and rewrite those deleted or changed by someone else (0: never)")
	fs.BoolVar(&o.defaultNamespace, "default-namespace", true, "list namespace default's other resources (PersistentVolumeClaims, Leases, custom resources...) for the checks that judge what it holds, when a benchmark has one: one discovery and one list per namespaced resource type, in namespace default, every --default-namespace-every (false: those checks are notEvaluated)")
	fs.DurationVar(&o.defaultNamespaceEvery, "default-namespace-every", inventory.DefaultNamespaceRefresh, "list namespace default's other resources again this often")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.benchmarks = list(*bench)
	if len(o.benchmarks) == 0 {
		return nil, errors.New("-b: no benchmark")
	}
	if *reports != "none" {
		for _, r := range list(*reports) {
			o.reports = append(o.reports, publish.Kind(r))
		}
	}
	for _, r := range list(*results) {
		o.results = append(o.results, v1alpha1.Result(r))
	}
	if err := o.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	if o.inCluster && (o.kubeconfig != "" || o.kubeContext != "") {
		return nil, errors.New("--in-cluster and --kubeconfig/--context: use one or the other")
	}
	if o.defaultNamespaceEvery <= 0 {
		return nil, errors.New("--default-namespace-every must be positive")
	}
	if o.qps <= 0 || o.burst < 1 {
		return nil, errors.New("--qps and --burst must be positive")
	}
	// The publisher checks the rest of its options when it is made.
	if _, err := publish.New(nil, o.publishOptions(io.Discard, nil)...); err != nil {
		return nil, err
	}
	return o, nil
}

// publishOptions are the options of the report writer.
func (o *options) publishOptions(dryRun io.Writer, logger *slog.Logger) []publish.Option {
	opts := []publish.Option{publish.WithKinds(o.reports...), publish.WithResults(o.results...),
		publish.WithMaxResults(o.maxResults), publish.WithInstance(o.instance),
		publish.WithWriteRate(o.writeQPS, o.writeBurst), publish.WithReconcile(o.reportReconcile),
		publish.WithLogger(logger), publish.WithDryRun(dryRun)}
	return opts
}

// restConfig returns the client configuration o names.
func restConfig(ctx context.Context, o *options) (*rest.Config, error) {
	var cfg *rest.Config
	var err error
	switch {
	case o.inCluster:
		cfg, err = rest.InClusterConfig()
	default:
		// Read by the library with bounds (a FIFO is refused rather than waited on); with no
		// --kubeconfig, the usual rules, falling back to the in-cluster configuration when
		// no kubeconfig is found and the process runs in a pod.
		cfg, err = inventory.KubeconfigRESTConfig(ctx, o.kubeconfig, o.kubeContext)
	}
	if err != nil {
		return nil, fmt.Errorf("client configuration: %w", err)
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = float32(o.qps), o.burst
	cfg.UserAgent = progName + "/" + kspm.Version
	return cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		report.Fprintf(stderr, "%s: %v\nRun '%s -h' for usage.\n", progName, err, progName)
		return exitUsage
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: o.logLevel}))
	cfg, err := restConfig(ctx, o)
	if err != nil {
		logger.Error("cannot start", "error", report.Escape(err.Error()))
		return exitError
	}
	c := clients{newMonitor: func(bs []benchmark.Benchmark, opts ...monitor.Option) (*monitor.Monitor, error) {
		return monitor.NewForConfig(cfg, bs, opts...)
	}}
	if !o.dryRun && len(o.reports) > 0 {
		if c.dynamic, err = dynamic.NewForConfig(cfg); err != nil {
			logger.Error("cannot start", "error", report.Escape(err.Error()))
			return exitError
		}
	}
	if err := serve(ctx, o, c, stdout, logger); err != nil {
		logger.Error("stopped", "error", report.Escape(err.Error()))
		return exitError
	}
	return exitOK
}

// clients make what serve talks to the cluster with.
type clients struct {
	newMonitor func([]benchmark.Benchmark, ...monitor.Option) (*monitor.Monitor, error)
	dynamic    dynamic.Interface // nil for a dry run or no reports
}

// serve runs the monitor, the report writer and the HTTP servers until ctx ends (nil) or
// something fails.
func serve(ctx context.Context, o *options, c clients, stdout io.Writer, logger *slog.Logger) error {
	bs, err := kspm.SelectBenchmarks(o.benchmarks)
	if err != nil {
		return err
	}
	var dryRun io.Writer
	if o.dryRun {
		dryRun = stdout
	}
	pub, err := publish.New(c.dynamic, o.publishOptions(dryRun, logger)...)
	if err != nil {
		return err
	}
	previous, err := pub.Load(ctx)
	if err != nil {
		if errors.Is(err, publish.ErrNotServed) {
			err = fmt.Errorf("%w; install the OpenReports CRDs (and wgpolicyk8s.io's for --reports policyreports), or pass --reports none", err)
		}
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	met, err := publish.NewMetrics(reg, bs, publish.WithReportStats(pub))
	if err != nil {
		return err
	}

	opts := []monitor.Option{monitor.WithResync(o.resync), monitor.WithTool(progName, kspm.Version)}
	if !o.dryRun && len(o.reports) > 0 {
		opts = append(opts, monitor.WithPrevious(previous))
	}
	if !o.allKinds {
		if kinds := watchedKinds(bs); kinds != nil {
			opts = append(opts, monitor.WithClusterOptions(inventory.WithKinds(kinds...)))
		}
	}
	if o.defaultNamespace && readsDefaultNamespace(bs) {
		opts = append(opts, monitor.WithClusterOptions(inventory.WithDefaultNamespaceListing(),
			inventory.WithDefaultNamespaceRefresh(o.defaultNamespaceEvery)))
	}
	var m *monitor.Monitor
	opts = append(opts, monitor.WithUpdates(func(u monitor.Update) {
		logUpdate(logger, u)
		met.Update(m, u)
		pub.Update(m, u)
	}))
	if m, err = c.newMonitor(bs, opts...); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, 4)
	servers, err := listen(o, reg, func() bool {
		select {
		case <-m.Ready():
			return true
		default:
			return false
		}
	})
	if err != nil {
		return err
	}
	for _, s := range servers {
		go func() {
			if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("serving %s: %w", s.ln.Addr(), err)
			}
		}()
		logger.Info("serving", "address", s.ln.Addr().String(), "paths", s.paths)
	}
	go func() { errs <- pub.Run(ctx) }()
	go func() { errs <- m.Run(ctx) }()
	logger.Info("monitoring", "benchmarks", o.benchmarks, "reports", o.reports, "dryRun", o.dryRun, "version", kspm.Version)

	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
	}
	cancel()
	shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	for _, s := range servers {
		_ = s.srv.Shutdown(shutdown)
	}
	if first != nil && !errors.Is(first, context.Canceled) {
		return first
	}
	logger.Info("stopped", "reason", "signal")
	return nil
}

// server is one HTTP server and its listener.
type server struct {
	srv   *http.Server
	ln    net.Listener
	paths []string
}

// listen opens the metrics and probe listeners (one when their addresses are the same).
func listen(o *options, reg *prometheus.Registry, ready func() bool) ([]server, error) {
	type endpoint struct {
		addr  string
		mux   *http.ServeMux
		paths []string
	}
	var eps []*endpoint
	at := func(addr string) *endpoint {
		for _, e := range eps {
			if e.addr == addr {
				return e
			}
		}
		e := &endpoint{addr: addr, mux: http.NewServeMux()}
		eps = append(eps, e)
		return e
	}
	if o.metricsAddr != "" {
		e := at(o.metricsAddr)
		e.mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
		e.paths = append(e.paths, "/metrics")
	}
	if o.probeAddr != "" {
		e := at(o.probeAddr)
		e.mux.Handle("/healthz", probe(func() bool { return true }))
		e.mux.Handle("/readyz", probe(ready))
		e.paths = append(e.paths, "/healthz", "/readyz")
	}
	var out []server
	for _, e := range eps {
		ln, err := net.Listen("tcp", e.addr)
		if err != nil {
			for _, s := range out {
				s.ln.Close()
			}
			return nil, err
		}
		out = append(out, server{srv: &http.Server{Handler: e.mux, ReadHeaderTimeout: 5 * time.Second}, ln: ln, paths: e.paths})
	}
	return out, nil
}

// probe answers 200 "ok" while ok says so, else 503.
func probe(ok func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ok() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready: the first evaluation is not done")
			return
		}
		fmt.Fprintln(w, "ok")
	})
}

// logUpdate logs what an evaluation changed: one JSON line per change of a finding (opened,
// resolved, or a finding changed: its status or message), and one line for the evaluation
// (info for the first, debug for the others). Text from the cluster is escaped.
func logUpdate(logger *slog.Logger, u monitor.Update) {
	findings := 0
	for _, d := range u.Deltas {
		if !isFinding(d.Before) && !isFinding(d.After) {
			continue // a pass or notApplicable result that came, went or changed
		}
		findings++
		r := d.After
		if r == nil {
			r = d.Before
		}
		attrs := []any{"revision", u.Revision, "check", report.Escape(d.Key.CheckID), "severity", string(r.Severity),
			"kind", report.Escape(d.Key.Kind), "namespace", report.Escape(d.Key.Namespace), "name", report.Escape(d.Key.Name)}
		if d.Key.Field != "" {
			attrs = append(attrs, "field", report.Escape(d.Key.Field))
		}
		if d.Before != nil {
			attrs = append(attrs, "before", string(d.Before.Status))
		}
		if d.After != nil {
			attrs = append(attrs, "status", string(d.After.Status), "message", report.Escape(d.After.Message))
		}
		logger.Info("finding "+string(d.Kind), attrs...)
	}
	for _, c := range u.Coverage {
		logger.Warn("coverage changed", "group", c.Group, "kind", c.Kind, "state", string(c.State), "reason", report.Escape(c.Reason))
	}
	level := slog.LevelDebug
	if u.Initial {
		level = slog.LevelInfo
	}
	logger.Log(context.Background(), level, "evaluated", "revision", u.Revision, "initial", u.Initial,
		"objectsChanged", u.Objects, "findingChanges", findings, "deltas", len(u.Deltas),
		"duration", u.Duration.String(), "checksRunWhole", len(u.Whole), "checksRunTargeted", u.Targeted)
}

func isFinding(r *check.Result) bool { return r != nil && monitor.IsFinding(r.Status) }
