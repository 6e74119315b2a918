package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/report"
	"github.com/kspm-dev/kspm/report/openreports"
	"github.com/kspm-dev/kspm/report/policyreport"
)

// fakeSource is a monitor whose report is given.
type fakeSource struct{ results []check.Result }

func (s *fakeSource) Report() (*report.Report, error) { return &report.Report{Results: s.results}, nil }

func newClient(objs ...runtime.Object) *dynamicfake.FakeDynamicClient {
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		openreports.ReportResource:               "ReportList",
		openreports.ClusterReportResource:        "ClusterReportList",
		policyreport.PolicyReportResource:        "PolicyReportList",
		policyreport.ClusterPolicyReportResource: "ClusterPolicyReportList",
	}, objs...)
}

func newReports(t *testing.T, client *dynamicfake.FakeDynamicClient, opts ...Option) *Reports {
	t.Helper()
	opts = append([]Option{WithDelay(0), WithWriteRate(1000, 1000), WithRetryBackoff(time.Millisecond, 10*time.Millisecond)}, opts...)
	p, err := New(client, opts...)
	require.NoError(t, err)
	return p
}

// flush writes every scope queued, as Run does, until none is left.
func (p *Reports) flush(t *testing.T) {
	t.Helper()
	for p.queue.Len() > 0 {
		require.True(t, p.next(t.Context()))
	}
}

// writes returns the create, update and delete actions of client since it was last cleared.
func writes(client *dynamicfake.FakeDynamicClient) []string {
	var out []string
	for _, a := range client.Actions() {
		switch a.GetVerb() {
		case "create", "update", "delete", "patch":
			name := ""
			switch a := a.(type) {
			case clienttesting.CreateAction:
				name = a.GetObject().(*unstructured.Unstructured).GetName()
			case clienttesting.UpdateAction:
				name = a.GetObject().(*unstructured.Unstructured).GetName()
			case clienttesting.DeleteAction:
				name = a.GetName()
			}
			out = append(out, a.GetVerb()+" "+a.GetResource().Resource+" "+a.GetNamespace()+"/"+name)
		}
	}
	return out
}

func podRef(ns, name string) *inventory.Ref {
	return &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: ns, Name: name, UID: "uid-" + name}
}

func result(id string, s check.Status, obj *inventory.Ref, field, msg string) check.Result {
	return check.Result{CheckID: id, Title: "title of " + id, Severity: check.High, Status: s, Object: obj, Field: field,
		Message: msg, Section: "section"}
}

func privileged(ns, name string, s check.Status) check.Result {
	return result("workloads:privileged", s, podRef(ns, name), "spec.containers[0].securityContext.privileged", "privileged")
}

// get returns the object of resource res in ns named name, or nil.
func get(t *testing.T, client *dynamicfake.FakeDynamicClient, res schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := client.Resource(res).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	require.NoError(t, err)
	return u
}

func reportOf(t *testing.T, u *unstructured.Unstructured) v1alpha1.Report {
	t.Helper()
	var r v1alpha1.Report
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &r))
	return r
}

