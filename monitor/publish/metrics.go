package publish

import (
	"fmt"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
)

// StatsSource is what Metrics reads from the monitor it publishes: *monitor.Monitor.
type StatsSource interface {
	Source
	// Stats returns what the monitor did and holds.
	Stats() monitor.Stats
}

// Metrics serves a monitor's results and workings as Prometheus metrics:
//
//   - kspm_findings{benchmark,check,severity,status,namespace}: the current findings (results
//     of status fail, error, notEvaluated or manual; see monitor.IsFinding), by the benchmark
//     the check is first in, the check's ID, its severity, the status and the namespace of the
//     object ("" for cluster-scoped objects and results about no object). A series exists
//     only while its count is not zero, so there are at most as many as checks × statuses ×
//     namespaces with findings; WithoutNamespaceLabel leaves the namespace out (always "")
//     for clusters with many namespaces;
//   - kspm_evaluations_total, kspm_evaluation_duration_seconds (a histogram), and
//     kspm_deltas_total{kind} (opened, resolved, changed);
//   - kspm_last_evaluation_timestamp_seconds and kspm_last_full_evaluation_timestamp_seconds
//     (every check re-run over the whole inventory: the first evaluation and each resync);
//   - the watch: kspm_watch_lists_total, kspm_watch_relists_total (after a 410 Gone),
//     kspm_watch_list_errors_total and kspm_watch_starts_total (each kind's first watch and
//     every restart: its rate is the watch restarts);
//   - the monitor's memory: kspm_monitor_heap_live_bytes (the process's live heap, see
//     monitor.Stats), kspm_monitor_objects, kspm_monitor_overlay_objects and
//     kspm_monitor_results;
//   - with WithReportStats, the report objects: kspm_report_writes_total{op} (create,
//     update, delete), kspm_report_unchanged_total, kspm_report_conflicts_total,
//     kspm_report_errors_total, kspm_report_repairs_total (scopes the reconcile found
//     changed in the cluster and wrote again), kspm_report_objects,
//     kspm_report_foreign_objects (names held by objects not this monitor's, left alone) and
//     kspm_report_pending_scopes.
//
// Feed it every update with Update; its methods are safe for concurrent use.
type Metrics struct {
	findings    *prometheus.GaugeVec
	evaluations prometheus.Counter
	duration    prometheus.Histogram
	deltas      *prometheus.CounterVec

	benchmarkOf map[string]string
	namespaces  bool

	mu      sync.Mutex
	started bool
	counts  map[findingLabels]int
	src     StatsSource
	reports *Reports
}

// findingLabels are the labels of one series of kspm_findings.
type findingLabels struct{ benchmark, check, severity, status, namespace string }

// MetricsOption configures NewMetrics.
type MetricsOption interface{ applyMetrics(*Metrics) }

type metricsOptionFunc func(*Metrics)

func (f metricsOptionFunc) applyMetrics(m *Metrics) { f(m) }

// WithoutNamespaceLabel sets the namespace label of kspm_findings to "" on every series, so
// that its series do not grow with the namespaces.
func WithoutNamespaceLabel() MetricsOption {
	return metricsOptionFunc(func(m *Metrics) { m.namespaces = false })
}

// WithReportStats adds the metrics of the report objects p writes.
func WithReportStats(p *Reports) MetricsOption {
	return metricsOptionFunc(func(m *Metrics) { m.reports = p })
}

