package publish

import (
	"context"
	"fmt"
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
	"k8s.io/apimachinery/pkg/watch"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/report/openreports"
)

// cluster is a fake cluster whose pods can be made forbidden: their watch is then sent a
// 410 Gone, so that the monitor lists them again, and the list is refused.
type cluster struct {
	cs        *fake.Clientset
	mu        sync.Mutex
	forbidden bool
	podWatch  []podWatch
}

// podWatch is one watch of pods the cluster serves: its events go through ch.
type podWatch struct {
	ch chan watch.Event
	pw *watch.ProxyWatcher
}

func newCluster(objs ...runtime.Object) *cluster {
	c := &cluster{cs: fake.NewClientset(objs...)}
	c.cs.Resources = []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "pods", Namespaced: true, Kind: "Pod"}}}}
	c.cs.PrependReactor("list", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.forbidden {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", fmt.Errorf("cannot list pods"))
		}
		return false, nil, nil
	})
	c.cs.PrependWatchReactor("pods", func(a clienttesting.Action) (bool, watch.Interface, error) {
		inner, err := c.cs.Tracker().Watch(a.GetResource(), a.GetNamespace(), a.(clienttesting.WatchActionImpl).ListOptions)
		if err != nil {
			return true, nil, err
		}
		w := podWatch{ch: make(chan watch.Event, 100)}
		w.pw = watch.NewProxyWatcher(w.ch)
		c.mu.Lock()
		c.podWatch = append(c.podWatch, w)
		c.mu.Unlock()
		go func() {
			defer inner.Stop()
			for {
				select {
				case ev, ok := <-inner.ResultChan():
					if !ok {
						return
					}
					select {
					case w.ch <- ev:
					case <-w.pw.StopChan():
						return
					}
				case <-w.pw.StopChan():
					return
				}
			}
		}()
		return true, w.pw, nil
	})
	return c
}

// forbidPods makes pods forbidden to list and breaks their watch with a 410 Gone.
func (c *cluster) forbidPods(forbidden bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forbidden = forbidden
	for _, w := range c.podWatch {
		select {
		case <-w.pw.StopChan():
		case w.ch <- watch.Event{Type: watch.Error, Object: &metav1.Status{Status: metav1.StatusFailure, Code: 410,
			Reason: metav1.StatusReasonExpired, Message: "too old resource version"}}:
		}
	}
	c.podWatch = nil
}

func pod(ns, name string, privileged bool) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}
}

// published is a monitor running over a cluster with a Reports writing to a fake dynamic
// client; each update is published before the next evaluation.
type published struct {
	t       *testing.T
	m       *monitor.Monitor
	p       *Reports
	updates chan monitor.Update
	initial monitor.Update
}

func publishMonitor(t *testing.T, c *cluster, client *dynamicfake.FakeDynamicClient, opts ...Option) *published {
	t.Helper()
	bs, err := kspm.SelectBenchmarks([]string{"workloads"})
	require.NoError(t, err)
	p := newReports(t, client, opts...)
	previous, err := p.Load(t.Context())
	require.NoError(t, err)
	r := &published{t: t, p: p, updates: make(chan monitor.Update, 100)}
	var m *monitor.Monitor
	m, err = monitor.New(c.cs, bs, monitor.WithResync(0), monitor.WithPrevious(previous),
		monitor.WithClusterOptions(inventory.WithRelistBackoff(10*time.Millisecond, 50*time.Millisecond)),
		monitor.WithUpdates(func(u monitor.Update) {
			p.Update(m, u)
			r.updates <- u
		}))
	require.NoError(t, err)
	r.m = m
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
	r.initial = r.next()
	return r
}

// next waits for an update and writes what it changed.
func (r *published) next() monitor.Update {
	r.t.Helper()
	select {
	case u := <-r.updates:
		r.p.flush(r.t)
		return u
	case <-time.After(10 * time.Second):
		require.FailNow(r.t, "no update")
	}
	return monitor.Update{}
}

