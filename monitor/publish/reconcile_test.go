package publish

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/report/openreports"
)

// TestReconcileRepairsTheCluster: what someone else does to the report objects (delete, edit,
// relabel, add one of the instance's) is found by the reconcile and mended, and nothing is
// written while the cluster holds what should be there.
func TestReconcileRepairsTheCluster(t *testing.T) {
	results := []check.Result{privileged("shop", "web", check.StatusFail), privileged("shop", "db", check.StatusFail),
		result("cis:1.2.1", check.StatusNotEvaluated, nil, "", "no kube-apiserver pod seen")}
	reports := openreports.ReportResource

	for _, tc := range []struct {
		name   string
		change func(t *testing.T, client *dynamicfake.FakeDynamicClient)
		writes []string          // after the reconcile
		labels map[string]string // of shop/kspm-0 then, when not as written
	}{
		{name: "unchanged", change: func(*testing.T, *dynamicfake.FakeDynamicClient) {}},
		{name: "deleted", change: func(t *testing.T, c *dynamicfake.FakeDynamicClient) {
			require.NoError(t, c.Resource(reports).Namespace("shop").Delete(t.Context(), "kspm-0", metav1.DeleteOptions{}))
		}, writes: []string{"create reports shop/kspm-0"}},
		{name: "results edited", change: func(t *testing.T, c *dynamicfake.FakeDynamicClient) {
			u := get(t, c, reports, "shop", "kspm-0")
			unstructured.RemoveNestedField(u.Object, "results")
			_, err := c.Resource(reports).Namespace("shop").Update(t.Context(), u, metav1.UpdateOptions{})
			require.NoError(t, err)
		}, writes: []string{"update reports shop/kspm-0"}},
		{name: "part label edited", change: func(t *testing.T, c *dynamicfake.FakeDynamicClient) {
			u := get(t, c, reports, "shop", "kspm-0")
			u.SetLabels(map[string]string{LabelManagedBy: "kspm", LabelInstance: "kspm", LabelPart: "7"})
			_, err := c.Resource(reports).Namespace("shop").Update(t.Context(), u, metav1.UpdateOptions{})
			require.NoError(t, err)
		}, writes: []string{"update reports shop/kspm-0"}},
		{name: "label added by another tool", change: func(t *testing.T, c *dynamicfake.FakeDynamicClient) {
			u := get(t, c, reports, "shop", "kspm-0")
			u.SetLabels(map[string]string{LabelManagedBy: "kspm", LabelInstance: "kspm", LabelPart: "0", "argocd.argoproj.io/instance": "kspm"})
			_, err := c.Resource(reports).Namespace("shop").Update(t.Context(), u, metav1.UpdateOptions{})
			require.NoError(t, err)
		}, labels: map[string]string{LabelManagedBy: "kspm", LabelInstance: "kspm", LabelPart: "0", "argocd.argoproj.io/instance": "kspm"}},
		{name: "recreated by someone else", change: func(t *testing.T, c *dynamicfake.FakeDynamicClient) {
			recreate(t, c, func(u *unstructured.Unstructured) { unstructured.RemoveNestedField(u.Object, "results") })
		}, writes: []string{"update reports shop/kspm-0"}},
		{name: "recreated as it was", change: func(t *testing.T, c *dynamicfake.FakeDynamicClient) {
			recreate(t, c, func(*unstructured.Unstructured) {})
		}},
		{name: "one of the instance's unknown to it", change: func(t *testing.T, c *dynamicfake.FakeDynamicClient) {
			u := get(t, c, reports, "shop", "kspm-0")
			u.SetName("kspm-5")
			u.SetNamespace("lab")
			u.SetLabels(map[string]string{LabelManagedBy: "kspm", LabelInstance: "kspm", LabelPart: "5"})
			_, err := c.Resource(reports).Namespace("lab").Create(t.Context(), u, metav1.CreateOptions{})
			require.NoError(t, err)
		}, writes: []string{"delete reports lab/kspm-5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := newClient()
			p := newReports(t, client)
			p.Update(&fakeSource{results: results}, monitor.Update{Revision: 1, Time: t0, Initial: true})
			p.flush(t)
			want := get(t, client, reports, "shop", "kspm-0")
			require.NotNil(t, want)
			before := p.Stats()
			require.Equal(t, ReportStats{Creates: 2, Objects: 2, Results: 3}, before)

			tc.change(t, client)
			client.ClearActions()
			require.NoError(t, p.reconcile(t.Context()))
			p.flush(t)
			assert.Equal(t, tc.writes, writes(client))
			assert.Equal(t, want.Object["results"], get(t, client, reports, "shop", "kspm-0").Object["results"], "as it was written")
			labels := tc.labels
			if labels == nil {
				labels = want.GetLabels()
			}
			assert.Equal(t, labels, get(t, client, reports, "shop", "kspm-0").GetLabels())
			assert.Empty(t, names(t, client, reports, "lab"))
			after := p.Stats()
			assert.Equal(t, min(len(tc.writes), 1), after.Repairs)
			assert.Equal(t, 2, after.Objects)
			assert.Equal(t, 3, after.Results)
			assert.Zero(t, p.Pending())

			client.ClearActions()
			require.NoError(t, p.reconcile(t.Context()))
			p.flush(t)
			assert.Empty(t, writes(client), "mended: the next reconcile writes nothing")
		})
	}
}

