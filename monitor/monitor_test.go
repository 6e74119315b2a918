package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// cluster is a fake cluster the tests change, whose lists of some resources can be made to
// fail as forbidden and whose watches can be sent a 410 Gone, or closed.
type cluster struct {
	cs        *fake.Clientset
	mu        sync.Mutex
	forbidden map[string]bool
	watches   map[string][]*proxied
}

// proxied is one watch the cluster serves: its events go through ch, and closing quit ends it
// as a server ends a watch (its result channel closed).
type proxied struct {
	ch   chan watch.Event
	quit chan struct{}
}

func newCluster(objs ...runtime.Object) *cluster {
	c := &cluster{cs: fake.NewClientset(objs...), forbidden: map[string]bool{}, watches: map[string][]*proxied{}}
	// Discovery serves the core API and no CNI policy kind: the cluster has no such policies.
	c.cs.Resources = []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "pods", Namespaced: true, Kind: "Pod"}}}}
	c.cs.PrependReactor("list", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if r := a.GetResource().Resource; c.forbidden[r] {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: a.GetResource().Group, Resource: r}, "",
				fmt.Errorf("user \"system:serviceaccount:kspm:monitor\" cannot list resource %q", r))
		}
		return false, nil, nil
	})
	c.cs.PrependWatchReactor("*", func(a clienttesting.Action) (bool, watch.Interface, error) {
		wa := a.(clienttesting.WatchActionImpl)
		inner, err := c.cs.Tracker().Watch(a.GetResource(), a.GetNamespace(), wa.ListOptions)
		if err != nil {
			return true, nil, err
		}
		p := &proxied{ch: make(chan watch.Event, 100), quit: make(chan struct{})}
		pw := watch.NewProxyWatcher(p.ch)
		r := a.GetResource().Resource
		c.mu.Lock()
		c.watches[r] = append(c.watches[r], p)
		c.mu.Unlock()
		go func() {
			defer inner.Stop()
			done := func() {
				c.mu.Lock()
				defer c.mu.Unlock()
				for i, x := range c.watches[r] {
					if x == p {
						c.watches[r] = append(c.watches[r][:i], c.watches[r][i+1:]...)
						break
					}
				}
			}
			for {
				select {
				case ev, ok := <-inner.ResultChan():
					if !ok {
						done()
						return
					}
					select {
					case p.ch <- ev:
					case <-pw.StopChan():
						done()
						return
					}
				case <-pw.StopChan():
					done()
					return
				case <-p.quit:
					done()
					close(p.ch)
					return
				}
			}
		}()
		return true, pw, nil
	})
	return c
}

// disconnect ends the open watches of resource as a server ends a watch (normally every few
// minutes): the watcher starts another from where it was, without listing again.
func (c *cluster) disconnect(resource string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.watches[resource] {
		close(p.quit)
	}
}

// forbid makes lists of resource forbidden (or allowed again), and breaks its watches with a
// 410 Gone so that the monitor lists it again.
func (c *cluster) forbid(resource string, forbidden bool) {
	c.mu.Lock()
	c.forbidden[resource] = forbidden
	c.mu.Unlock()
	c.gone(resource)
}

// gone sends a 410 Gone to the open watches of resource.
func (c *cluster) gone(resource string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.watches[resource] {
		p.ch <- watch.Event{Type: watch.Error, Object: &metav1.Status{Status: metav1.StatusFailure, Code: 410,
			Reason: metav1.StatusReasonExpired, Message: "too old resource version"}}
	}
}

// running is a monitor running over a cluster until the test ends, with its updates.
type running struct {
	t       *testing.T
	m       *Monitor
	updates chan Update
	initial Update
}

func start(t *testing.T, c *cluster, bs []benchmark.Benchmark, opts ...Option) *running {
	t.Helper()
	r := &running{t: t, updates: make(chan Update, 1000)}
	opts = append([]Option{WithResync(0),
		WithClusterOptions(inventory.WithRelistBackoff(20*time.Millisecond, 100*time.Millisecond)),
		WithUpdates(func(u Update) { r.updates <- u })}, opts...)
	m, err := New(c.cs, bs, opts...)
	require.NoError(t, err)
	r.m = m
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
	select {
	case <-m.Ready():
	case err := <-done:
		require.Fail(t, "the monitor stopped", "%v", err)
	case <-time.After(10 * time.Second):
		require.Fail(t, "the monitor did not evaluate")
	}
	r.initial = r.next()
	require.True(t, r.initial.Initial)
	return r
}

