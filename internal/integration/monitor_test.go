//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/faultproxy"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/report"
)

// stepTimeout bounds each step of the monitor's scenario: the change made, seen through the
// watch, evaluated and published.
const stepTimeout = 20 * time.Second

// monitorRun is a monitor running against the test cluster through a fault proxy, as a
// ServiceAccount that may list and watch every kind, with the updates it published.
type monitorRun struct {
	t       *testing.T
	m       *monitor.Monitor
	proxy   *faultproxy.Proxy
	updates chan monitor.Update
	// direct is the monitor's user, straight to the API server: fresh loads see what the
	// monitor may see.
	direct *rest.Config
	bms    []benchmark.Benchmark
}

// monitorRole is the ClusterRole of the monitor's user: list and watch on every kind the
// inventory loads, but those of without.
func monitorRole(name string, without ...string) *rbacv1.ClusterRole {
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, k := range inventory.BuiltinKinds() {
		if slices.Contains(without, k.Resource) {
			continue
		}
		cr.Rules = append(cr.Rules, rbacv1.PolicyRule{APIGroups: []string{k.Group}, Resources: []string{k.Resource},
			Verbs: []string{"list", "watch"}})
	}
	return cr
}

// allowed asks the API server's authorizer whether user may verb resource (of group); false
// when it cannot tell.
func allowed(t *testing.T, cs kubernetes.Interface, user authz.User, verb, group, resource string) bool {
	ok, err := sar(t, cs, user, &authorizationv1.ResourceAttributes{Verb: verb, Group: group, Resource: resource}, nil)
	return err == nil && ok
}

// startMonitor creates the monitor's ServiceAccount in ns, bound to role, and runs a monitor
// of every default benchmark as it, through a fault proxy, until the test ends.
func startMonitor(t *testing.T, cs kubernetes.Interface, ns, role string) *monitorRun {
	t.Helper()
	ctx := t.Context()
	_, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "kspm-monitor"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: "kspm-monitor"}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	user := authz.ServiceAccountUser(ns, "kspm-monitor")
	require.Eventually(t, func() bool {
		return allowed(t, cs, user, "list", "admissionregistration.k8s.io", "validatingadmissionpolicybindings")
	}, 10*time.Second, 50*time.Millisecond, "the authorizer never saw the binding")

	direct := serviceAccountConfig(t, cs, ns, "kspm-monitor")
	p, _ := startFaultProxy(t)
	viaProxy := rest.CopyConfig(direct)
	viaProxy.Host, viaProxy.TLSClientConfig = p.URL, rest.TLSClientConfig{CAData: p.CAData}
	r := &monitorRun{t: t, proxy: p, direct: direct, bms: benchmarks(t)}
	var initial monitor.Update
	r.m, r.updates, initial = runMonitor(t, viaProxy, r.bms)
	assert.Empty(t, initial.Deltas, "the first evaluation publishes its results as the report, not as deltas")
	return r
}

// runMonitor runs a monitor of bms over the cluster cfg points at until the test ends, and
// returns it, the channel of its updates and its first update, once made.
func runMonitor(t *testing.T, cfg *rest.Config, bms []benchmark.Benchmark, opts ...monitor.Option) (*monitor.Monitor, chan monitor.Update, monitor.Update) {
	t.Helper()
	updates := make(chan monitor.Update, 1000)
	m, err := monitor.NewForConfig(cfg, bms, append([]monitor.Option{
		monitor.WithUpdates(func(u monitor.Update) { updates <- u }),
		monitor.WithResync(0), // every evaluation is one the test caused
		monitor.WithClusterOptions(inventory.WithRelistBackoff(100*time.Millisecond, time.Second))}, opts...)...)
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
	select {
	case <-m.Ready():
	case err := <-done:
		require.FailNow(t, "the monitor stopped", "%v", err)
	case <-time.After(stepTimeout):
		require.FailNow(t, "the monitor did not evaluate the cluster")
	}
	select {
	case u := <-updates:
		require.True(t, u.Initial)
		return m, updates, u
	case <-time.After(stepTimeout):
		require.FailNow(t, "no first update")
	}
	return nil, nil, monitor.Update{}
}

// next returns the next update, failing the test when none comes within d.
func (r *monitorRun) next(d time.Duration) monitor.Update {
	r.t.Helper()
	select {
	case u := <-r.updates:
		return u
	case <-time.After(d):
		require.FailNow(r.t, "no update")
	}
	return monitor.Update{}
}