// recreate deletes the Report shop/kspm-0 and creates it again with another uid, changed by
// edit.
func recreate(t *testing.T, c *dynamicfake.FakeDynamicClient, edit func(*unstructured.Unstructured)) {
	t.Helper()
	ri := c.Resource(openreports.ReportResource).Namespace("shop")
	u := get(t, c, openreports.ReportResource, "shop", "kspm-0")
	require.NoError(t, ri.Delete(t.Context(), "kspm-0", metav1.DeleteOptions{}))
	u.SetUID("recreated")
	edit(u)
	_, err := ri.Create(t.Context(), u, metav1.CreateOptions{})
	require.NoError(t, err)
}

// TestReconcileBeforeTheFirstUpdateWritesNothing: the objects Load read are not compared
// with scopes not known yet (which would delete them all).
func TestReconcileBeforeTheFirstUpdateWritesNothing(t *testing.T) {
	client := newClient()
	first := newReports(t, client)
	first.Update(&fakeSource{results: []check.Result{privileged("shop", "web", check.StatusFail)}},
		monitor.Update{Revision: 1, Time: t0, Initial: true})
	first.flush(t)
	client.ClearActions()

	again := newReports(t, client)
	_, err := again.Load(t.Context())
	require.NoError(t, err)
	require.NoError(t, again.reconcile(t.Context()))
	assert.Zero(t, again.Pending())
	assert.Empty(t, writes(client))
}

// TestForeignObjectIsLeftAloneAndReportedOnce: an object of the name without the instance's
// labels is neither overwritten nor deleted, warned about once, counted in Stats.Foreign (not
// as an error), and tried again at the reconcile's pace: once it is gone, the report is
// written.
func TestForeignObjectIsLeftAloneAndReportedOnce(t *testing.T) {
	client := newClient()
	var logs bytes.Buffer
	p := newReports(t, client, WithReconcile(20*time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	src := &fakeSource{results: []check.Result{privileged("shop", "web", check.StatusFail)}}
	p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)
	require.NotNil(t, get(t, client, openreports.ReportResource, "shop", "kspm-0"))

	// Someone takes the object over: they relabel it as theirs.
	u := get(t, client, openreports.ReportResource, "shop", "kspm-0")
	u.SetLabels(map[string]string{LabelManagedBy: "someone-else"})
	unstructured.RemoveNestedField(u.Object, "results")
	_, err := client.Resource(openreports.ReportResource).Namespace("shop").Update(t.Context(), u, metav1.UpdateOptions{})
	require.NoError(t, err)
	client.ClearActions()

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	require.Eventually(t, func() bool { return p.Stats().Foreign == 1 }, 5*time.Second, 5*time.Millisecond)
	// Several periods: the name is tried again, and still warned about once.
	time.Sleep(150 * time.Millisecond)
	theirs := get(t, client, openreports.ReportResource, "shop", "kspm-0")
	assert.Equal(t, "someone-else", theirs.GetLabels()[LabelManagedBy], "never overwritten")
	assert.NotContains(t, theirs.Object, "results")
	for _, w := range writes(client) {
		assert.True(t, strings.HasPrefix(w, "create "), "only creates tried (refused), never an update or delete: %s", w)
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), "warned once: %s", logs.String())
	st := p.Stats()
	assert.Zero(t, st.Errors)
	assert.Zero(t, st.Objects, "not held as written")
	assert.Equal(t, 1, p.Pending())

	// They delete it: the report is written at the next try.
	require.NoError(t, client.Resource(openreports.ReportResource).Namespace("shop").Delete(t.Context(), "kspm-0", metav1.DeleteOptions{}))
	require.Eventually(t, func() bool {
		u := get(t, client, openreports.ReportResource, "shop", "kspm-0")
		return u != nil && u.GetLabels()[LabelManagedBy] == "kspm"
	}, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return p.Pending() == 0 }, 5*time.Second, 5*time.Millisecond)
	assert.Zero(t, p.Stats().Foreign)
	assert.Equal(t, 1, p.Stats().Objects)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