// NewMetrics registers the metrics of a monitor of benchmarks with reg.
func NewMetrics(reg prometheus.Registerer, benchmarks []benchmark.Benchmark, opts ...MetricsOption) (*Metrics, error) {
	m := &Metrics{
		findings: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kspm_findings",
			Help: "Current findings (results of status fail, error, notEvaluated or manual) by benchmark, check, severity, status and namespace."},
			[]string{"benchmark", "check", "severity", "status", "namespace"}),
		evaluations: prometheus.NewCounter(prometheus.CounterOpts{Name: "kspm_evaluations_total",
			Help: "Evaluations of the monitor (one per batch of changes, first and resyncs included)."}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kspm_evaluation_duration_seconds",
			Help:    "How long each evaluation took.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}),
		deltas: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kspm_deltas_total",
			Help: "Changes of results, by kind: opened, resolved, changed."}, []string{"kind"}),
		benchmarkOf: make(map[string]string),
		namespaces:  true,
		counts:      make(map[findingLabels]int),
	}
	for _, o := range opts {
		if o != nil {
			o.applyMetrics(m)
		}
	}
	for _, b := range benchmarks {
		for _, c := range b.Checks {
			if c == nil {
				continue
			}
			if id := c.Meta().ID; m.benchmarkOf[id] == "" {
				m.benchmarkOf[id] = b.Name
			}
		}
	}
	for _, k := range []monitor.DeltaKind{monitor.Opened, monitor.Resolved, monitor.Changed} {
		m.deltas.WithLabelValues(string(k))
	}
	for _, c := range []prometheus.Collector{m.findings, m.evaluations, m.duration, m.deltas, (*statsCollector)(m)} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("publish: metrics: %w", err)
		}
	}
	return m, nil
}

// Update takes one of the monitor's updates, src being the monitor (its report is read at
// the first update, its Stats at each scrape).
func (m *Metrics) Update(src StatsSource, u monitor.Update) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.src = src
	m.evaluations.Inc()
	m.duration.Observe(u.Duration.Seconds())
	for _, d := range u.Deltas {
		m.deltas.WithLabelValues(string(d.Kind)).Inc()
	}
	if !m.started {
		cur, err := current(src, u)
		if err != nil {
			return // tried again at the next update
		}
		m.started = true
		for k, r := range cur {
			m.add(k.Namespace, &r, 1)
		}
		return
	}
	for _, d := range u.Deltas {
		m.add(d.Key.Namespace, d.Before, -1)
		m.add(d.Key.Namespace, d.After, 1)
	}
}

// add adds n to the findings r counts in, unless r is nil or no finding.
func (m *Metrics) add(namespace string, r *check.Result, n int) {
	if r == nil || !monitor.IsFinding(r.Status) {
		return
	}
	if !m.namespaces {
		namespace = ""
	}
	l := findingLabels{benchmark: m.benchmarkOf[r.CheckID], check: r.CheckID, severity: string(r.Severity),
		status: string(r.Status), namespace: namespace}
	values := []string{labelValue(l.benchmark), labelValue(l.check), labelValue(l.severity), labelValue(l.status),
		labelValue(l.namespace)}
	c := m.counts[l] + n
	if c <= 0 {
		delete(m.counts, l)
		m.findings.DeleteLabelValues(values...)
		return
	}
	m.counts[l] = c
	m.findings.WithLabelValues(values...).Set(float64(c))
}

// labelValue is v as valid UTF-8, which label values must be (a check ID comes from a file).
func labelValue(v string) string { return strings.ToValidUTF8(v, "\uFFFD") }

// statsCollector collects the metrics read from the monitor's (and the reports') Stats, once
// per scrape.
type statsCollector Metrics