// await reads updates until done says the ones read so far are what the step waits for, and
// returns them; it fails the test after stepTimeout.
func (r *monitorRun) await(what string, done func([]monitor.Update) bool) []monitor.Update {
	r.t.Helper()
	var got []monitor.Update
	deadline := time.After(stepTimeout)
	for {
		select {
		case u := <-r.updates:
			got = append(got, u)
			if done(got) {
				return got
			}
		case <-deadline:
			require.FailNow(r.t, "timed out waiting for "+what, "updates: %s", describeUpdates(got))
		}
	}
}

// awaitDelta waits for a delta about key and returns it (the first), with the updates read.
func (r *monitorRun) awaitDelta(key monitor.Key) (monitor.Delta, []monitor.Update) {
	r.t.Helper()
	us := r.await("a delta about "+fmt.Sprint(key), func(us []monitor.Update) bool { return len(deltasAbout(us, key)) > 0 })
	return deltasAbout(us, key)[0], us
}

// quiet checks that no update comes for d: nothing changed.
func (r *monitorRun) quiet(d time.Duration) {
	r.t.Helper()
	select {
	case u := <-r.updates:
		assert.Fail(r.t, "an update came though nothing changed", "%s", describeUpdates([]monitor.Update{u}))
	case <-time.After(d):
	}
}

func deltasAbout(us []monitor.Update, key monitor.Key) []monitor.Delta {
	var out []monitor.Delta
	for _, u := range us {
		for _, d := range u.Deltas {
			if d.Key == key {
				out = append(out, d)
			}
		}
	}
	return out
}

// within reports whether d is about an object of namespace ns, the Namespace ns, or no
// object (a check's result about the whole cluster, such as NothingReported).
func within(d monitor.Delta, ns string) bool {
	return d.Key.Namespace == ns || d.Key.Kind == "Namespace" && d.Key.Name == ns || d.Key.Kind == ""
}

// passes reports whether a pass result of check checkID about the object appeared in us.
func passes(us []monitor.Update, checkID, kind, ns, name string) bool {
	for _, d := range allDeltas(us) {
		if d.Key.CheckID == checkID && d.Key.Kind == kind && d.Key.Namespace == ns && d.Key.Name == name &&
			d.After != nil && d.After.Status == check.StatusPass {
			return true
		}
	}
	return false
}

func allDeltas(us []monitor.Update) []monitor.Delta {
	var out []monitor.Delta
	for _, u := range us {
		out = append(out, u.Deltas...)
	}
	return out
}

// describeUpdates prints updates for a failure message.
func describeUpdates(us []monitor.Update) string {
	var b strings.Builder
	for _, u := range us {
		fmt.Fprintf(&b, "update %d: %d objects, coverage %v, whole %v\n", u.Revision, u.Objects, u.Coverage, u.Whole)
		for _, d := range u.Deltas {
			fmt.Fprintf(&b, "  %s %s\n", d.Kind, deltaString(d))
		}
	}
	return b.String()
}

func deltaString(d monitor.Delta) string {
	status := func(r *check.Result) string {
		if r == nil {
			return "-"
		}
		return string(r.Status)
	}
	return fmt.Sprintf("%s %s/%s %s/%s %s: %s -> %s", d.Key.CheckID, d.Key.Group, d.Key.Kind, d.Key.Namespace, d.Key.Name,
		d.Key.Field, status(d.Before), status(d.After))
}