func names(t *testing.T, client *dynamicfake.FakeDynamicClient, res schema.GroupVersionResource, ns string) []string {
	t.Helper()
	l, err := client.Resource(res).Namespace(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	var out []string
	for _, u := range l.Items {
		out = append(out, u.GetName())
	}
	slices.Sort(out)
	return out
}

var t0 = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func TestSplitAcrossNumberedObjects(t *testing.T) {
	client := newClient()
	p := newReports(t, client, WithMaxResults(3))
	src := &fakeSource{}
	for i := range 7 {
		src.results = append(src.results, privileged("shop", fmt.Sprintf("pod-%d", i), check.StatusFail))
	}
	src.results = append(src.results,
		privileged("shop", "ok", check.StatusPass), // not written by default
		result("rbac:cluster-admin-binding", check.StatusFail,
			&inventory.Ref{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "ops"}, "", "binds cluster-admin"),
		result("cis:1.2.1", check.StatusNotEvaluated, nil, "", "no kube-apiserver pod seen"))
	p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)

	assert.Equal(t, []string{"kspm-0", "kspm-1", "kspm-2"}, names(t, client, openreports.ReportResource, "shop"))
	var pods []string
	for i, want := range []int{3, 3, 1} {
		u := get(t, client, openreports.ReportResource, "shop", fmt.Sprintf("kspm-%d", i))
		require.NotNil(t, u)
		assert.Equal(t, map[string]string{LabelManagedBy: "kspm", LabelInstance: "kspm", LabelPart: fmt.Sprint(i)}, u.GetLabels())
		r := reportOf(t, u)
		assert.Len(t, r.Results, want)
		assert.Equal(t, v1alpha1.ReportSummary{Fail: want}, r.Summary)
		assert.Equal(t, "kspm", r.Source)
		require.NotNil(t, r.Configuration)
		assert.Equal(t, 3, r.Configuration.Limits.MaxResults)
		assert.Equal(t, []v1alpha1.StatusFilter{"fail", "warn", "error"}, r.Configuration.Limits.StatusFilter)
		for _, rr := range r.Results {
			pods = append(pods, rr.Subjects[0].Name)
			assert.Equal(t, t0.Unix(), rr.Timestamp.Seconds)
		}
	}
	assert.Equal(t, []string{"pod-0", "pod-1", "pod-2", "pod-3", "pod-4", "pod-5", "pod-6"}, pods, "every result, once, in order")

	cr := get(t, client, openreports.ClusterReportResource, "", "kspm-0")
	require.NotNil(t, cr)
	r := reportOf(t, cr)
	assert.Equal(t, v1alpha1.ReportSummary{Fail: 1, Error: 1}, r.Summary, "cluster-scoped objects and results about no object")
	assert.Equal(t, ReportStats{Creates: 4, Objects: 4, Results: 9}, p.Stats())
}

func TestUnchangedWritesNothing(t *testing.T) {
	client := newClient()
	p := newReports(t, client)
	src := &fakeSource{results: []check.Result{privileged("shop", "web", check.StatusFail), privileged("shop", "api", check.StatusPass)}}
	p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)
	require.Equal(t, []string{"create reports shop/kspm-0"}, writes(client))
	client.ClearActions()

	// A pass result that changes (not written), a result that changes to what it was as far
	// as a report shows (a stand-in made real again with its message), and an update without
	// deltas: nothing to write.
	api := keyOf(privileged("shop", "api", check.StatusPass), 0)
	web := keyOf(privileged("shop", "web", check.StatusFail), 0)
	before, after := privileged("shop", "api", check.StatusPass), privileged("shop", "api", check.StatusPass)
	after.Message = "still fine"
	same := privileged("shop", "web", check.StatusFail)
	p.Update(src, monitor.Update{Revision: 2, Time: t0.Add(time.Minute), Deltas: []monitor.Delta{
		{Kind: monitor.Changed, Key: api, Time: t0.Add(time.Minute), Before: &before, After: &after},
		{Kind: monitor.Changed, Key: web, Time: t0.Add(time.Minute), Before: &same, After: &same},
	}})
	p.Update(src, monitor.Update{Revision: 3, Time: t0.Add(2 * time.Minute)})
	p.flush(t)
	assert.Empty(t, writes(client), "no API write")
	u := get(t, client, openreports.ReportResource, "shop", "kspm-0")
	assert.Equal(t, t0.Unix(), reportOf(t, u).Results[0].Timestamp.Seconds, "found when it was first found")

	// A real change is written, once.
	fixed := privileged("shop", "web", check.StatusPass)
	p.Update(src, monitor.Update{Revision: 4, Time: t0.Add(3 * time.Minute), Deltas: []monitor.Delta{
		{Kind: monitor.Resolved, Key: web, Time: t0.Add(3 * time.Minute), Before: &same, After: &fixed}}})
	p.flush(t)
	assert.Equal(t, []string{"delete reports shop/kspm-0"}, writes(client), "no finding left in the namespace")
}