// enforceUIDPrecondition makes client's deletes honour a uid precondition, as the API server
// does (409 Conflict when the object of the name has another uid).
func enforceUIDPrecondition(client *dynamicfake.FakeDynamicClient) {
	client.PrependReactor("delete", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		d := a.(clienttesting.DeleteAction)
		pre := d.GetDeleteOptions().Preconditions
		if pre == nil || pre.UID == nil {
			return false, nil, nil
		}
		obj, err := client.Tracker().Get(d.GetResource(), d.GetNamespace(), d.GetName())
		if err != nil {
			return false, nil, nil
		}
		if got := obj.(*unstructured.Unstructured).GetUID(); got != *pre.UID {
			return true, nil, apierrors.NewConflict(d.GetResource().GroupResource(), d.GetName(),
				fmt.Errorf("precondition failed: uid %s, object has %s", *pre.UID, got))
		}
		return false, nil, nil
	})
}

// TestRecreatedObjectWithStaleUIDIsDeleted: a part deleted and recreated by someone else (the
// uid Reports remembers is stale) is still deleted when no longer needed, after reading it
// again, without a reconcile.
func TestRecreatedObjectWithStaleUIDIsDeleted(t *testing.T) {
	client := newClient()
	enforceUIDPrecondition(client)
	p := newReports(t, client, WithMaxResults(1), WithReconcile(0))
	web, db := privileged("shop", "web", check.StatusFail), privileged("shop", "db", check.StatusFail)
	p.Update(&fakeSource{results: []check.Result{web, db}}, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)
	require.Equal(t, []string{"kspm-0", "kspm-1"}, names(t, client, openreports.ReportResource, "shop"))
	p.writtenMu.Lock()
	for id, w := range p.written {
		w.uid = types.UID("ours-" + id.name)
		p.written[id] = w
	}
	p.writtenMu.Unlock()
	for _, name := range []string{"kspm-0", "kspm-1"} {
		u := get(t, client, openreports.ReportResource, "shop", name)
		u.SetUID(types.UID("theirs-" + name)) // as recreated from a backup
		_, err := client.Resource(openreports.ReportResource).Namespace("shop").Update(t.Context(), u, metav1.UpdateOptions{})
		require.NoError(t, err)
	}

	fixed := privileged("shop", "web", check.StatusPass)
	fixedDB := privileged("shop", "db", check.StatusPass)
	p.Update(nil, monitor.Update{Revision: 2, Time: t0, Deltas: []monitor.Delta{
		{Kind: monitor.Resolved, Key: keyOf(web, 0), Before: &web, After: &fixed},
		{Kind: monitor.Resolved, Key: keyOf(db, 0), Before: &db, After: &fixedDB}}})
	p.flush(t)
	assert.Empty(t, names(t, client, openreports.ReportResource, "shop"))
	assert.Zero(t, p.Stats().Errors)
	assert.Equal(t, 2, p.Stats().Conflicts)
}

