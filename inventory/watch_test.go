package inventory_test

import (
	"context"
	"encoding/json"
	"fmt"
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
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/inventory"
)

// summary sums up an inventory's objects, coverage and errors, to compare two inventories.
func summary(t *testing.T, inv *inventory.Inventory) map[string]any {
	t.Helper()
	var objs []string
	for _, o := range inv.Objects() {
		raw, err := json.Marshal(o.Object())
		require.NoError(t, err)
		objs = append(objs, o.String()+" "+string(raw))
	}
	var errs []string
	for _, err := range inv.Errors() {
		errs = append(errs, err.Error())
	}
	return map[string]any{"objects": objs, "coverage": inv.CoverageAll(), "errors": errs,
		"version": inv.ServerVersion(), "sources": inv.Sources(), "mode": inv.Mode()}
}

// startWatch runs a Watch over cs until the test ends and returns it with its first inventory.
func startWatch(t *testing.T, cs *fake.Clientset, opts ...inventory.ClusterOption) (*inventory.Watch, *inventory.Inventory) {
	t.Helper()
	w, err := inventory.NewWatch(cs, opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	inv, changes, err := next(t, w, nil)
	require.NoError(t, err)
	assert.Empty(t, changes)
	return w, inv
}

func next(t *testing.T, w *inventory.Watch, prev *inventory.Inventory) (*inventory.Inventory, []inventory.Change, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return w.Next(ctx, prev)
}

func TestWatchFirstInventoryIsFromClientsets(t *testing.T) {
	objs := clusterObjects(t)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "ns1", UID: "u-db",
		Annotations: map[string]string{lastApplied: `{"data":{"password":"c2VjcmV0"}}`}},
		Data: map[string][]byte{"password": []byte("s3cr3t-value")}}
	objs = append(objs, secret)
	cs := fake.NewClientset(objs...)
	cs.Resources = coreDiscovery()
	want, err := inventory.FromClientset(context.Background(), cs, inventory.WithSourceName("prod"))
	require.NoError(t, err)
	_, got := startWatch(t, cs, inventory.WithSourceName("prod"))
	assert.Equal(t, summary(t, want), summary(t, got))
	s := got.Get(inventory.KindSecret, "ns1", "db").Object().(*corev1.Secret)
	assert.Nil(t, s.Data, "a Secret's values are dropped, as the loader drops them")
	assert.NotContains(t, s.Annotations, lastApplied)
}

func TestWatchFollowsChanges(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}})
	w, inv := startWatch(t, cs)
	pods := cs.CoreV1().Pods("shop")

	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "u-web"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
	_, err := pods.Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)
	next1, changes, err := next(t, w, inv)
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Nil(t, changes[0].Old)
	assert.Equal(t, "Pod shop/web", changes[0].New.String())
	assert.Nil(t, inv.Get(inventory.KindPod, "shop", "web"), "the inventory before is unchanged")

	pod.Spec.Containers[0].Image = "nginx:1.27"
	_, err = pods.Update(ctx, pod, metav1.UpdateOptions{})
	require.NoError(t, err)
	next2, changes, err := next(t, w, next1)
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Same(t, next1.Get(inventory.KindPod, "shop", "web"), changes[0].Old)
	assert.Equal(t, "nginx:1.27", changes[0].New.Object().(*corev1.Pod).Spec.Containers[0].Image)

	require.NoError(t, pods.Delete(ctx, "web", metav1.DeleteOptions{}))
	next3, changes, err := next(t, w, next2)
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Nil(t, changes[0].New)
	assert.Nil(t, next3.Get(inventory.KindPod, "shop", "web"))
	assert.Equal(t, 1, next3.Len())
}

func TestWatchForbiddenKind(t *testing.T) {
	cs := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}})
	var mu sync.Mutex
	forbidden := true
	cs.PrependReactor("list", "pods", func(clienttesting.Action) (bool, runtime.Object, error) {
		mu.Lock()
		defer mu.Unlock()
		if forbidden {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", fmt.Errorf("no RBAC"))
		}
		return false, nil, nil
	})
	_, inv := startWatch(t, cs)
	c := inv.Coverage(inventory.KindPod)
	assert.Equal(t, inventory.Forbidden, c.State)
	assert.Contains(t, c.Reason, "no RBAC")
	assert.Empty(t, inv.ByKind(inventory.KindPod))
	var listErr *inventory.ListError
	require.Len(t, inv.Errors(), 1)
	require.ErrorAs(t, inv.Errors()[0], &listErr)
	assert.Equal(t, inventory.KindPod, listErr.Kind)
}