func TestRestartDoesNotRewrite(t *testing.T) {
	client := newClient()
	results := []check.Result{
		privileged("shop", "web", check.StatusFail),
		privileged("shop", "db", check.StatusNotEvaluated),
		result("cis:1.1.1", check.StatusManual, nil, "", "review the file permissions"),
	}
	for i := range 5 {
		results = append(results, privileged("lab", fmt.Sprintf("p%d", i), check.StatusFail))
	}
	first := newReports(t, client, WithMaxResults(2), WithKinds(OpenReports, PolicyReports))
	first.Update(&fakeSource{results: results}, monitor.Update{Revision: 1, Time: t0, Initial: true})
	first.flush(t)
	require.Len(t, writes(client), 2*(1+3+1), "shop, lab in 3 parts, cluster; both kinds")
	client.ClearActions()

	again := newReports(t, client, WithMaxResults(2), WithKinds(OpenReports, PolicyReports))
	previous, err := again.Load(t.Context())
	require.NoError(t, err)
	type seen struct {
		id, object, field, message string
		status                     check.Status
	}
	var got, want []seen
	for _, r := range previous {
		got = append(got, seen{r.CheckID, fmt.Sprint(r.Object), r.Field, r.Message, r.Status})
	}
	for _, r := range results {
		want = append(want, seen{r.CheckID, fmt.Sprint(r.Object), r.Field, r.Message, r.Status})
	}
	assert.ElementsMatch(t, want, got, "the results for monitor.WithPrevious, from the OpenReports objects")

	again.Update(&fakeSource{results: results}, monitor.Update{Revision: 1, Time: t0.Add(time.Hour), Initial: true})
	again.flush(t)
	assert.Empty(t, writes(client), "identical objects are not written again")
	assert.Equal(t, 10, again.Stats().Unchanged)

	// One more finding in lab: the part with room written, the others left as they are.
	results = append(results, privileged("lab", "p9", check.StatusFail))
	k := keyOf(results[len(results)-1], 0)
	again.Update(nil, monitor.Update{Revision: 2, Time: t0.Add(2 * time.Hour), Deltas: []monitor.Delta{
		{Kind: monitor.Opened, Key: k, Time: t0.Add(2 * time.Hour), After: &results[len(results)-1]}}})
	again.flush(t)
	assert.Equal(t, []string{"update reports lab/kspm-2", "update policyreports lab/kspm-2"}, writes(client))
}

func TestCleanupTouchesOnlyItsOwnObjects(t *testing.T) {
	foreign := &unstructured.Unstructured{}
	foreign.SetAPIVersion("openreports.io/v1alpha1")
	foreign.SetKind("Report")
	foreign.SetNamespace("other")
	foreign.SetName("kspm-0")
	foreign.SetLabels(map[string]string{"app.kubernetes.io/managed-by": "someone-else"})
	otherInstance := foreign.DeepCopy()
	otherInstance.SetNamespace("shop")
	otherInstance.SetName("blue-0")
	otherInstance.SetLabels(map[string]string{LabelManagedBy: "kspm", LabelInstance: "blue", LabelPart: "0"})
	stale := foreign.DeepCopy()
	stale.SetNamespace("gone")
	stale.SetLabels(map[string]string{LabelManagedBy: "kspm", LabelInstance: "kspm", LabelPart: "0"})
	client := newClient(foreign, otherInstance, stale)

	p := newReports(t, client, WithMaxResults(1))
	_, err := p.Load(t.Context())
	require.NoError(t, err)
	src := &fakeSource{results: []check.Result{
		privileged("other", "web", check.StatusFail),
		privileged("shop", "a", check.StatusFail), privileged("shop", "b", check.StatusFail),
	}}
	p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)
	assert.Equal(t, []string{"blue-0", "kspm-0", "kspm-1"}, names(t, client, openreports.ReportResource, "shop"))
	assert.Empty(t, names(t, client, openreports.ReportResource, "gone"), "its own object no longer needed: deleted")
	assert.Equal(t, "someone-else", get(t, client, openreports.ReportResource, "other", "kspm-0").GetLabels()[LabelManagedBy],
		"an object of the name that is not kspm's is left alone")
	st := p.Stats()
	assert.Equal(t, 1, st.Foreign, "the name held by someone else's object is reported")
	assert.Zero(t, st.Errors, "and not counted as a failure, nor retried with the failures' backoff")
	assert.Equal(t, 1, p.Pending(), "its scope waits to be tried again, at a slow pace")

	// Both findings of shop resolved: both parts deleted, the other instance's object kept.
	a, b := privileged("shop", "a", check.StatusPass), privileged("shop", "b", check.StatusPass)
	p.Update(nil, monitor.Update{Revision: 2, Time: t0, Deltas: []monitor.Delta{
		{Kind: monitor.Resolved, Key: keyOf(a, 0), Before: &src.results[1], After: &a},
		{Kind: monitor.Resolved, Key: keyOf(b, 0), Before: &src.results[2], After: nil},
	}})
	p.flush(t)
	assert.Equal(t, []string{"blue-0"}, names(t, client, openreports.ReportResource, "shop"))
}

