//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report/openreports"
	"github.com/kspm-dev/kspm/report/policyreport"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// publishInstallCRDs installs the report kinds' CRDs of testdata/report-crds.yaml (unless a
// test before did) and waits until the server serves them.
func publishInstallCRDs(t *testing.T, dyn dynamic.Interface) {
	t.Helper()
	ctx := t.Context()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "internal", "integration", "testdata", "report-crds.yaml"))
	require.NoError(t, err)
	for _, doc := range strings.Split(string(data), "\n---\n") {
		u := &unstructured.Unstructured{}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &u.Object))
		_, err := dyn.Resource(crdResource).Create(ctx, u, metav1.CreateOptions{})
		require.NoError(t, ignoreExists(err), u.GetName())
		require.Eventually(t, func() bool {
			got, err := dyn.Resource(crdResource).Get(ctx, u.GetName(), metav1.GetOptions{})
			if err != nil {
				return false
			}
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, c := range conds {
				c := c.(map[string]any)
				if c["type"] == "Established" && c["status"] == "True" {
					return true
				}
			}
			return false
		}, 30*time.Second, 50*time.Millisecond, "%s established", u.GetName())
	}
	for _, res := range []schema.GroupVersionResource{openreports.ReportResource, openreports.ClusterReportResource,
		policyreport.PolicyReportResource, policyreport.ClusterPolicyReportResource} {
		require.Eventually(t, func() bool {
			_, err := dyn.Resource(res).List(ctx, metav1.ListOptions{Limit: 1})
			return err == nil
		}, 30*time.Second, 50*time.Millisecond, "%s served", res.Resource)
	}
}

// buildMonitor builds the examples/monitor binary into a folder removed when the test ends.
func buildMonitor(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kspm-monitor")
	cmd := exec.Command("go", "build", "-o", path, "./examples/monitor")
	cmd.Dir = repoRoot()
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build ./examples/monitor: %s", out)
	return path
}

// lockedBuffer is a buffer a process writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// records returns the JSON lines written so far.
func (l *lockedBuffer) records() []map[string]any {
	l.mu.Lock()
	data := bytes.Clone(l.b.Bytes())
	l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// monitorProcess is the monitor binary running.
type monitorProcess struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
	base string // its HTTP server
	done chan error
}

// startMonitorProcess runs the monitor binary with args (it serves metrics and probes on one
// loopback port) and waits until it is ready.
func startMonitorProcess(t *testing.T, bin string, args ...string) *monitorProcess {
	t.Helper()
	p := &monitorProcess{logs: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"--metrics-address", "127.0.0.1:0",
		"--probe-address", "127.0.0.1:0", "--log-level", "debug"}, args...)...)
	p.cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent")
	p.cmd.Stderr, p.cmd.Stdout = p.logs, io.Discard
	require.NoError(t, p.cmd.Start())
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	require.Eventually(t, func() bool {
		for _, r := range p.logs.records() {
			if r["msg"] == "serving" {
				p.base = "http://" + r["address"].(string)
				return true
			}
		}
		return false
	}, time.Minute, 20*time.Millisecond, "the monitor serves: %s", p.logsText())
	require.Eventually(t, func() bool {
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, time.Minute, 50*time.Millisecond, "ready after the first evaluation")
	return p
}

func (p *monitorProcess) logsText() string {
	p.logs.mu.Lock()
	defer p.logs.mu.Unlock()
	return p.logs.b.String()
}

// stop sends SIGTERM and returns the exit error (nil: status 0), once.
func (p *monitorProcess) stop(t *testing.T) error {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("the monitor did not stop on SIGTERM")
	}
}

// metric returns the value of the metric line starting with prefix ("" when absent).
func (p *monitorProcess) metric(t *testing.T, prefix string) string {
	t.Helper()
	resp, err := http.Get(p.base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			return strings.TrimPrefix(l, prefix+" ")
		}
	}
	return ""
}

// revision returns the revision of the last evaluation logged.
func (p *monitorProcess) revision() float64 {
	rev := 0.0
	for _, r := range p.logs.records() {
		if r["msg"] == "evaluated" {
			rev = r["revision"].(float64)
		}
	}
	return rev
}

