package publish

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/report/openreports"
)

// statsSource is a monitor whose report and stats are given.
type statsSource struct {
	fakeSource
	stats monitor.Stats
}

func (s *statsSource) Stats() monitor.Stats { return s.stats }

func TestFindingsGauge(t *testing.T) {
	bs, err := kspm.SelectBenchmarks([]string{"workloads", "pss-restricted"})
	require.NoError(t, err)
	reg := prometheus.NewPedanticRegistry()
	m, err := NewMetrics(reg, bs)
	require.NoError(t, err)

	web := privileged("shop", "web", check.StatusFail)
	web.Severity = check.Critical
	api := privileged("shop", "api", check.StatusFail)
	api.Severity = check.Critical
	lab := privileged("lab", "x", check.StatusNotEvaluated)
	lab.Severity = check.Critical
	src := &statsSource{fakeSource: fakeSource{results: []check.Result{web, api, lab,
		privileged("shop", "ok", check.StatusPass),
		result("cis:1.2.1", check.StatusNotEvaluated, nil, "", "no apiserver"),
	}}}
	m.Update(src, monitor.Update{Revision: 1, Initial: true, Duration: 30 * time.Millisecond})
	assert.NoError(t, testutil.CollectAndCompare(m.findings, strings.NewReader(`
# HELP kspm_findings Current findings (results of status fail, error, notEvaluated or manual) by benchmark, check, severity, status and namespace.
# TYPE kspm_findings gauge
kspm_findings{benchmark="",check="cis:1.2.1",namespace="",severity="high",status="notEvaluated"} 1
kspm_findings{benchmark="workloads",check="workloads:privileged",namespace="lab",severity="critical",status="notEvaluated"} 1
kspm_findings{benchmark="workloads",check="workloads:privileged",namespace="shop",severity="critical",status="fail"} 2
`)))

	// web fixed, lab evaluated again and failing, a stand-in for api (its kind forbidden).
	fixed := web
	fixed.Status = check.StatusPass
	labFail := lab
	labFail.Status = check.StatusFail
	apiStandIn := api
	apiStandIn.Status = check.StatusNotEvaluated
	m.Update(src, monitor.Update{Revision: 2, Duration: 2 * time.Millisecond, Deltas: []monitor.Delta{
		{Kind: monitor.Resolved, Key: keyOf(web, 0), Before: &web, After: &fixed},
		{Kind: monitor.Changed, Key: keyOf(lab, 0), Before: &lab, After: &labFail},
		{Kind: monitor.Changed, Key: keyOf(api, 0), Before: &api, After: &apiStandIn},
	}})
	assert.NoError(t, testutil.CollectAndCompare(m.findings, strings.NewReader(`
# HELP kspm_findings Current findings (results of status fail, error, notEvaluated or manual) by benchmark, check, severity, status and namespace.
# TYPE kspm_findings gauge
kspm_findings{benchmark="",check="cis:1.2.1",namespace="",severity="high",status="notEvaluated"} 1
kspm_findings{benchmark="workloads",check="workloads:privileged",namespace="lab",severity="critical",status="fail"} 1
kspm_findings{benchmark="workloads",check="workloads:privileged",namespace="shop",severity="critical",status="notEvaluated"} 1
`)), "series at zero are deleted")
	assert.Equal(t, 2.0, testutil.ToFloat64(m.evaluations))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.deltas.WithLabelValues("resolved")))
	assert.Equal(t, 2.0, testutil.ToFloat64(m.deltas.WithLabelValues("changed")))
	assert.Equal(t, 0.0, testutil.ToFloat64(m.deltas.WithLabelValues("opened")))
	assert.NoError(t, testutil.CollectAndCompare(m.duration, strings.NewReader(`
# HELP kspm_evaluation_duration_seconds How long each evaluation took.
# TYPE kspm_evaluation_duration_seconds histogram
kspm_evaluation_duration_seconds_bucket{le="0.001"} 0
kspm_evaluation_duration_seconds_bucket{le="0.004"} 1
kspm_evaluation_duration_seconds_bucket{le="0.016"} 1
kspm_evaluation_duration_seconds_bucket{le="0.064"} 2
kspm_evaluation_duration_seconds_bucket{le="0.256"} 2
kspm_evaluation_duration_seconds_bucket{le="1.024"} 2
kspm_evaluation_duration_seconds_bucket{le="4.096"} 2
kspm_evaluation_duration_seconds_bucket{le="16.384"} 2
kspm_evaluation_duration_seconds_bucket{le="65.536"} 2
kspm_evaluation_duration_seconds_bucket{le="262.144"} 2
kspm_evaluation_duration_seconds_bucket{le="+Inf"} 2
kspm_evaluation_duration_seconds_sum 0.032
kspm_evaluation_duration_seconds_count 2
`)))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

func TestFindingsWithoutNamespaceLabel(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry(), nil, WithoutNamespaceLabel())
	require.NoError(t, err)
	src := &statsSource{fakeSource: fakeSource{results: []check.Result{privileged("a", "x", check.StatusFail),
		privileged("b", "y", check.StatusFail), privileged("c", "z", check.StatusManual)}}}
	m.Update(src, monitor.Update{Initial: true})
	assert.Equal(t, 2, testutil.CollectAndCount(m.findings))
	assert.Equal(t, 2.0, testutil.ToFloat64(m.findings.WithLabelValues("", "workloads:privileged", "high", "fail", "")))
}

func TestStatsMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	client := newClient()
	p := newReports(t, client)
	m, err := NewMetrics(reg, nil, WithReportStats(p))
	require.NoError(t, err)
	at := time.Unix(1700000000, 500000000)
	src := &statsSource{stats: monitor.Stats{Objects: 120, Results: 900, Overlay: 7, HeapLiveBytes: 1 << 20,
		LastEvaluation: at, LastWhole: at.Add(-time.Hour),
		Watch: inventory.WatchStats{Lists: 26, Relists: 2, Watches: 30, ListErrors: 1}}}
	src.results = []check.Result{privileged("shop", "web", check.StatusFail)}
	cluster := result("cis:1.2.1", check.StatusNotEvaluated, nil, "", "no kube-apiserver pod seen")
	m.Update(src, monitor.Update{Initial: true})
	p.Update(src, monitor.Update{Initial: true, Time: at})
	p.flush(t)
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP kspm_last_evaluation_timestamp_seconds When the last evaluation finished, in seconds since the epoch.
# TYPE kspm_last_evaluation_timestamp_seconds gauge
kspm_last_evaluation_timestamp_seconds 1.7000000005e+09
# HELP kspm_last_full_evaluation_timestamp_seconds When every check last ran over the whole inventory (the first evaluation, a resync), in seconds since the epoch.
# TYPE kspm_last_full_evaluation_timestamp_seconds gauge
kspm_last_full_evaluation_timestamp_seconds 1.6999964005e+09
# HELP kspm_watch_relists_total Lists after a kind's first: a watch that could not be resumed (410 Gone).
# TYPE kspm_watch_relists_total counter
kspm_watch_relists_total 2
# HELP kspm_watch_starts_total Watches started: each kind's first, then every restart (the server ends a watch every few minutes, or it fails).
# TYPE kspm_watch_starts_total counter
kspm_watch_starts_total 30
# HELP kspm_monitor_heap_live_bytes The process's live heap after the last garbage collection: in a program that runs only a monitor, the monitor's memory.
# TYPE kspm_monitor_heap_live_bytes gauge
kspm_monitor_heap_live_bytes 1.048576e+06
# HELP kspm_monitor_objects Objects of the current inventory.
# TYPE kspm_monitor_objects gauge
kspm_monitor_objects 120
# HELP kspm_report_writes_total Report objects written, by operation.
# TYPE kspm_report_writes_total counter
kspm_report_writes_total{op="create"} 1
kspm_report_writes_total{op="delete"} 0
kspm_report_writes_total{op="update"} 0
# HELP kspm_report_objects Report objects held written.
# TYPE kspm_report_objects gauge
kspm_report_objects 1
`), "kspm_last_evaluation_timestamp_seconds", "kspm_last_full_evaluation_timestamp_seconds", "kspm_watch_relists_total",
		"kspm_watch_starts_total", "kspm_monitor_heap_live_bytes", "kspm_monitor_objects", "kspm_report_writes_total",
		"kspm_report_objects"))

	// Deleted by someone, repaired by the reconcile; then taken by someone else.
	require.NoError(t, client.Resource(openreports.ReportResource).Namespace("shop").Delete(t.Context(), "kspm-0", metav1.DeleteOptions{}))
	require.NoError(t, p.reconcile(t.Context()))
	p.flush(t)
	taken := &unstructured.Unstructured{}
	taken.SetAPIVersion("openreports.io/v1alpha1")
	taken.SetKind("ClusterReport")
	taken.SetName("kspm-0")
	_, err = client.Resource(openreports.ClusterReportResource).Create(t.Context(), taken, metav1.CreateOptions{})
	require.NoError(t, err)
	p.Update(src, monitor.Update{Deltas: []monitor.Delta{{Kind: monitor.Opened, Key: keyOf(cluster, 0), After: &cluster}}})
	p.flush(t)
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP kspm_report_repairs_total Scopes whose report objects were found deleted, edited or recreated in the cluster, and written again.
# TYPE kspm_report_repairs_total counter
kspm_report_repairs_total 1
# HELP kspm_report_foreign_objects Report object names held by objects that are not this monitor's (left alone; their results are not published).
# TYPE kspm_report_foreign_objects gauge
kspm_report_foreign_objects 1
# HELP kspm_report_pending_scopes Scopes (namespaces, the cluster) waiting to be written.
# TYPE kspm_report_pending_scopes gauge
kspm_report_pending_scopes 1
# HELP kspm_report_writes_total Report objects written, by operation.
# TYPE kspm_report_writes_total counter
kspm_report_writes_total{op="create"} 2
kspm_report_writes_total{op="delete"} 0
kspm_report_writes_total{op="update"} 0
`), "kspm_report_repairs_total", "kspm_report_foreign_objects", "kspm_report_pending_scopes", "kspm_report_writes_total"))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	assert.Empty(t, problems)
}