func TestConflictIsReadAgainAndRetried(t *testing.T) {
	client := newClient()
	p := newReports(t, client)
	src := &fakeSource{results: []check.Result{privileged("shop", "web", check.StatusFail)}}
	p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)

	conflicts := 0
	client.PrependReactor("update", "reports", func(a clienttesting.Action) (bool, runtime.Object, error) {
		if conflicts < 2 {
			conflicts++
			return true, nil, apierrors.NewConflict(openreports.ReportResource.GroupResource(), "kspm-0",
				fmt.Errorf("the object has been modified"))
		}
		return false, nil, nil
	})
	client.ClearActions()
	db := privileged("shop", "db", check.StatusFail)
	p.Update(nil, monitor.Update{Revision: 2, Time: t0, Deltas: []monitor.Delta{
		{Kind: monitor.Opened, Key: keyOf(db, 0), After: &db}}})
	p.flush(t)
	var verbs []string
	for _, a := range client.Actions() {
		verbs = append(verbs, a.GetVerb())
	}
	assert.Equal(t, []string{"update", "get", "update", "get", "update"}, verbs)
	assert.Len(t, reportOf(t, get(t, client, openreports.ReportResource, "shop", "kspm-0")).Results, 2)
	assert.Equal(t, 2, p.Stats().Conflicts)
	assert.Zero(t, p.Stats().Errors)

	// An object of this instance that Reports did not know of (written by a monitor
	// before it that was not loaded): created, found there, updated.
	fresh := newReports(t, client)
	fresh.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	client.ClearActions()
	fresh.flush(t)
	verbs = nil
	for _, a := range client.Actions() {
		verbs = append(verbs, a.GetVerb())
	}
	assert.Equal(t, []string{"create", "get", "update"}, verbs)
	assert.Len(t, reportOf(t, get(t, client, openreports.ReportResource, "shop", "kspm-0")).Results, 1)
}

func TestFailedWriteIsRetried(t *testing.T) {
	client := newClient()
	failures := 0
	client.PrependReactor("create", "reports", func(a clienttesting.Action) (bool, runtime.Object, error) {
		if failures < 2 {
			failures++
			return true, nil, apierrors.NewServiceUnavailable("etcd is busy")
		}
		return false, nil, nil
	})
	p := newReports(t, client)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	p.Update(&fakeSource{results: []check.Result{privileged("shop", "web", check.StatusFail)}},
		monitor.Update{Revision: 1, Time: t0, Initial: true})
	require.Eventually(t, func() bool { return get(t, client, openreports.ReportResource, "shop", "kspm-0") != nil },
		5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 2, p.Stats().Errors)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

// TestNotEvaluatedIsNeverPublishedAsPass: a finding whose object can no longer be seen changes
// to a notEvaluated stand-in, which a monitor's report does not list; the published report
// keeps it, as error, until it is evaluated again.
func TestNotEvaluatedIsNeverPublishedAsPass(t *testing.T) {
	client := newClient()
	p := newReports(t, client, WithResults("pass", "fail", "warn", "error", "skip"))
	web := privileged("shop", "web", check.StatusFail)
	k := keyOf(web, 0)
	src := &fakeSource{results: []check.Result{web}}
	p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)

	standIn := privileged("shop", "web", check.StatusNotEvaluated)
	standIn.Message = "not evaluated: pods forbidden"
	src.results = nil // the report no longer lists it
	p.Update(src, monitor.Update{Revision: 2, Time: t0, Deltas: []monitor.Delta{
		{Kind: monitor.Changed, Key: k, Before: &web, After: &standIn}}})
	p.flush(t)
	r := reportOf(t, get(t, client, openreports.ReportResource, "shop", "kspm-0"))
	require.Len(t, r.Results, 1)
	assert.Equal(t, v1alpha1.Result("error"), r.Results[0].Result)
	assert.Equal(t, "notEvaluated", r.Results[0].Properties["status"])
	assert.Equal(t, "not evaluated: pods forbidden", r.Results[0].Description)
	assert.Equal(t, v1alpha1.ReportSummary{Error: 1}, r.Summary)

	// A publisher that starts now (its first update carries the stand-in) holds it too.
	fresh := newReports(t, newClient(), WithResults("pass", "fail", "warn", "error", "skip"))
	fresh.Update(src, monitor.Update{Revision: 2, Time: t0, Initial: true, Deltas: []monitor.Delta{
		{Kind: monitor.Changed, Key: k, Before: &web, After: &standIn}}})
	fresh.mu.Lock()
	require.Contains(t, fresh.scopes["shop"].results, k)
	assert.Equal(t, v1alpha1.Result("error"), fresh.scopes["shop"].results[k].rr.Result)
	fresh.mu.Unlock()

	// Evaluated again: the finding is back as it was.
	src.results = []check.Result{web}
	p.Update(src, monitor.Update{Revision: 3, Time: t0, Deltas: []monitor.Delta{
		{Kind: monitor.Changed, Key: k, Before: &standIn, After: &web}}})
	p.flush(t)
	r = reportOf(t, get(t, client, openreports.ReportResource, "shop", "kspm-0"))
	assert.Equal(t, v1alpha1.ReportSummary{Fail: 1}, r.Summary)
}