// TestWatchListedButNotWatched: a kind the server lets list but not watch (a role granting
// list only) cannot be kept current, so it is Forbidden, saying why, and holds no objects; it
// is Listed again, with what the cluster holds then, once a watch is allowed.
func TestWatchListedButNotWatched(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}})
	var mu sync.Mutex
	refuse, refuseList := true, false
	cs.PrependWatchReactor("pods", func(clienttesting.Action) (bool, watch.Interface, error) {
		mu.Lock()
		defer mu.Unlock()
		if refuse {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "",
				fmt.Errorf(`User "monitor" cannot watch resource "pods"`))
		}
		return false, nil, nil
	})
	cs.PrependReactor("list", "pods", func(clienttesting.Action) (bool, runtime.Object, error) {
		mu.Lock()
		defer mu.Unlock()
		if refuseList {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "",
				fmt.Errorf(`User "monitor" cannot list resource "pods"`))
		}
		return false, nil, nil
	})
	w, inv := startWatch(t, cs, inventory.WithKinds(inventory.KindNamespace, inventory.KindPod),
		inventory.WithRelistBackoff(10*time.Millisecond, 50*time.Millisecond))
	reason := func(inv *inventory.Inventory, want string) *inventory.Inventory {
		t.Helper()
		for !strings.Contains(inv.Coverage(inventory.KindPod).Reason, want) {
			var err error
			inv, _, err = next(t, w, inv)
			require.NoError(t, err, "waiting for the reason %q", want)
		}
		return inv
	}
	for inv.Coverage(inventory.KindPod).State != inventory.Forbidden {
		var err error
		inv, _, err = next(t, w, inv)
		require.NoError(t, err, "the refusal is seen")
	}
	c := inv.Coverage(inventory.KindPod)
	assert.Contains(t, c.Reason, `cannot watch resource "pods"`)
	assert.Empty(t, inv.ByKind(inventory.KindPod), "no objects that could not be kept current")
	require.Len(t, inv.Errors(), 1)
	var listErr *inventory.ListError
	require.ErrorAs(t, inv.Errors()[0], &listErr)
	assert.Equal(t, inventory.Forbidden, listErr.State)

	// The lists that follow, which succeed, change nothing while watches are refused.
	lists := w.Stats().Lists
	require.Eventually(t, func() bool { return w.Stats().Lists > lists+2 }, 10*time.Second, 5*time.Millisecond)
	_, err := cs.CoreV1().Pods("shop").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop"}},
		metav1.CreateOptions{})
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, _, err = w.Next(short, inv)
	require.ErrorIs(t, err, context.DeadlineExceeded, "nothing changes while watches are refused")

	// Lists refused too, then allowed again: the kind says what it is refused.
	mu.Lock()
	refuseList = true
	mu.Unlock()
	inv = reason(inv, `cannot list resource "pods"`)
	mu.Lock()
	refuseList = false
	mu.Unlock()
	inv = reason(inv, `cannot watch resource "pods"`)
	assert.Equal(t, inventory.Forbidden, inv.Coverage(inventory.KindPod).State)
	assert.Empty(t, inv.ByKind(inventory.KindPod))

	mu.Lock()
	refuse = false
	mu.Unlock()
	for inv.Coverage(inventory.KindPod).State != inventory.Listed {
		inv, _, err = next(t, w, inv)
		require.NoError(t, err)
	}
	assert.Empty(t, inv.Errors())
	for inv.Get(inventory.KindPod, "shop", "api") == nil {
		inv, _, err = next(t, w, inv)
		require.NoError(t, err)
	}
	assert.Len(t, inv.ByKind(inventory.KindPod), 2)
}

// proxyWatches makes every watch of resource go through a channel the test can also send
// events to (a 410 Gone), and returns a function that sends ev to the watches open.
func proxyWatches(cs *fake.Clientset, resource string) func(ev watch.Event) {
	var mu sync.Mutex
	var open []chan watch.Event
	cs.PrependWatchReactor(resource, func(a clienttesting.Action) (bool, watch.Interface, error) {
		wa := a.(clienttesting.WatchActionImpl)
		inner, err := cs.Tracker().Watch(a.GetResource(), a.GetNamespace(), wa.ListOptions)
		if err != nil {
			return true, nil, err
		}
		ch := make(chan watch.Event, 100)
		pw := watch.NewProxyWatcher(ch)
		mu.Lock()
		open = append(open, ch)
		mu.Unlock()
		go func() {
			defer inner.Stop()
			for {
				select {
				case ev, ok := <-inner.ResultChan():
					if !ok {
						return
					}
					select {
					case ch <- ev:
					case <-pw.StopChan():
						return
					}
				case <-pw.StopChan():
					mu.Lock()
					for i, c := range open {
						if c == ch {
							open = append(open[:i], open[i+1:]...)
							break
						}
					}
					mu.Unlock()
					return
				}
			}
		}()
		return true, pw, nil
	})
	return func(ev watch.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, ch := range open {
			ch <- ev
		}
	}
}

func gone() watch.Event {
	return watch.Event{Type: watch.Error, Object: &metav1.Status{Status: metav1.StatusFailure, Code: 410,
		Reason: metav1.StatusReasonExpired, Message: "too old resource version"}}
}

func TestWatchRelistWithoutChanges(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "u-web"}})
	send := proxyWatches(cs, "pods")
	w, inv := startWatch(t, cs)
	require.Eventually(t, func() bool { return w.Stats().Watches >= len(inventory.BuiltinKinds()) }, 10*time.Second, 10*time.Millisecond)
	lists := w.Stats().Lists

	send(gone())
	require.Eventually(t, func() bool { return w.Stats().Relists == 1 }, 10*time.Second, 10*time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, _, err := w.Next(short, inv)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a relist of unchanged objects changes nothing")
	assert.Equal(t, lists+1, w.Stats().Lists)

	// The watch goes on after the relist.
	require.NoError(t, cs.Tracker().Delete(corev1.SchemeGroupVersion.WithResource("pods"), "shop", "web"))
	_, changes, err := next(t, w, inv)
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Nil(t, changes[0].New)
}