// publishSetUp applies examples/deploy/monitor.yaml's ServiceAccount and ClusterRoles (with
// fresh names) and returns a kubeconfig authenticating as that ServiceAccount.
func publishSetUp(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	cs := adminClient(t)
	manifests, err := inventory.LoadManifests(ctx, []string{filepath.Join(repoRoot(), "examples", "deploy", "monitor.yaml")})
	require.NoError(t, err)
	require.Empty(t, manifests.Errors())
	ns := newNamespace(t, cs, "kspm")
	suffix := "-" + ns
	// The monitor's ServiceAccount (the file also hardens the namespace's default one).
	var sa *corev1.ServiceAccount
	for _, s := range manifests.ServiceAccounts() {
		if s.Name != "default" {
			require.Nil(t, sa, "one ServiceAccount for the monitor")
			sa = s.DeepCopy()
		}
	}
	require.NotNil(t, sa)
	sa.Namespace = ns
	_, err = cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{})
	require.NoError(t, err)
	createClusterRBAC(t, cs, manifests, suffix, ns)
	// The Deployment is valid for the API server and admitted by Pod Security restricted.
	require.Len(t, manifests.Deployments(), 1)
	d := manifests.Deployments()[0].DeepCopy()
	d.Namespace = ns
	_, err = cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err)
	_, err = cs.CoreV1().Namespaces().Patch(ctx, ns, "application/merge-patch+json",
		[]byte(`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"restricted"}}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "kspm-monitor"}, Spec: d.Spec.Template.Spec}
	_, err = cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err, "the monitor's pod is admitted in a restricted namespace")
	return writeKubeconfig(t, serviceAccountConfig(t, cs, ns, sa.Name))
}

func webDeployment(privileged bool) *appsv1.Deployment {
	labels := map[string]string{"app": "web"}
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
					SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}}}
}

// ourObjects returns the resource versions of instance's report objects, by resource and
// namespace/name.
func ourObjects(t *testing.T, dyn dynamic.Interface, instance string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, res := range []schema.GroupVersionResource{openreports.ReportResource, openreports.ClusterReportResource,
		policyreport.PolicyReportResource, policyreport.ClusterPolicyReportResource} {
		l, err := dyn.Resource(res).List(t.Context(), metav1.ListOptions{
			LabelSelector: "app.kubernetes.io/managed-by=kspm,kspm.dev/instance=" + instance})
		require.NoError(t, err)
		for _, u := range l.Items {
			out[res.Resource+" "+u.GetNamespace()+"/"+u.GetName()] = u.GetResourceVersion()
		}
	}
	return out
}

// findings returns the results of check id in the reports of resource res in namespace ns,
// as "result name".
func findings(t *testing.T, dyn dynamic.Interface, res schema.GroupVersionResource, ns, instance, id string) []string {
	t.Helper()
	l, err := dyn.Resource(res).Namespace(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "kspm.dev/instance=" + instance})
	require.NoError(t, err)
	var out []string
	for _, u := range l.Items {
		results, _, _ := unstructured.NestedSlice(u.Object, "results")
		for _, r := range results {
			r := r.(map[string]any)
			if r["policy"] != id {
				continue
			}
			name := ""
			if subj, ok := r["resources"].([]any); ok && len(subj) > 0 {
				name = subj[0].(map[string]any)["name"].(string)
			}
			out = append(out, fmt.Sprintf("%s %s", r["result"], name))
		}
	}
	return out
}

// TestPublishReports runs kspm's monitor (the examples/monitor program) as the ServiceAccount
// of examples/deploy/monitor.yaml, with its roles, against the test cluster with the report
// CRDs installed: it writes a Report and a PolicyReport in the namespace of a privileged
// workload and the cluster's reports, updates them when the finding resolves, writes nothing
// when an evaluation changes no result, a restarted monitor writes nothing either, even
// reconciling every second, and a report object deleted or edited with kubectl is written
// again.
func TestPublishReports(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	dyn, err := dynamic.NewForConfig(adminConfig())
	require.NoError(t, err)
	publishInstallCRDs(t, dyn)
	kubeconfig := publishSetUp(t)

	shop := newNamespace(t, cs, "shop")
	_, err = cs.AppsV1().Deployments(shop).Create(ctx, webDeployment(true), metav1.CreateOptions{})
	require.NoError(t, err)
	api := webDeployment(false)
	api.Name = "api"
	_, err = cs.AppsV1().Deployments(shop).Create(ctx, api, metav1.CreateOptions{})
	require.NoError(t, err)

	instance := freshName("it")
	// The test cluster is shared and its namespaces are never deleted (a test API server runs
	// no namespace controller to finish a deletion): after the load test it holds about a
	// hundred, each with findings. At the default 5 writes a second their reports take longer
	// than the waits below, in an order the test does not choose; CI failed on it once. The
	// rate limit has tests of its own in monitor/publish.
	args := []string{"--kubeconfig", kubeconfig, "-b", "workloads", "--reports", "openreports,policyreports",
		"--instance", instance, "--write-qps", "200", "--write-burst", "400"}
	bin := buildMonitor(t)
	mon := startMonitorProcess(t, bin, args...)
	const id = "workloads:privileged"
	for _, res := range []schema.GroupVersionResource{openreports.ReportResource, policyreport.PolicyReportResource} {
		require.Eventually(t, func() bool {
			return assert.ObjectsAreEqual([]string{"fail web"}, findings(t, dyn, res, shop, instance, id))
		}, 30*time.Second, 50*time.Millisecond, "%s: the privileged workload's finding: %s", res.Resource, mon.logsText())
	}
	// Each namespace's objects and the cluster's are written by queues of their own: the
	// cluster's may come a moment after the namespace's.
	var objs map[string]string
	require.Eventually(t, func() bool {
		objs = ourObjects(t, dyn, instance)
		_, r := objs["clusterreports /"+instance+"-0"]
		_, p := objs["clusterpolicyreports /"+instance+"-0"]
		return r && p
	}, 30*time.Second, 50*time.Millisecond, "results about no object (no registries configured) in the cluster's reports: %s", mon.logsText())
	rep, err := dyn.Resource(openreports.ReportResource).Namespace(shop).Get(ctx, instance+"-0", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "kspm", rep.Object["source"])
	fails, _, _ := unstructured.NestedInt64(rep.Object, "summary", "fail")
	assert.Positive(t, fails)
	assert.Equal(t, "1", mon.metric(t, fmt.Sprintf(`kspm_findings{benchmark="workloads",check="workloads:privileged",namespace=%q,severity="critical",status="fail"}`, shop)))

	// Nothing changes: no write. Then a change that re-evaluates without changing any result
	// (an annotation): still no write.
	require.Eventually(t, func() bool { return mon.metric(t, "kspm_report_pending_scopes") == "0" }, 30*time.Second, 50*time.Millisecond)
	time.Sleep(2 * time.Second) // the write delay (1s) and more
	objs = ourObjects(t, dyn, instance)
	writes := func() string {
		return mon.metric(t, `kspm_report_writes_total{op="create"}`) + "/" + mon.metric(t, `kspm_report_writes_total{op="update"}`) +
			"/" + mon.metric(t, `kspm_report_writes_total{op="delete"}`)
	}
	before := writes()
	rev := mon.revision()
	_, err = cs.AppsV1().Deployments(shop).Patch(ctx, "api", "application/merge-patch+json",
		[]byte(`{"metadata":{"annotations":{"touched":"yes"}}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return mon.revision() > rev }, 30*time.Second, 50*time.Millisecond, "re-evaluated")
	time.Sleep(2 * time.Second)
	assert.Equal(t, objs, ourObjects(t, dyn, instance), "no object written")
	assert.Equal(t, before, writes())

	// The finding resolves: the namespace's reports are updated, the rest left alone.
	web, err := cs.AppsV1().Deployments(shop).Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	web.Spec.Template.Spec = webDeployment(false).Spec.Template.Spec
	_, err = cs.AppsV1().Deployments(shop).Update(ctx, web, metav1.UpdateOptions{})
	require.NoError(t, err)
	for _, res := range []schema.GroupVersionResource{openreports.ReportResource, policyreport.PolicyReportResource} {
		require.Eventually(t, func() bool { return len(findings(t, dyn, res, shop, instance, id)) == 0 },
			30*time.Second, 50*time.Millisecond, "%s: resolved", res.Resource)
	}
	require.Eventually(t, func() bool { return mon.metric(t, "kspm_report_pending_scopes") == "0" }, 30*time.Second, 50*time.Millisecond)
	time.Sleep(2 * time.Second)
	after := ourObjects(t, dyn, instance)
	for k, rv := range after {
		if strings.Contains(k, " "+shop+"/") {
			assert.NotEqual(t, objs[k], rv, "%s updated", k)
		} else {
			assert.Equal(t, objs[k], rv, "%s not written", k)
		}
	}
	var resolved bool
	for _, r := range mon.logs.records() {
		if r["msg"] == "finding resolved" && r["check"] == id && r["name"] == "web" && r["namespace"] == shop {
			resolved = true
		}
	}
	assert.True(t, resolved, "the resolution is logged")
	assert.Empty(t, mon.metric(t, fmt.Sprintf(`kspm_findings{benchmark="workloads",check="workloads:privileged",namespace=%q,severity="critical",status="fail"}`, shop)))

	// SIGTERM: a clean stop. Restarted, it writes nothing: the cluster holds what it would.
	require.NoError(t, mon.stop(t), "exit status 0")
	again := startMonitorProcess(t, bin, append(args, "--report-reconcile", "1s")...)
	require.Eventually(t, func() bool { return again.metric(t, "kspm_report_pending_scopes") == "0" }, 30*time.Second, 50*time.Millisecond)
	time.Sleep(2 * time.Second)
	assert.Equal(t, after, ourObjects(t, dyn, instance), "a restart rewrites nothing")
	assert.Equal(t, "0/0/0", func() string {
		return again.metric(t, `kspm_report_writes_total{op="create"}`) + "/" + again.metric(t, `kspm_report_writes_total{op="update"}`) +
			"/" + again.metric(t, `kspm_report_writes_total{op="delete"}`)
	}())
	unchanged := again.metric(t, "kspm_report_unchanged_total")
	assert.Regexp(t, regexp.MustCompile(`^[1-9][0-9]*$`), unchanged)
	for _, r := range again.logs.records() {
		if msg, _ := r["msg"].(string); strings.HasPrefix(msg, "finding ") && r["namespace"] == shop {
			assert.Fail(t, "a restart opens or resolves nothing", "%v", r)
		}
	}

	// Someone deletes a report object, edits another: both are written again as they were.
	name := instance + "-0"
	want := map[schema.GroupVersionResource]any{}
	for _, res := range []schema.GroupVersionResource{openreports.ReportResource, policyreport.PolicyReportResource} {
		u, err := dyn.Resource(res).Namespace(shop).Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		want[res] = u.Object["results"]
		require.NotEmpty(t, want[res])
	}
	require.NoError(t, dyn.Resource(openreports.ReportResource).Namespace(shop).Delete(ctx, name, metav1.DeleteOptions{}))
	_, err = dyn.Resource(policyreport.PolicyReportResource).Namespace(shop).Patch(ctx, name, "application/json-patch+json",
		[]byte(`[{"op":"remove","path":"/results"}]`), metav1.PatchOptions{})
	require.NoError(t, err)
	for res, results := range want {
		require.Eventually(t, func() bool {
			u, err := dyn.Resource(res).Namespace(shop).Get(ctx, name, metav1.GetOptions{})
			return err == nil && assert.ObjectsAreEqual(results, u.Object["results"])
		}, 30*time.Second, 50*time.Millisecond, "%s: repaired: %s", res.Resource, again.logsText())
	}
	assert.Equal(t, "1", again.metric(t, `kspm_report_writes_total{op="create"}`))
	assert.Equal(t, "1", again.metric(t, `kspm_report_writes_total{op="update"}`))
	assert.NotEqual(t, "0", again.metric(t, "kspm_report_repairs_total"))
	require.NoError(t, again.stop(t))
}