func TestPolicyReportsAndDryRun(t *testing.T) {
	results := []check.Result{privileged("shop", "web", check.StatusFail),
		result("cis:1.2.1", check.StatusNotEvaluated, nil, "", "no kube-apiserver pod")}
	client := newClient()
	p := newReports(t, client, WithKinds(PolicyReports), WithInstance("blue"))
	p.Update(&fakeSource{results: results}, monitor.Update{Revision: 1, Time: t0, Initial: true})
	p.flush(t)
	assert.ElementsMatch(t, []string{"create policyreports shop/blue-0", "create clusterpolicyreports /blue-0"}, writes(client))
	u := get(t, client, policyreport.PolicyReportResource, "shop", "blue-0")
	assert.Equal(t, "PolicyReport", u.GetKind())
	assert.Equal(t, "wgpolicyk8s.io/v1alpha2", u.GetAPIVersion())
	assert.NotContains(t, u.Object, "source")
	assert.Equal(t, "blue", u.GetLabels()[LabelInstance])

	var out bytes.Buffer
	dry, err := New(nil, WithDryRun(&out), WithDelay(0))
	require.NoError(t, err)
	previous, err := dry.Load(t.Context())
	require.NoError(t, err)
	assert.Empty(t, previous)
	dry.Update(&fakeSource{results: results}, monitor.Update{Revision: 1, Time: t0, Initial: true})
	dry.flush(t)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2)
	var kinds []string
	for _, l := range lines {
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &doc))
		kinds = append(kinds, doc["kind"].(string))
	}
	assert.ElementsMatch(t, []string{"Report", "ClusterReport"}, kinds)

	_, err = New(nil)
	assert.Error(t, err, "a client or a dry run")
}

func TestOptionsAreValidated(t *testing.T) {
	for name, o := range map[string]Option{
		"kind":        WithKinds("vulnerabilityreports"),
		"instance":    WithInstance("Not_A_Label"),
		"long":        WithInstance(strings.Repeat("a", 60)),
		"max results": WithMaxResults(0),
		"results":     WithResults("passed"),
		"no results":  WithResults(),
		"rate":        WithWriteRate(0, 1),
		"backoff":     WithRetryBackoff(time.Second, time.Millisecond),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(newClient(), o)
			assert.Error(t, err)
		})
	}
}

func TestLoadWithoutTheCRD(t *testing.T) {
	client := newClient()
	client.PrependReactor("list", "reports", func(a clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "openreports.io", Resource: "reports"}, "")
	})
	p := newReports(t, client)
	_, err := p.Load(t.Context())
	assert.ErrorIs(t, err, ErrNotServed)
}

// TestWriteRateBoundsWrites publishes four namespaces' reports with a burst of two and a rate
// of one write in a thousand seconds: two objects are written, the third waits on the limiter
// (until the context ends) and the rest stay queued.
func TestWriteRateBoundsWrites(t *testing.T) {
	client := newClient()
	p := newReports(t, client, WithWriteRate(0.001, 2))
	src := &fakeSource{}
	for _, ns := range []string{"a", "b", "c", "d"} {
		src.results = append(src.results, privileged(ns, "web", check.StatusFail))
	}
	p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
	require.Equal(t, 4, p.Pending())

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	require.ErrorIs(t, <-done, context.DeadlineExceeded)
	assert.Len(t, writes(client), 2, "the burst, then nothing: %v", writes(client))
	assert.Equal(t, 2, p.Stats().Creates)
}