func (r *running) next() Update {
	r.t.Helper()
	select {
	case u := <-r.updates:
		return u
	case <-time.After(10 * time.Second):
		require.FailNow(r.t, "no update")
	}
	return Update{}
}

// delta waits for a delta about key and returns it, with the update that carried it.
func (r *running) delta(key Key) (Delta, Update) {
	r.t.Helper()
	for {
		u := r.next()
		for _, d := range u.Deltas {
			if d.Key == key {
				return d, u
			}
		}
	}
}

// quiet checks that no update comes for a while.
func (r *running) quiet(d time.Duration) {
	r.t.Helper()
	select {
	case u := <-r.updates:
		assert.Fail(r.t, "an update came", "%+v", u)
	case <-time.After(d):
	}
}

func bench(t *testing.T, names ...string) []benchmark.Benchmark {
	t.Helper()
	bs, err := kspm.SelectBenchmarks(names)
	require.NoError(t, err)
	return bs
}

func namespace(name string, labels ...string) *corev1.Namespace {
	l := map[string]string{corev1.LabelMetadataName: name}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("ns-" + name), Labels: l}}
}

func pod(ns, name string, privileged bool) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("u-" + name), Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}
}

func resultKey(checkID, kind, ns, name, field string) Key {
	return Key{CheckID: checkID, Kind: kind, Namespace: ns, Name: name, Field: field}
}

func TestPrivilegedPodOpensAndResolves(t *testing.T) {
	ctx := context.Background()
	c := newCluster(namespace("shop"), pod("shop", "api", false))
	r := start(t, c, bench(t, "workloads"))
	field := "spec.containers[0].securityContext.privileged"
	// The CEL rule of workloads:allowed-registries runs over every pod template: a pod change
	// re-runs it whole (without registries configured, it has nothing to evaluate).
	wholeOnPodChange := []string{"workloads:allowed-registries"}

	p := pod("shop", "web", true)
	_, err := c.cs.CoreV1().Pods("shop").Create(ctx, p, metav1.CreateOptions{})
	require.NoError(t, err)
	d, u := r.delta(resultKey("workloads:privileged", "Pod", "shop", "web", field))
	assert.Equal(t, Opened, d.Kind)
	require.NotNil(t, d.After)
	assert.Equal(t, check.StatusFail, d.After.Status)
	assert.Equal(t, "Pod shop/web", d.After.Object.String())
	assert.False(t, d.Time.IsZero())
	assert.Equal(t, 1, u.Objects)
	assert.Equal(t, wholeOnPodChange, u.Whole, "a pod change re-runs the other checks for the pod only")
	assert.NotZero(t, u.Targeted)

	p.Spec.Containers[0].SecurityContext.Privileged = new(false)
	_, err = c.cs.CoreV1().Pods("shop").Update(ctx, p, metav1.UpdateOptions{})
	require.NoError(t, err)
	d, u = r.delta(resultKey("workloads:privileged", "Pod", "shop", "web", field))
	assert.Equal(t, Resolved, d.Kind)
	require.NotNil(t, d.Before)
	assert.Equal(t, check.StatusFail, d.Before.Status)
	assert.Equal(t, wholeOnPodChange, u.Whole)
	var passed bool
	for _, d := range u.Deltas {
		if d.Key.CheckID == "workloads:privileged" && d.Kind == Changed && d.Before == nil && d.After.Status == check.StatusPass {
			passed = true
		}
	}
	assert.True(t, passed, "the fixed pod's pass result appears")
	sameAsScan(t, c, r.m, "workloads")
}

func TestNamespaceLabelReevaluatesItsWorkloads(t *testing.T) {
	ctx := context.Background()
	hostNet := pod("shop", "web", false)
	hostNet.Spec.HostNetwork = true
	other := pod("other", "api", false)
	other.Spec.HostNetwork = true
	c := newCluster(namespace("shop"), namespace("other"), hostNet, other)
	r := start(t, c, bench(t, "pss-namespaces"))

	ns := namespace("shop", "pod-security.kubernetes.io/enforce", "baseline")
	_, err := c.cs.CoreV1().Namespaces().Update(ctx, ns, metav1.UpdateOptions{})
	require.NoError(t, err)
	d, u := r.delta(resultKey(kspmPSS("namespace-violations"), "Pod", "shop", "web", "spec.hostNetwork"))
	assert.Equal(t, Opened, d.Kind)
	assert.Equal(t, check.StatusFail, d.After.Status)
	assert.Contains(t, d.After.Message, `violates PodSecurity "baseline:latest"`)
	assert.Empty(t, u.Whole, "a namespace's labels re-evaluate its workloads only")
	for _, d := range u.Deltas {
		assert.NotEqual(t, "other", d.Key.Namespace, "the workloads of another namespace are not affected: %+v", d.Key)
	}
	sameAsScan(t, c, r.m, "pss-namespaces")
}