var (
	descLastEvaluation = prometheus.NewDesc("kspm_last_evaluation_timestamp_seconds",
		"When the last evaluation finished, in seconds since the epoch.", nil, nil)
	descLastWhole = prometheus.NewDesc("kspm_last_full_evaluation_timestamp_seconds",
		"When every check last ran over the whole inventory (the first evaluation, a resync), in seconds since the epoch.", nil, nil)
	descLists     = prometheus.NewDesc("kspm_watch_lists_total", "Lists of the cluster's kinds that completed (each kind's first included).", nil, nil)
	descRelists   = prometheus.NewDesc("kspm_watch_relists_total", "Lists after a kind's first: a watch that could not be resumed (410 Gone).", nil, nil)
	descListErrs  = prometheus.NewDesc("kspm_watch_list_errors_total", "Lists that failed.", nil, nil)
	descWatches   = prometheus.NewDesc("kspm_watch_starts_total", "Watches started: each kind's first, then every restart (the server ends a watch every few minutes, or it fails).", nil, nil)
	descHeap      = prometheus.NewDesc("kspm_monitor_heap_live_bytes", "The process's live heap after the last garbage collection: in a program that runs only a monitor, the monitor's memory.", nil, nil)
	descObjects   = prometheus.NewDesc("kspm_monitor_objects", "Objects of the current inventory.", nil, nil)
	descOverlay   = prometheus.NewDesc("kspm_monitor_overlay_objects", "Objects of the current inventory not shared with the flat inventory before it.", nil, nil)
	descResults   = prometheus.NewDesc("kspm_monitor_results", "Current results (those of the monitor's report).", nil, nil)
	descWrites    = prometheus.NewDesc("kspm_report_writes_total", "Report objects written, by operation.", []string{"op"}, nil)
	descUnchanged = prometheus.NewDesc("kspm_report_unchanged_total", "Report objects not written because the cluster holds them as they should be.", nil, nil)
	descConflicts = prometheus.NewDesc("kspm_report_conflicts_total", "Writes answered with a conflict (409), read again and retried.", nil, nil)
	descErrors    = prometheus.NewDesc("kspm_report_errors_total", "Scopes whose report objects could not be written (retried with backoff).", nil, nil)
	descRObjects  = prometheus.NewDesc("kspm_report_objects", "Report objects held written.", nil, nil)
	descRepairs   = prometheus.NewDesc("kspm_report_repairs_total", "Scopes whose report objects were found deleted, edited or recreated in the cluster, and written again.", nil, nil)
	descForeign   = prometheus.NewDesc("kspm_report_foreign_objects", "Report object names held by objects that are not this monitor's (left alone; their results are not published).", nil, nil)
	descPending   = prometheus.NewDesc("kspm_report_pending_scopes", "Scopes (namespaces, the cluster) waiting to be written.", nil, nil)
)

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLastEvaluation, descLastWhole, descLists, descRelists, descListErrs,
		descWatches, descHeap, descObjects, descOverlay, descResults} {
		ch <- d
	}
	if c.reports != nil {
		for _, d := range []*prometheus.Desc{descWrites, descUnchanged, descConflicts, descErrors, descRepairs, descRObjects, descForeign, descPending} {
			ch <- d
		}
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	src := c.src
	c.mu.Unlock()
	if src != nil {
		s := src.Stats()
		gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
		}
		if !s.LastEvaluation.IsZero() {
			gauge(descLastEvaluation, float64(s.LastEvaluation.UnixNano())/1e9)
		}
		if !s.LastWhole.IsZero() {
			gauge(descLastWhole, float64(s.LastWhole.UnixNano())/1e9)
		}
		counter(descLists, float64(s.Watch.Lists))
		counter(descRelists, float64(s.Watch.Relists))
		counter(descListErrs, float64(s.Watch.ListErrors))
		counter(descWatches, float64(s.Watch.Watches))
		gauge(descHeap, float64(s.HeapLiveBytes))
		gauge(descObjects, float64(s.Objects))
		gauge(descOverlay, float64(s.Overlay))
		gauge(descResults, float64(s.Results))
	}
	if p := c.reports; p != nil {
		s := p.Stats()
		for op, v := range map[string]int{"create": s.Creates, "update": s.Updates, "delete": s.Deletes} {
			ch <- prometheus.MustNewConstMetric(descWrites, prometheus.CounterValue, float64(v), op)
		}
		ch <- prometheus.MustNewConstMetric(descUnchanged, prometheus.CounterValue, float64(s.Unchanged))
		ch <- prometheus.MustNewConstMetric(descConflicts, prometheus.CounterValue, float64(s.Conflicts))
		ch <- prometheus.MustNewConstMetric(descErrors, prometheus.CounterValue, float64(s.Errors))
		ch <- prometheus.MustNewConstMetric(descRepairs, prometheus.CounterValue, float64(s.Repairs))
		ch <- prometheus.MustNewConstMetric(descRObjects, prometheus.GaugeValue, float64(s.Objects))
		ch <- prometheus.MustNewConstMetric(descForeign, prometheus.GaugeValue, float64(s.Foreign))
		ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(p.Pending()))
	}
}
