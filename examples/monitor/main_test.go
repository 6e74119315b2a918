package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/monitor/publish"
	"github.com/kspm-dev/kspm/report/openreports"
	"github.com/kspm-dev/kspm/report/policyreport"
)

func TestParseArgs(t *testing.T) {
	o, err := parseArgs(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, kspm.DefaultBenchmarkNames(), o.benchmarks)
	assert.Equal(t, []publish.Kind{publish.OpenReports}, o.reports)
	assert.Equal(t, ":8080", o.metricsAddr)
	assert.Equal(t, ":8081", o.probeAddr)
	assert.Equal(t, "kspm", o.instance)
	assert.Equal(t, slog.LevelInfo, o.logLevel)
	assert.Equal(t, publish.DefaultReconcile, o.reportReconcile)
	assert.True(t, o.defaultNamespace, "namespace default's other resources are listed by default")
	assert.Equal(t, inventory.DefaultNamespaceRefresh, o.defaultNamespaceEvery)

	o, err = parseArgs([]string{"-b", "workloads, pss-restricted", "--reports", "none", "--dry-run", "--log-level", "debug",
		"--report-reconcile", "0", "--default-namespace=false", "--default-namespace-every", "1h"}, io.Discard)
	require.NoError(t, err)
	assert.False(t, o.defaultNamespace)
	assert.Equal(t, time.Hour, o.defaultNamespaceEvery)
	assert.Zero(t, o.reportReconcile)
	assert.Equal(t, []string{"workloads", "pss-restricted"}, o.benchmarks)
	assert.Empty(t, o.reports)
	assert.True(t, o.dryRun)
	assert.Equal(t, slog.LevelDebug, o.logLevel)

	for _, args := range [][]string{
		{"--reports", "vulnerabilityreports"},
		{"--report-results", "passed"},
		{"--instance", "Bad_Name"},
		{"--max-results", "0"},
		{"--report-reconcile", "-1s"},
		{"-b", ""},
		{"--in-cluster", "--kubeconfig", "x"},
		{"--log-level", "loud"},
		{"--default-namespace-every", "0s"},
		{"extra"},
	} {
		_, err := parseArgs(args, io.Discard)
		assert.Error(t, err, "%q", args)
	}
	_, err = parseArgs([]string{"-h"}, io.Discard)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Equal(t, exitUsage, run(t.Context(), []string{"--reports", "x"}, io.Discard, io.Discard))
	assert.Equal(t, exitOK, run(t.Context(), []string{"-h"}, io.Discard, io.Discard))
}

func TestReadsDefaultNamespace(t *testing.T) {
	for names, want := range map[string]bool{"workloads": true, "cis-1.12": true, "network": false, "rbac": false} {
		bs, err := kspm.SelectBenchmarks([]string{names})
		require.NoError(t, err)
		assert.Equal(t, want, readsDefaultNamespace(bs), names)
	}
}

func TestWatchedKinds(t *testing.T) {
	kinds := func(names ...string) []schema.GroupKind {
		bs, err := kspm.SelectBenchmarks(names)
		require.NoError(t, err)
		return watchedKinds(bs)
	}
	w := kinds("workloads")
	assert.Contains(t, w, inventory.KindPod)
	assert.Contains(t, w, inventory.KindDeployment)
	assert.NotContains(t, w, inventory.KindClusterRole, "workloads reads no cluster-wide RBAC")
	assert.NotContains(t, w, inventory.KindNode)

	n := kinds("network")
	assert.Contains(t, n, inventory.KindNetworkPolicy)
	assert.Contains(t, n, schema.GroupKind{Group: "cilium.io", Kind: "CiliumNetworkPolicy"}, "asked of discovery")

	d := kinds(kspm.DefaultBenchmarkNames()...)
	assert.NotContains(t, d, inventory.KindMutatingWebhookConfiguration, "no default check reads them")

	// Every kind a check reads is watched.
	bs, err := kspm.SelectBenchmarks(kspm.BenchmarkNames())
	require.NoError(t, err)
	all := watchedKinds(bs)
	for _, b := range bs {
		for _, c := range b.Checks {
			m := c.Meta()
			for _, gk := range slices.Concat(m.Kinds, m.Requires) {
				if _, builtin := inventory.LookupKind(gk); builtin {
					assert.Contains(t, all, gk, "%s reads %s", m.ID, gk)
				}
			}
		}
	}

	// A check that says nothing of what it reads: every kind.
	odd := check.New(check.Meta{ID: "x:y", Title: "t", Severity: check.Low, Remediation: "r"},
		func(context.Context, *check.Pass) error { return nil })
	assert.Nil(t, watchedKinds([]benchmark.Benchmark{{Name: "x", Checks: []check.Check{odd}}}))
}

// syncBuffer is a buffer written by several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the JSON lines of s.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	return out
}

func privilegedPod(name string, privileged bool) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}
}

// running is serve running over a fake cluster until the test ends.
type running struct {
	cs     *fake.Clientset
	out    *syncBuffer
	logs   *syncBuffer
	base   string // the HTTP server's URL
	cancel context.CancelFunc
	done   chan error
}