func kspmPSS(id string) string { return "pss:" + id }

func TestNetworkPolicyResolvesIsolationFindings(t *testing.T) {
	ctx := context.Background()
	isolate := func(ns, name, app string) *networkingv1.NetworkPolicy {
		return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("np-" + name)},
			Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": app}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}
	}
	// Namespace other has a policy already: a policy selecting by a label key no other policy
	// reads re-runs the isolation controls whole (see network's dependencies).
	c := newCluster(namespace("shop"), namespace("other"), pod("shop", "web", false), pod("shop", "db", false),
		pod("other", "api", false), pod("other", "cache", false), isolate("other", "api-only", "api"))
	r := start(t, c, bench(t, "network"))
	rep, err := r.m.Report()
	require.NoError(t, err)
	var failing []string
	for _, res := range rep.Results {
		if res.CheckID == "network:workload-ingress-isolation" && res.Status == check.StatusFail {
			failing = append(failing, res.Object.String()+" "+res.Field)
		}
	}
	require.Equal(t, []string{"Pod other/cache ", "Pod shop/db ", "Pod shop/web "}, failing,
		"no NetworkPolicy selects them: they accept any ingress")

	_, err = c.cs.NetworkingV1().NetworkPolicies("shop").Create(ctx, isolate("shop", "web-only", "web"), metav1.CreateOptions{})
	require.NoError(t, err)
	u := r.next()
	assert.Empty(t, u.Whole, "a NetworkPolicy re-evaluates the pods of its namespace only")
	var resolved []string
	for _, d := range u.Deltas {
		if d.Key.CheckID == "network:workload-ingress-isolation" && d.Kind == Resolved {
			resolved = append(resolved, d.Key.Kind+" "+d.Key.Namespace+"/"+d.Key.Name)
		}
		assert.NotEqual(t, "other", d.Key.Namespace)
	}
	assert.Equal(t, []string{"Pod shop/web"}, resolved, "the policy isolates the pod it selects, not the others")
	sameAsScan(t, c, r.m, "network")
}

func TestForbiddenKindTurnsResultsNotEvaluated(t *testing.T) {
	t.Run("from the start", func(t *testing.T) {
		c := newCluster(namespace("shop"), pod("shop", "web", true))
		c.forbidden["pods"] = true
		r := start(t, c, bench(t, "workloads"))
		rep, err := r.m.Report()
		require.NoError(t, err)
		var got []string
		for _, res := range rep.Results {
			if res.CheckID == "workloads:privileged" {
				got = append(got, string(res.Status)+": "+res.Message)
			}
		}
		require.Len(t, got, 1)
		assert.Contains(t, got[0], "notEvaluated: objects of kinds not completely seen were not evaluated: pods forbidden")
		sameAsScan(t, c, r.m, "workloads")
	})
	t.Run("later", func(t *testing.T) {
		c := newCluster(namespace("shop"), pod("shop", "web", true))
		r := start(t, c, bench(t, "workloads"))
		k := resultKey("workloads:privileged", "Pod", "shop", "web", "spec.containers[0].securityContext.privileged")

		c.forbid("pods", true)
		u := r.next()
		require.Len(t, u.Coverage, 1)
		assert.Equal(t, inventory.Forbidden, u.Coverage[0].State)
		var d Delta
		for _, x := range u.Deltas {
			assert.NotEqual(t, Resolved, x.Kind, "a result no longer seen is not resolved: %+v", x.Key)
			if x.Key == k {
				d = x
			}
		}
		assert.Equal(t, Changed, d.Kind)
		assert.Equal(t, check.StatusFail, d.Before.Status)
		assert.Equal(t, check.StatusNotEvaluated, d.After.Status)
		assert.Contains(t, d.After.Message, "pods forbidden")
		sameAsScan(t, c, r.m, "workloads")

		c.forbid("pods", false)
		d, _ = r.delta(k)
		assert.Equal(t, Changed, d.Kind)
		assert.Equal(t, check.StatusNotEvaluated, d.Before.Status)
		assert.Equal(t, check.StatusFail, d.After.Status)
		sameAsScan(t, c, r.m, "workloads")
	})
}