// matchesScan waits until the monitor holds what a fresh load by its user (straight to the
// server, without the proxy) holds, every object alike, then checks that its report has the
// results kspm.Scan gives over that load. It returns how long that load and scan took.
func (r *monitorRun) matchesScan() time.Duration {
	t := r.t
	t.Helper()
	ctx := t.Context()
	var want *inventory.Inventory
	var diff []string
	var loadErr error
	var began time.Time
	deadline := time.Now().Add(stepTimeout)
	for {
		began = time.Now()
		want, loadErr = inventory.FromConfig(ctx, r.direct, inventory.WithRetries(0))
		if loadErr == nil {
			if diff = inventoryDiff(r.m.Inventory(), want); len(diff) == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			require.NoError(t, loadErr)
			require.FailNow(t, "the monitor's inventory did not come to equal a fresh load", "differences (- monitor, + load):\n%s",
				strings.Join(diff, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	scan, err := kspm.Scan(ctx, want, r.bms)
	require.NoError(t, err)
	took := time.Since(began)
	rep, err := r.m.Report()
	require.NoError(t, err)
	// The same report but for its time and its source (the monitor reads through the proxy).
	assert.Equal(t, reportKeys(scan), reportKeys(rep), "the monitor's results are kspm.Scan's over a fresh load, in its order")
	scan.GeneratedAt, scan.Inventory.Sources = rep.GeneratedAt, rep.Inventory.Sources
	scanJSON, err := json.Marshal(scan)
	require.NoError(t, err)
	repJSON, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.JSONEq(t, string(scanJSON), string(repJSON))
	return took
}

// inventoryDiff returns the objects (as JSON) and coverage that differ between two
// inventories, got's with "-", want's with "+".
func inventoryDiff(got, want *inventory.Inventory) []string {
	lines := func(inv *inventory.Inventory) map[string]bool {
		out := map[string]bool{}
		if inv == nil {
			return out
		}
		for _, o := range inv.Objects() {
			raw, err := json.Marshal(o.Object())
			if err != nil {
				panic(err)
			}
			out[o.String()+" "+string(raw)] = true
		}
		for _, c := range inv.CoverageAll() {
			out[fmt.Sprintf("coverage %s/%s %s %d %s", c.Group, c.Kind, c.State, c.Count, c.Reason)] = true
		}
		return out
	}
	g, w := lines(got), lines(want)
	var diff []string
	for l := range g {
		if !w[l] {
			diff = append(diff, "- "+l)
		}
	}
	for l := range w {
		if !g[l] {
			diff = append(diff, "+ "+l)
		}
	}
	slices.Sort(diff)
	return diff
}

// reportKeys returns a report's results (check, object, field, status, message), in order.
func reportKeys(rep *report.Report) []string {
	out := make([]string, 0, len(rep.Results))
	for _, r := range rep.Results {
		out = append(out, resultKey(r))
	}
	return out
}

func monitorPod(name string, privileged bool) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example.com/app:1.0",
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(privileged)}}}}}
}

func podKey(checkID, ns, name, field string) monitor.Key {
	return monitor.Key{CheckID: checkID, Kind: "Pod", Namespace: ns, Name: name, Field: field}
}

const privilegedField = "spec.containers[0].securityContext.privileged"