func startServe(t *testing.T, dyn *dynamicfake.FakeDynamicClient, args ...string) *running {
	t.Helper()
	o, err := parseArgs(append([]string{"-b", "workloads", "--metrics-address", "127.0.0.1:0",
		"--probe-address", "127.0.0.1:0", "--resync", "0"}, args...), io.Discard)
	require.NoError(t, err)
	r := &running{cs: fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, privilegedPod("api", false)),
		out: &syncBuffer{}, logs: &syncBuffer{}, done: make(chan error, 1)}
	c := clients{newMonitor: func(bs []benchmark.Benchmark, opts ...monitor.Option) (*monitor.Monitor, error) {
		return monitor.New(r.cs, bs, opts...)
	}}
	if dyn != nil {
		c.dynamic = dyn
	}
	logger := slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(t.Context())
	r.cancel = cancel
	go func() { r.done <- serve(ctx, o, c, r.out, logger) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	require.Eventually(t, func() bool {
		for _, l := range r.logs.lines(t) {
			if l["msg"] == "serving" {
				r.base = "http://" + l["address"].(string)
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond)
	return r
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// logged returns the messages logged, with the given attribute's value.
func (r *running) logged(t *testing.T, attr string) []string {
	var out []string
	for _, l := range r.logs.lines(t) {
		out = append(out, l["msg"].(string)+" "+stringOf(l[attr]))
	}
	return out
}

func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func TestServeDryRun(t *testing.T) {
	r := startServe(t, nil, "--metrics-address", "127.0.0.1:0", "--probe-address", "127.0.0.1:0", "--dry-run")
	require.Eventually(t, func() bool { code, _ := get(t, r.base+"/readyz"); return code == http.StatusOK },
		10*time.Second, 20*time.Millisecond)
	code, body := get(t, r.base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)

	_, err := r.cs.CoreV1().Pods("shop").Create(t.Context(), privilegedPod("web", true), metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return slices.Contains(r.logged(t, "check"), "finding opened workloads:privileged")
	}, 10*time.Second, 20*time.Millisecond)
	for _, l := range r.logs.lines(t) {
		if l["msg"] == "finding opened" && l["check"] == "workloads:privileged" {
			assert.Equal(t, "web", l["name"])
			assert.Equal(t, "Pod", l["kind"])
			assert.Equal(t, "fail", l["status"])
			assert.Equal(t, "critical", l["severity"])
			assert.Equal(t, "spec.containers[0].securityContext.privileged", l["field"])
		}
	}
	// The report objects, printed (after the write delay).
	require.Eventually(t, func() bool { return strings.Contains(r.out.String(), `"name":"web"`) }, 10*time.Second, 20*time.Millisecond)
	var rep map[string]any
	for _, l := range (&syncBuffer{b: *bytes.NewBufferString(r.out.String())}).lines(t) {
		if l["kind"] == "Report" {
			rep = l
		}
	}
	require.NotNil(t, rep)
	assert.Equal(t, "shop", rep["metadata"].(map[string]any)["namespace"])

	code, body = get(t, r.base+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `kspm_findings{benchmark="workloads",check="workloads:privileged",namespace="shop",severity="critical",status="fail"} 1`)
	assert.Contains(t, body, "kspm_evaluation_duration_seconds_count")
	assert.Contains(t, body, "kspm_last_full_evaluation_timestamp_seconds")
	assert.Contains(t, body, "kspm_watch_starts_total")
	assert.Contains(t, body, "go_goroutines")

	r.cancel()
	select {
	case err := <-r.done:
		assert.NoError(t, err, "SIGTERM: a clean stop")
		r.done <- err
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	assert.Contains(t, r.logged(t, "reason"), "stopped signal")
}

func TestServeWritesReports(t *testing.T) {
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		openreports.ReportResource: "ReportList", openreports.ClusterReportResource: "ClusterReportList",
		policyreport.PolicyReportResource: "PolicyReportList", policyreport.ClusterPolicyReportResource: "ClusterPolicyReportList",
	})
	r := startServe(t, dyn, "--reports", "openreports,policyreports", "--probe-address", "")
	_, err := r.cs.CoreV1().Pods("shop").Create(t.Context(), privilegedPod("web", true), metav1.CreateOptions{})
	require.NoError(t, err)
	for _, res := range []schema.GroupVersionResource{openreports.ReportResource, policyreport.PolicyReportResource} {
		require.Eventually(t, func() bool {
			u, err := dyn.Resource(res).Namespace("shop").Get(t.Context(), "kspm-0", metav1.GetOptions{})
			return err == nil && strings.Contains(stringify(u.Object), `"name":"web"`)
		}, 10*time.Second, 20*time.Millisecond, res.Resource)
	}
	code, _ := get(t, r.base+"/readyz")
	assert.Equal(t, 404, code, "no probe server asked for")
}

func stringify(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func TestServeFailsWithoutTheCRDs(t *testing.T) {
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		openreports.ReportResource: "ReportList", openreports.ClusterReportResource: "ClusterReportList"})
	dyn.PrependReactor("list", "reports", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(openreports.ReportResource.GroupResource(), "")
	})
	o, err := parseArgs([]string{"-b", "workloads", "--metrics-address", "", "--probe-address", ""}, io.Discard)
	require.NoError(t, err)
	err = serve(t.Context(), o, clients{dynamic: dyn}, io.Discard, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.ErrorIs(t, err, publish.ErrNotServed)
	assert.Contains(t, err.Error(), "install the OpenReports CRDs")
}