// TestShrinkingKeepsPartsUntilTheirResultsAreWritten: when a scope needs fewer parts, the
// results of a part no longer needed move into another; if that write fails, the part is
// kept (deleting it would lose them) until the write succeeds.
func TestShrinkingKeepsPartsUntilTheirResultsAreWritten(t *testing.T) {
	client := newClient()
	p := newReports(t, client, WithMaxResults(1))
	web, db := privileged("shop", "web", check.StatusFail), privileged("shop", "db", check.StatusFail)
	p.Update(&fakeSource{results: []check.Result{web, db}}, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)
	require.Equal(t, []string{"kspm-0", "kspm-1"}, names(t, client, openreports.ReportResource, "shop"))
	require.Equal(t, "web", reportOf(t, get(t, client, openreports.ReportResource, "shop", "kspm-1")).Results[0].Subjects[0].Name)

	failing := true
	client.PrependReactor("update", "reports", func(clienttesting.Action) (bool, runtime.Object, error) {
		if failing {
			return true, nil, apierrors.NewServiceUnavailable("etcd is busy")
		}
		return false, nil, nil
	})
	fixed := privileged("shop", "db", check.StatusPass)
	p.Update(nil, monitor.Update{Revision: 2, Time: t0, Deltas: []monitor.Delta{
		{Kind: monitor.Resolved, Key: keyOf(db, 0), Before: &db, After: &fixed}}})
	require.True(t, p.next(t.Context()))
	assert.Equal(t, []string{"kspm-0", "kspm-1"}, names(t, client, openreports.ReportResource, "shop"),
		"web's finding, moving from kspm-1 into kspm-0, is still published")
	assert.Equal(t, "web", reportOf(t, get(t, client, openreports.ReportResource, "shop", "kspm-1")).Results[0].Subjects[0].Name)
	assert.Equal(t, 1, p.Stats().Errors)
	assert.Equal(t, 1, p.Pending(), "waiting to be tried again")

	failing = false
	require.Eventually(t, func() bool {
		if p.queue.Len() > 0 {
			require.True(t, p.next(t.Context()))
		}
		return p.Pending() == 0
	}, 5*time.Second, time.Millisecond)
	assert.Equal(t, []string{"kspm-0"}, names(t, client, openreports.ReportResource, "shop"))
	r := reportOf(t, get(t, client, openreports.ReportResource, "shop", "kspm-0"))
	require.Len(t, r.Results, 1)
	assert.Equal(t, "web", r.Results[0].Subjects[0].Name)
}

// TestPendingCountsDelayedScopes: a scope waiting for its delay is pending, though not yet in
// the queue.
func TestPendingCountsDelayedScopes(t *testing.T) {
	p := newReports(t, newClient(), WithDelay(time.Hour))
	p.Update(&fakeSource{results: []check.Result{privileged("shop", "web", check.StatusFail),
		privileged("lab", "web", check.StatusFail)}}, monitor.Update{Revision: 1, Time: t0, Initial: true})
	assert.Zero(t, p.queue.Len())
	assert.Equal(t, 2, p.Pending())
}

// pagedClient serves the lists of its resources in pages, honouring Limit and Continue (the
// fake client ignores them), and counts the pages served.
type pagedClient struct {
	dynamic.Interface
	t     *testing.T
	pages *int
}

func (c pagedClient) Resource(res schema.GroupVersionResource) dynamic.NamespaceableResourceInterface {
	return pagedResource{c.Interface.Resource(res), c}
}

type pagedResource struct {
	dynamic.NamespaceableResourceInterface
	c pagedClient
}

func (r pagedResource) List(ctx context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	require.Equal(r.c.t, int64(listPage), opts.Limit)
	all, err := r.NamespaceableResourceInterface.List(ctx, metav1.ListOptions{LabelSelector: opts.LabelSelector})
	if err != nil {
		return nil, err
	}
	from := 0
	if opts.Continue != "" {
		_, err := fmt.Sscan(opts.Continue, &from)
		require.NoError(r.c.t, err)
	}
	to := min(from+listPage, len(all.Items))
	page := &unstructured.UnstructuredList{Object: all.Object, Items: all.Items[from:to]}
	if to < len(all.Items) {
		page.SetContinue(fmt.Sprint(to))
	}
	*r.c.pages++
	return page, nil
}

// TestListsArePaged: Load and the reconcile read the objects in pages of listPage, and miss
// none (a missed object would be taken for deleted and written again).
func TestListsArePaged(t *testing.T) {
	client := newClient()
	var src fakeSource
	for i := range 3*listPage + 1 {
		src.results = append(src.results, privileged(fmt.Sprintf("ns-%02d", i), "web", check.StatusFail))
	}
	first := newReports(t, client)
	first.Update(&src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	first.flush(t)

	pages := 0
	again, err := New(pagedClient{client, t, &pages}, WithDelay(0), WithWriteRate(1000, 1000))
	require.NoError(t, err)
	previous, err := again.Load(t.Context())
	require.NoError(t, err)
	assert.Len(t, previous, len(src.results))
	assert.Equal(t, 4+1, pages, "4 pages of Reports, 1 of ClusterReports")
	again.Update(&src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	again.flush(t)
	client.ClearActions()
	require.NoError(t, again.reconcile(t.Context()))
	again.flush(t)
	assert.Empty(t, writes(client))
	assert.Zero(t, again.Stats().Repairs)
	assert.Equal(t, 2*(4+1), pages)
}