// TestMonitor runs a monitor of every default benchmark against the real API server, as a
// ServiceAccount allowed to list and watch every kind, through the fault proxy, and changes
// the cluster step by step: each change's deltas arrive through the callback within
// stepTimeout, and after each step the monitor's report equals kspm.Scan's over a fresh load
// of the cluster by the same user.
func TestMonitor(t *testing.T) {
	start := time.Now()
	ctx := t.Context()
	cs := adminClient(t)
	ns := newNamespace(t, cs, "monitor")
	role := freshName("kspm-monitor")
	_, err := cs.RbacV1().ClusterRoles().Create(ctx, monitorRole(role), metav1.CreateOptions{})
	require.NoError(t, err)
	user := authz.ServiceAccountUser(ns, "kspm-monitor")
	for _, name := range []string{"api", "web"} {
		_, err := cs.CoreV1().Pods(ns).Create(ctx, monitorPod(name, false), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	hostNet := monitorPod("net", false)
	hostNet.Spec.HostNetwork = true
	_, err = cs.CoreV1().Pods(ns).Create(ctx, hostNet, metav1.CreateOptions{})
	require.NoError(t, err)

	r := startMonitor(t, cs, ns, role)
	r.matchesScan()
	t.Logf("monitor ready and equal to a scan in %s: %d objects, %d results", time.Since(start).Round(time.Millisecond),
		r.m.Stats().Objects, r.m.Stats().Results)
	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		began := time.Now()
		if !t.Run(name, fn) {
			t.FailNow()
		}
		t.Logf("step %q: %s", name, time.Since(began).Round(time.Millisecond))
	}

	debug := podKey("workloads:privileged", ns, "debug", privilegedField)
	step("a privileged pod opens a finding", func(t *testing.T) {
		began := time.Now()
		_, err := cs.CoreV1().Pods(ns).Create(ctx, monitorPod("debug", true), metav1.CreateOptions{})
		require.NoError(t, err)
		d, us := r.awaitDelta(debug)
		latency := time.Since(began)
		assert.Equal(t, monitor.Opened, d.Kind)
		require.NotNil(t, d.After)
		assert.Equal(t, check.StatusFail, d.After.Status)
		assert.Equal(t, "Pod "+ns+"/debug", d.After.Object.String())
		assert.False(t, d.Time.IsZero())
		for _, d := range allDeltas(us) {
			assert.Equal(t, ns+"/debug", d.Key.Namespace+"/"+d.Key.Name, "only the new pod's results change: %s", deltaString(d))
		}
		scan := r.matchesScan()
		t.Logf("the finding came %s after the pod's creation (through the watch); a fresh load and scan take %s: %.2fx",
			latency.Round(time.Millisecond), scan.Round(time.Millisecond), float64(latency)/float64(scan))
	})

	step("a Deployment's template update resolves its finding", func(t *testing.T) {
		dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "shop"},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "shop"}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "shop"}},
					Spec: monitorPod("shop", true).Spec}}}
		dep, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{})
		require.NoError(t, err)
		key := monitor.Key{CheckID: "workloads:privileged", Group: "apps", Kind: "Deployment", Namespace: ns, Name: "shop",
			Field: "spec.template." + privilegedField}
		d, _ := r.awaitDelta(key)
		assert.Equal(t, monitor.Opened, d.Kind)

		dep.Spec.Template.Spec.Containers[0].SecurityContext.Privileged = ptr.To(false)
		_, err = cs.AppsV1().Deployments(ns).Update(ctx, dep, metav1.UpdateOptions{})
		require.NoError(t, err)
		d, us := r.awaitDelta(key)
		assert.Equal(t, monitor.Resolved, d.Kind)
		require.NotNil(t, d.Before)
		assert.Equal(t, check.StatusFail, d.Before.Status)
		assert.True(t, passes(us, "workloads:privileged", "Deployment", ns, "shop"), "the template passes now: %s", describeUpdates(us))
		r.matchesScan()
	})

	step("a NetworkPolicy resolves the isolation findings of the pods it selects", func(t *testing.T) {
		const id = "network:workload-ingress-isolation"
		rep, err := r.m.Report()
		require.NoError(t, err)
		var failing []string
		for _, res := range rep.Results {
			if res.CheckID == id && res.Object != nil && res.Object.Namespace == ns && res.Status == check.StatusFail {
				failing = append(failing, res.Object.String())
			}
		}
		slices.Sort(failing)
		require.Equal(t, []string{"Deployment " + ns + "/shop", "Pod " + ns + "/api", "Pod " + ns + "/debug", "Pod " + ns + "/net",
			"Pod " + ns + "/web"}, failing, "no NetworkPolicy selects them")

		_, err = cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "web-only"},
			Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}, metav1.CreateOptions{})
		require.NoError(t, err)
		d, us := r.awaitDelta(podKey(id, ns, "web", ""))
		assert.Equal(t, monitor.Resolved, d.Kind)
		assert.Equal(t, check.StatusPass, d.After.Status)
		assert.Contains(t, d.After.Message, "web-only")
		for _, d := range allDeltas(us) {
			if d.Key.CheckID == id {
				assert.Equal(t, "Pod "+ns+"/web", d.Key.Kind+" "+d.Key.Namespace+"/"+d.Key.Name,
					"the policy selects web only: %s", deltaString(d))
			}
			assert.True(t, within(d, ns), "a NetworkPolicy changes results in its namespace only: %s", deltaString(d))
		}
		r.matchesScan()
	})

	step("a kind becoming forbidden turns its results notEvaluated, then back", func(t *testing.T) {
		before, err := r.m.Report()
		require.NoError(t, err)
		_, err = cs.RbacV1().ClusterRoles().Update(ctx, monitorRole(role, "pods"), metav1.UpdateOptions{})
		require.NoError(t, err)
		require.Eventually(t, func() bool { return !allowed(t, cs, user, "list", "", "pods") }, 10*time.Second, 50*time.Millisecond)
		// An open watch outlives the permission that let it start: the server checks it when a
		// watch starts. Broken here, the watch is started again, refused, and the kind listed.
		require.Positive(t, r.proxy.EndWatches("pods", faultproxy.Reset))
		// The watch is refused first, then the list: the kind is Forbidden for the one, then
		// for the other (one update each, or one for both).
		us := r.await("pods forbidden to list", func(us []monitor.Update) bool {
			return slices.ContainsFunc(us, func(u monitor.Update) bool {
				return slices.ContainsFunc(u.Coverage, func(c inventory.Coverage) bool {
					return strings.Contains(c.Reason, `cannot list resource "pods"`)
				})
			})
		})
		for _, u := range us {
			for _, c := range u.Coverage {
				assert.Equal(t, "Pod", c.Kind)
				assert.Equal(t, inventory.Forbidden, c.State)
				assert.Regexp(t, `cannot (watch|list) resource "pods"`, c.Reason)
			}
		}
		d := deltasAbout(us, debug)
		require.NotEmpty(t, d, describeUpdates(us))
		for _, d := range d {
			assert.Equal(t, monitor.Changed, d.Kind, "a finding no longer seen is not resolved")
			assert.Equal(t, check.StatusNotEvaluated, d.After.Status)
			assert.Contains(t, d.After.Message, "pods forbidden")
		}
		for _, d := range allDeltas(us) {
			assert.NotEqual(t, monitor.Resolved, d.Kind, "nothing is resolved by being no longer seen: %s", deltaString(d))
			assert.NotNil(t, d.After, "a result no longer seen stays, notEvaluated: %s", deltaString(d))
		}
		r.matchesScan()

		_, err = cs.RbacV1().ClusterRoles().Update(ctx, monitorRole(role), metav1.UpdateOptions{})
		require.NoError(t, err)
		// The monitor lists the kind again on its own (the reflector retries, backing off).
		us = r.await("pods listed again", func(us []monitor.Update) bool {
			return slices.ContainsFunc(us, func(u monitor.Update) bool {
				return slices.ContainsFunc(u.Coverage, func(c inventory.Coverage) bool { return c.Kind == "Pod" && c.State == inventory.Listed })
			})
		})
		d = deltasAbout(us, debug)
		require.Len(t, d, 1, describeUpdates(us))
		assert.Equal(t, monitor.Changed, d[0].Kind)
		assert.Equal(t, check.StatusFail, d[0].After.Status)
		r.matchesScan()
		after, err := r.m.Report()
		require.NoError(t, err)
		assert.Equal(t, reportKeys(before), reportKeys(after), "readable again, the results are those from before")
	})

	step("a privileged pod deleted and created again fixed resolves its finding", func(t *testing.T) {
		require.NoError(t, cs.CoreV1().Pods(ns).Delete(ctx, "debug", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}))
		_, err := cs.CoreV1().Pods(ns).Create(ctx, monitorPod("debug", false), metav1.CreateOptions{})
		require.NoError(t, err)
		us := r.await("the fixed pod's pass", func(us []monitor.Update) bool {
			return passes(us, "workloads:privileged", "Pod", ns, "debug")
		})
		ds := deltasAbout(us, debug)
		require.Len(t, ds, 1, describeUpdates(us))
		assert.Equal(t, monitor.Resolved, ds[0].Kind)
		assert.Equal(t, check.StatusFail, ds[0].Before.Status)
		// The pod's other results may go with the deleted pod and come back with the new one
		// (when the watch delivers the two apart): it was gone in between.
		r.matchesScan()
	})

	step("labelling a namespace re-evaluates its workloads' Pod Security results", func(t *testing.T) {
		n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		require.NoError(t, err)
		n.Labels["pod-security.kubernetes.io/enforce"] = "baseline"
		_, err = cs.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{})
		require.NoError(t, err)
		d, us := r.awaitDelta(podKey("pss:namespace-violations", ns, "net", "spec.hostNetwork"))
		assert.Equal(t, monitor.Opened, d.Kind)
		assert.Equal(t, check.StatusFail, d.After.Status)
		assert.Contains(t, d.After.Message, `violates PodSecurity "baseline:latest"`)
		for _, d := range allDeltas(us) {
			assert.True(t, within(d, ns), "a namespace's labels change the results of its workloads only: %s", deltaString(d))
		}
		r.matchesScan()
	})

	step("a Secret created while watched is known with its type, never its values", func(t *testing.T) {
		_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "registry"},
			Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{}}`)}},
			metav1.CreateOptions{})
		require.NoError(t, err)
		r.await("the Secret", func([]monitor.Update) bool {
			return r.m.Inventory().Get(inventory.KindSecret, ns, "registry") != nil
		})
		o := r.m.Inventory().Get(inventory.KindSecret, ns, "registry")
		s, ok := o.Object().(*corev1.Secret)
		require.True(t, ok)
		assert.Equal(t, corev1.SecretTypeDockerConfigJson, s.Type, "as a one-shot load knows it")
		assert.Empty(t, s.Data)
		r.matchesScan()
	})

	step("watches broken, closed and expired emit nothing", func(t *testing.T) {
		kinds := len(inventory.BuiltinKinds())
		require.Eventually(t, func() bool { return r.proxy.OpenWatches("") == kinds }, stepTimeout, 50*time.Millisecond,
			"every kind is watched")
		for _, end := range []faultproxy.WatchEnd{faultproxy.Reset, faultproxy.Timeout, faultproxy.Gone} {
			st := r.m.Stats()
			n := r.proxy.EndWatches("", end)
			assert.Equal(t, kinds, n)
			require.Eventually(t, func() bool {
				s := r.m.Stats()
				return r.proxy.OpenWatches("") == kinds && s.Watch.Watches >= st.Watch.Watches+kinds &&
					(end != faultproxy.Gone || s.Watch.Relists >= st.Watch.Relists+kinds)
			}, stepTimeout, 50*time.Millisecond, "every kind watched again (listed again after a 410 Gone)")
			r.quiet(time.Second)
			assert.Equal(t, st.Revision, r.m.Stats().Revision, "no evaluation: nothing changed")
		}
		streamed, lists := 0, 0
		for _, req := range r.proxy.Requests() {
			switch {
			case req.Verb == "watch" && req.Query.Get("sendInitialEvents") == "true":
				streamed++
			case req.Verb == "list":
				lists++
			}
		}
		t.Logf("lists so far: %d streamed (watch-list), %d paged lists (Secrets as Tables, or a fallback)", streamed, lists)
		r.matchesScan()
	})

	step("changes made while a kind cannot be listed are found by the relist, alone", func(t *testing.T) {
		// The pods watch expires, and the server fails the lists that follow (a transient
		// 503: the kind stays as it was): meanwhile a pod is deleted, one created, one changed.
		r.proxy.Add(faultproxy.Rule{Verb: "list", Resource: "pods", Fault: faultproxy.ServerError(http.StatusServiceUnavailable)},
			faultproxy.Rule{Verb: "watch", Resource: "pods", Fault: faultproxy.ServerError(http.StatusServiceUnavailable)})
		require.Positive(t, r.proxy.EndWatches("pods", faultproxy.Gone))
		st := r.m.Stats()
		require.Eventually(t, func() bool { return r.m.Stats().Watch.ListErrors > st.Watch.ListErrors }, stepTimeout, 20*time.Millisecond)
		require.NoError(t, cs.CoreV1().Pods(ns).Delete(ctx, "api", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}))
		_, err := cs.CoreV1().Pods(ns).Create(ctx, monitorPod("new", true), metav1.CreateOptions{})
		require.Error(t, err, "the namespace enforces baseline now")
		_, err = cs.CoreV1().Pods(ns).Create(ctx, monitorPod("new", false), metav1.CreateOptions{})
		require.NoError(t, err)
		web, err := cs.CoreV1().Pods(ns).Get(ctx, "web", metav1.GetOptions{})
		require.NoError(t, err)
		web.Labels["app"] = "web2" // the NetworkPolicy no longer selects it
		_, err = cs.CoreV1().Pods(ns).Update(ctx, web, metav1.UpdateOptions{})
		require.NoError(t, err)
		r.quiet(500 * time.Millisecond)
		assert.Equal(t, st.Revision, r.m.Stats().Revision, "nothing seen while the lists fail")

		r.proxy.Reset()
		us := r.await("the relist's changes", func(us []monitor.Update) bool {
			objects := 0
			for _, u := range us {
				objects += u.Objects
			}
			return objects >= 3
		})
		objects := 0
		for _, u := range us {
			objects += u.Objects
		}
		assert.Equal(t, 3, objects, "three pods changed: %s", describeUpdates(us))
		for _, d := range allDeltas(us) {
			// The NetworkPolicy that selected web selects nothing now.
			assert.Contains(t, []string{"Pod " + ns + "/api", "Pod " + ns + "/new", "Pod " + ns + "/web", "NetworkPolicy " + ns + "/web-only"},
				d.Key.Kind+" "+d.Key.Namespace+"/"+d.Key.Name, "only the pods changed have deltas, and what reads them: %s", deltaString(d))
			switch d.Key.Name {
			case "api":
				assert.Nil(t, d.After, "deleted: %s", deltaString(d))
			case "new":
				assert.Nil(t, d.Before, "created: %s", deltaString(d))
			}
		}
		isolation := deltasAbout(us, podKey("network:workload-ingress-isolation", ns, "web", ""))
		require.Len(t, isolation, 1)
		assert.Equal(t, monitor.Opened, isolation[0].Kind, "web is no longer isolated")
		r.matchesScan()
	})

	step("a monitor restarted with the results published before emits nothing", func(t *testing.T) {
		rep, err := r.m.Report()
		require.NoError(t, err)
		again, _, initial := runMonitor(t, r.direct, r.bms, monitor.WithPrevious(rep.Results))
		assert.Empty(t, initial.Deltas, "%s", describeUpdates([]monitor.Update{initial}))
		rep2, err := again.Report()
		require.NoError(t, err)
		assert.Equal(t, reportKeys(rep), reportKeys(rep2))
	})

	st := r.m.Stats()
	t.Logf("monitor: %d evaluations, %d objects, %d results, watch %+v; test wall time %s", st.Revision, st.Objects,
		st.Results, st.Watch, time.Since(start).Round(time.Millisecond))
}

// TestMonitorListWithoutWatch runs a monitor as a ServiceAccount that may list pods but not
// watch them (as a role written for one-shot scans allows). Listed again and again at the
// resource version of its first list, which the API server answers with that same snapshot,
// the kind would stay frozen as it was at the start, passing on objects long gone: it is
// Forbidden instead, saying the watch was refused, until a watch is allowed.
func TestMonitorListWithoutWatch(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	ns := newNamespace(t, cs, "listonly")
	_, err := cs.CoreV1().Pods(ns).Create(ctx, monitorPod("web", false), metav1.CreateOptions{})
	require.NoError(t, err)
	role := freshName("kspm-monitor")
	listOnly := func() *rbacv1.ClusterRole {
		cr := monitorRole(role)
		for i, r := range cr.Rules {
			if slices.Equal(r.Resources, []string{"pods"}) {
				cr.Rules[i].Verbs = []string{"list"}
			}
		}
		return cr
	}
	_, err = cs.RbacV1().ClusterRoles().Create(ctx, listOnly(), metav1.CreateOptions{})
	require.NoError(t, err)
	r := startMonitor(t, cs, ns, role)
	user := authz.ServiceAccountUser(ns, "kspm-monitor")
	require.False(t, allowed(t, cs, user, "watch", "", "pods"))

	// The first evaluation may come before the watch is refused.
	for r.m.Inventory().Coverage(inventory.KindPod).State != inventory.Forbidden {
		r.next(stepTimeout)
	}
	c := r.m.Inventory().Coverage(inventory.KindPod)
	assert.Contains(t, c.Reason, `cannot watch resource "pods"`)
	assert.Empty(t, r.m.Inventory().ByKind(inventory.KindPod))
	rep, err := r.m.Report()
	require.NoError(t, err)
	said := false
	for _, res := range rep.Results {
		if res.Object != nil && res.Object.Kind == "Pod" {
			assert.Fail(t, "a result about a pod that could not be kept current", resultKey(res))
		}
		if res.CheckID == "workloads:privileged" && res.Object == nil {
			said = true
			assert.Equal(t, check.StatusNotEvaluated, res.Status, resultKey(res))
			assert.Contains(t, res.Message, "pods forbidden")
		}
	}
	assert.True(t, said, "the report says the pods were not evaluated")

	// Created while the watch is refused; seen once it is allowed.
	_, err = cs.CoreV1().Pods(ns).Create(ctx, monitorPod("debug", true), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().ClusterRoles().Update(ctx, monitorRole(role), metav1.UpdateOptions{})
	require.NoError(t, err)
	d, _ := r.awaitDelta(podKey("workloads:privileged", ns, "debug", privilegedField))
	assert.Equal(t, check.StatusFail, d.After.Status)
	assert.Equal(t, inventory.Listed, r.m.Inventory().Coverage(inventory.KindPod).State)
	r.matchesScan()
}