// A check that no longer sees a kind it needs may report fewer results about no object than
// before (cis:4.3.1 reports that it cannot find kube-proxy, where it reported that Cilium
// replaces kube-proxy and that NodeFiles were absent): the results it stops reporting are not
// resolved, they change to notEvaluated stand-ins until it sees the kind again.
func TestForbiddenKindResolvesNoResultAboutNoObject(t *testing.T) {
	cilium := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "cilium-config", Namespace: "kube-system"},
		Data:       map[string]string{"kube-proxy-replacement": "true"}}
	c := newCluster(namespace("kube-system"), pod("kube-system", "coredns", false), cilium)
	r := start(t, c, bench(t, "cis-1.12"))
	before, err := r.m.Report()
	require.NoError(t, err)
	var nodeFiles []check.Result
	for _, res := range before.Results {
		if res.CheckID == "cis:4.3.1" {
			nodeFiles = append(nodeFiles, res)
		}
	}
	require.Len(t, nodeFiles, 2, "Cilium replaces kube-proxy, and no NodeFiles: %+v", nodeFiles)
	second := Key{CheckID: "cis:4.3.1", N: 1}

	c.forbid("pods", true)
	u := r.next()
	require.Len(t, u.Coverage, 1)
	var d Delta
	for _, x := range u.Deltas {
		assert.NotEqual(t, Resolved, x.Kind, "%+v: %+v -> %+v", x.Key, x.Before, x.After)
		if x.Key == second {
			d = x
		}
	}
	require.NotNil(t, d.After, "the result the check no longer reports stays")
	assert.Equal(t, Changed, d.Kind)
	assert.Equal(t, nodeFiles[1].Message, d.Before.Message)
	assert.Equal(t, check.StatusNotEvaluated, d.After.Status)
	assert.Contains(t, d.After.Message, "pods forbidden")
	sameAsScan(t, c, r.m, "cis-1.12")

	c.forbid("pods", false)
	u = r.next()
	require.Len(t, u.Coverage, 1)
	for _, x := range u.Deltas {
		assert.NotEqual(t, Opened, x.Kind, "%+v: %+v -> %+v", x.Key, x.Before, x.After)
		if x.Key == second {
			assert.Equal(t, Changed, x.Kind)
			assert.Equal(t, nodeFiles[1].Message, x.After.Message)
		}
	}
	sameAsScan(t, c, r.m, "cis-1.12")
	after, err := r.m.Report()
	require.NoError(t, err)
	assert.Equal(t, briefs(before.Results), briefs(after.Results))
}

func TestRelistAndReconnectEmitNothing(t *testing.T) {
	c := newCluster(namespace("shop"), pod("shop", "web", true), pod("shop", "api", false))
	r := start(t, c, bench(t, "workloads", "pss-restricted"))
	require.Eventually(t, func() bool { return r.m.Stats().Watch.Watches >= len(inventory.BuiltinKinds()) },
		10*time.Second, 10*time.Millisecond)
	before := r.m.Stats()

	// 410 Gone: the kinds are listed again, and the lists hold what the monitor has.
	c.gone("pods")
	c.gone("namespaces")
	require.Eventually(t, func() bool { return r.m.Stats().Watch.Relists == before.Watch.Relists+2 },
		10*time.Second, 10*time.Millisecond)
	r.quiet(300 * time.Millisecond)
	assert.Equal(t, before.Revision, r.m.Stats().Revision, "no evaluation: nothing changed")

	// A watch the server ends: watched again from where it was.
	watches := r.m.Stats().Watch.Watches
	c.disconnect("pods")
	require.Eventually(t, func() bool { return r.m.Stats().Watch.Watches > watches }, 10*time.Second, 10*time.Millisecond)
	r.quiet(300 * time.Millisecond)
	assert.Equal(t, before.Revision, r.m.Stats().Revision)

	// A change made then is seen, alone.
	_, err := c.cs.CoreV1().Pods("shop").Create(context.Background(), pod("shop", "new", true), metav1.CreateOptions{})
	require.NoError(t, err)
	u := r.next()
	assert.Equal(t, 1, u.Objects)
	for _, d := range u.Deltas {
		assert.Equal(t, "new", d.Key.Name, "%+v", d.Key)
	}
}