// results returns the results of the Reports in namespace ns of check id, as
// "result/status object".
func results(t *testing.T, client *dynamicfake.FakeDynamicClient, ns, id string) []string {
	t.Helper()
	l, err := client.Resource(openreports.ReportResource).Namespace(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	var out []string
	for i := range l.Items {
		for _, rr := range reportOf(t, &l.Items[i]).Results {
			if rr.Policy == id {
				out = append(out, fmt.Sprintf("%s/%s %s", rr.Result, rr.Properties["status"], rr.Subjects[0].Name))
			}
		}
	}
	return out
}

func TestPublishesWhatTheMonitorFinds(t *testing.T) {
	c := newCluster(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, pod("shop", "api", false))
	client := newClient()
	r := publishMonitor(t, c, client, WithResults("pass", "fail", "warn", "error", "skip"))
	const id = "workloads:privileged"
	assert.Equal(t, []string{"pass/pass api"}, results(t, client, "shop", id))

	ctx := t.Context()
	_, err := c.cs.CoreV1().Pods("shop").Create(ctx, pod("shop", "web", true), metav1.CreateOptions{})
	require.NoError(t, err)
	r.next()
	assert.Equal(t, []string{"pass/pass api", "fail/fail web"}, results(t, client, "shop", id), "opened")

	// The pods can no longer be seen: the finding stays, as could not be evaluated.
	c.forbidPods(true)
	for {
		u := r.next()
		if len(u.Coverage) > 0 {
			break
		}
	}
	assert.Equal(t, []string{"error/notEvaluated api", "error/notEvaluated web"}, results(t, client, "shop", id),
		"not evaluated: never pass, never gone")
	c.forbidPods(false)
	for {
		u := r.next()
		if len(u.Coverage) > 0 {
			break
		}
	}
	assert.Equal(t, []string{"pass/pass api", "fail/fail web"}, results(t, client, "shop", id))

	_, err = c.cs.CoreV1().Pods("shop").Update(ctx, pod("shop", "web", false), metav1.UpdateOptions{})
	require.NoError(t, err)
	r.next()
	assert.Equal(t, []string{"pass/pass api", "pass/pass web"}, results(t, client, "shop", id), "resolved")

	require.NoError(t, c.cs.CoreV1().Pods("shop").Delete(ctx, "web", metav1.DeleteOptions{}))
	r.next()
	assert.Equal(t, []string{"pass/pass api"}, results(t, client, "shop", id), "gone with its pod")

	// Every result the monitor reports is published, and nothing else.
	rep, err := r.m.Report()
	require.NoError(t, err)
	l, err := client.Resource(openreports.ReportResource).Namespace("").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	cl, err := client.Resource(openreports.ClusterReportResource).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	var got []string
	for _, u := range append(l.Items, cl.Items...) {
		for _, rr := range reportOf(t, &u).Results {
			cr, _ := openreports.CheckResult(rr)
			got = append(got, fmt.Sprint(cr.CheckID, cr.Status, cr.Object, cr.Field, cr.Message))
		}
	}
	var want []string
	for _, res := range rep.Results {
		want = append(want, fmt.Sprint(res.CheckID, res.Status, res.Object, res.Field, res.Message))
	}
	assert.ElementsMatch(t, want, got)
}

func TestRestartedMonitorRewritesNothing(t *testing.T) {
	c := newCluster(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, pod("shop", "api", false),
		pod("shop", "web", true))
	client := newClient()
	publishMonitor(t, c, client)
	assert.Equal(t, []string{"fail/fail web"}, results(t, client, "shop", "workloads:privileged"))
	require.NotEmpty(t, writes(client))
	client.ClearActions()

	second := publishMonitor(t, c, client)
	assert.Empty(t, writes(client), "same cluster, same objects: nothing written")
	assert.Positive(t, second.p.Stats().Unchanged)
	assert.Empty(t, findingDeltas(second.initial), "and no finding opened or resolved again")

	// The finding the first monitors published is resolved while none runs: the third
	// resolves it (no other delta) and writes that, and only that.
	_, err := c.cs.CoreV1().Pods("shop").Update(t.Context(), pod("shop", "web", false), metav1.UpdateOptions{})
	require.NoError(t, err)
	client.ClearActions()
	third := publishMonitor(t, c, client)
	assert.Empty(t, results(t, client, "shop", "workloads:privileged"))
	assert.Equal(t, []string{"update reports shop/kspm-0"}, writes(client))
	assert.Equal(t, []string{"resolved workloads:privileged web"}, findingDeltas(third.initial))
}

// findingDeltas returns the deltas of u that concern findings.
func findingDeltas(u monitor.Update) []string {
	var out []string
	for _, d := range u.Deltas {
		if monitor.IsFinding(statusOf(d.Before)) || monitor.IsFinding(statusOf(d.After)) {
			out = append(out, fmt.Sprintf("%s %s %s", d.Kind, d.Key.CheckID, d.Key.Name))
		}
	}
	return out
}

func statusOf(r *check.Result) check.Status {
	if r == nil {
		return check.StatusPass
	}
	return r.Status
}