func TestRestartWithPreviousResults(t *testing.T) {
	ctx := context.Background()
	c := newCluster(namespace("shop"), pod("shop", "web", true), pod("shop", "api", false))
	first := start(t, c, bench(t, "workloads"))
	rep, err := first.m.Report()
	require.NoError(t, err)

	again := start(t, c, bench(t, "workloads"), WithPrevious(rep.Results))
	assert.Empty(t, again.initial.Deltas, "a restart over an unchanged cluster emits nothing")

	_, err = c.cs.CoreV1().Pods("shop").Create(ctx, pod("shop", "new", true), metav1.CreateOptions{})
	require.NoError(t, err)
	third := start(t, c, bench(t, "workloads"), WithPrevious(rep.Results))
	require.NotEmpty(t, third.initial.Deltas)
	for _, d := range third.initial.Deltas {
		assert.Equal(t, "new", d.Key.Name, "only the pod created while down changed: %+v", d.Key)
		assert.Nil(t, d.Before)
	}
}

// sameAsScan waits until the monitor holds the cluster's objects as a one-shot load lists them,
// then compares its report's results with kspm.Scan's over that load.
func sameAsScan(t *testing.T, c *cluster, m *Monitor, names ...string) {
	t.Helper()
	ctx := context.Background()
	var want *inventory.Inventory
	require.Eventually(t, func() bool {
		var err error
		want, err = inventory.FromClientset(ctx, c.cs)
		require.NoError(t, err)
		got := m.Inventory()
		return got != nil && fmt.Sprint(objectsOf(got), got.CoverageAll()) == fmt.Sprint(objectsOf(want), want.CoverageAll())
	}, 10*time.Second, 20*time.Millisecond, "the monitor's inventory did not catch up with the cluster")
	scan, err := kspm.Scan(ctx, want, bench(t, names...))
	require.NoError(t, err)
	rep, err := m.Report()
	require.NoError(t, err)
	assert.Equal(t, briefs(scan.Results), briefs(rep.Results))
}

func objectsOf(inv *inventory.Inventory) []string {
	var out []string
	for _, o := range inv.Objects() {
		raw, err := json.Marshal(o.Object())
		if err != nil {
			panic(err)
		}
		out = append(out, o.String()+" "+string(raw))
	}
	return out
}

// TestWatchedClusterMatchesScan changes a fake cluster at random through its API (objects
// created, updated and deleted, kinds made forbidden and readable again, watches broken by a
// 410 Gone) and after each step waits until the monitor has caught up, then compares its
// report with kspm.Scan's over a one-shot load of the cluster, every check of the default
// benchmarks: the watch (conversion, relists, coverage) and the incremental evaluation
// together. KSPM_MONITOR_SEEDS and KSPM_MONITOR_STEPS make it longer.
func TestWatchedClusterMatchesScan(t *testing.T) {
	for seed := range uint64(envInt("KSPM_MONITOR_SEEDS", 2)) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { watchedClusterMatchesScan(t, seed) })
	}
}

func watchedClusterMatchesScan(t *testing.T, seed uint64) {
	m := newModel(seed, 150)
	objs := m.sorted(nil)
	for i, o := range objs {
		objs[i] = o.DeepCopyObject()
	}
	c := newCluster(objs...)
	names := kspm.DefaultBenchmarkNames()
	r := start(t, c, bench(t, names...))
	sameAsScan(t, c, r.m, names...)
	tracker := c.cs.Tracker()
	resources := []string{"pods", "namespaces", "networkpolicies", "rolebindings", "serviceaccounts", "secrets"}
	for step := range envInt("KSPM_MONITOR_STEPS", 12) {
		ops := m.step()
		for _, o := range ops {
			switch {
			case o.put != nil:
				k := modelKey(o.put)
				info, _ := inventory.LookupKind(k.gk)
				gvr := info.GroupVersionResource()
				obj := o.put.DeepCopyObject()
				if _, err := tracker.Get(gvr, k.ns, k.name); err == nil {
					require.NoError(t, tracker.Update(gvr, obj, k.ns))
				} else {
					require.NoError(t, tracker.Create(gvr, obj, k.ns))
				}
			case o.remove != nil:
				info, _ := inventory.LookupKind(o.remove.gk)
				require.NoError(t, tracker.Delete(info.GroupVersionResource(), o.remove.ns, o.remove.name))
			case o.forbid != nil, o.allow != nil:
				gk := o.forbid
				if o.allow != nil {
					gk = o.allow
				}
				info, _ := inventory.LookupKind(*gk)
				c.forbid(info.Resource, o.forbid != nil)
			}
		}
		if step%3 == 0 {
			c.gone(resources[step%len(resources)])
		}
		sameAsScan(t, c, r.m, names...)
		for len(r.updates) > 0 {
			<-r.updates
		}
	}
}
