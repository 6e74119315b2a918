package publish

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/client-go/util/workqueue"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/report"
	"github.com/kspm-dev/kspm/report/openreports"
	"github.com/kspm-dev/kspm/report/policyreport"
)

// Labels of the objects written.
const (
	// LabelManagedBy is app.kubernetes.io/managed-by, set to "kspm".
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// LabelInstance links the parts of a report: the publishing monitor's instance.
	LabelInstance = "kspm.dev/instance"
	// LabelPart numbers the parts of a report, from 0.
	LabelPart = "kspm.dev/part"
)

// ErrNotServed is wrapped by Load's error when the cluster does not serve a kind of report
// object (its CustomResourceDefinition is not installed).
var ErrNotServed = errors.New("publish: report kind not served (is its CustomResourceDefinition installed?)")

// maxConflictRetries bounds how often one write is tried again after a conflict before the
// scope is retried later.
const maxConflictRetries = 5

// Reports keeps a monitor's results written as report objects in the cluster (see the
// package documentation). Make one with New, call Load, give each of the monitor's updates
// to Update (from the WithUpdates callback: Update is quick, the writes happen in Run), and
// run Run. Its methods are safe for concurrent use.
type Reports struct {
	cfg     config
	client  dynamic.Interface
	queue   workqueue.TypedRateLimitingInterface[string]
	limiter flowcontrol.RateLimiter

	mu      sync.Mutex
	started bool
	scopes  map[string]*scope
	// loaded are the timestamps of the results Load read, by content (see signature), for the
	// first update to keep those of the results that did not change.
	loaded map[string][]int64
	stats  ReportStats

	// written is what the cluster holds of this instance's objects, as far as Reports knows:
	// read by Load, then kept by Run's writes (only Run's goroutine changes it after Load).
	writtenMu sync.Mutex
	written   map[objectID]writtenObject
}

// ReportStats counts what Reports did.
type ReportStats struct {
	// Creates, Updates and Deletes count the writes done; Unchanged the objects whose
	// content was as wanted, so not written.
	Creates, Updates, Deletes, Unchanged int
	// Conflicts counts the writes answered with a conflict (409) and tried again; Errors
	// the scopes whose writing failed (retried later).
	Conflicts, Errors int
	// Objects is how many objects Reports holds written now; Results how many results they
	// hold, of every kind written (the results of the current state).
	Objects, Results int
}

// objectID names one object of one resource.
type objectID struct {
	resource  schema.GroupVersionResource
	namespace string
	name      string
}

// writtenObject is what is known of an object in the cluster.
type writtenObject struct {
	resourceVersion string
	uid             types.UID
	// sum is the hash of its labels and body in canonical form (see sumOf).
	sum [sha256.Size]byte
}

// scope is the results of one namespace ("" for the cluster's) and which part holds which
// object's.
type scope struct {
	results map[monitor.Key]*entry
	assign  map[unit]int
	// loadedChunks counts the chunks of each unit Load found, while it reads.
	loadedChunks map[unitBase]int
}

// entry is one result as written, with the unit it belongs to and its size in JSON.
type entry struct {
	rr   v1alpha1.ReportResult
	base unitBase
	size int
}

// New returns a Reports writing through client (nil for a dry run, see WithDryRun).
func New(client dynamic.Interface, opts ...Option) (*Reports, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if client == nil && cfg.dryRun == nil && len(cfg.kinds) > 0 {
		return nil, errors.New("publish: no client (a dry run needs WithDryRun)")
	}
	if cfg.dryRun != nil {
		client = nil
	}
	rl := workqueue.NewTypedItemExponentialFailureRateLimiter[string](cfg.backoffMin, cfg.backoffMax)
	return &Reports{
		cfg:     cfg,
		client:  client,
		queue:   workqueue.NewTypedRateLimitingQueueWithConfig(rl, workqueue.TypedRateLimitingQueueConfig[string]{Name: "kspm-reports"}),
		limiter: flowcontrol.NewTokenBucketRateLimiter(float32(cfg.qps), cfg.burst),
		scopes:  make(map[string]*scope),
		loaded:  make(map[string][]int64),
		written: make(map[objectID]writtenObject),
	}, nil
}

// resources returns the resources (namespaced, cluster-scoped) of kind k.
func resources(k Kind) (namespaced, cluster schema.GroupVersionResource) {
	if k == PolicyReports {
		return policyreport.PolicyReportResource, policyreport.ClusterPolicyReportResource
	}
	return openreports.ReportResource, openreports.ClusterReportResource
}

// selector selects this instance's objects.
func (p *Reports) selector() string {
	return LabelManagedBy + "=" + openreports.Source + "," + LabelInstance + "=" + p.cfg.instance
}

// Load reads this instance's objects from the cluster, to write again only what differs, and
// returns the results they hold (those of the OpenReports objects when both kinds are
// written), for monitor.WithPrevious. Call it before the first Update. Its error wraps
// ErrNotServed when a kind's CustomResourceDefinition is not installed. In a dry run it
// reads nothing.
func (p *Reports) Load(ctx context.Context) ([]check.Result, error) {
	if p.client == nil {
		return nil, nil
	}
	var previous []check.Result
	for i, k := range p.cfg.kinds {
		ns, cl := resources(k)
		for _, res := range []schema.GroupVersionResource{ns, cl} {
			var items []unstructured.Unstructured
			cont := ""
			for {
				l, err := p.client.Resource(res).List(ctx, metav1.ListOptions{LabelSelector: p.selector(), Limit: 100, Continue: cont})
				if apierrors.IsNotFound(err) {
					return nil, fmt.Errorf("%w: %s: %w", ErrNotServed, res.GroupResource(), err)
				}
				if err != nil {
					return nil, fmt.Errorf("publish: list %s: %w", res.GroupResource(), err)
				}
				items = append(items, l.Items...)
				if cont = l.GetContinue(); cont == "" {
					break
				}
			}
			for j := range items {
				u := &items[j]
				p.written[objectID{res, u.GetNamespace(), u.GetName()}] = writtenObject{resourceVersion: u.GetResourceVersion(),
					uid: u.GetUID(), sum: sumOfUnstructured(u)}
				if i == 0 {
					previous = append(previous, p.readBack(u)...)
				}
			}
		}
	}
	return previous, nil
}

// readBack returns the results object u holds, and remembers when each was found and which
// part holds each object's.
func (p *Reports) readBack(u *unstructured.Unstructured) []check.Result {
	var body struct {
		Results []v1alpha1.ReportResult `json:"results"`
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &body); err != nil {
		p.cfg.logger.Warn("a report object cannot be read; it will be written again",
			"kind", u.GetKind(), "namespace", u.GetNamespace(), "name", u.GetName(), "error", err)
		return nil
	}
	part, err := strconv.Atoi(u.GetLabels()[LabelPart])
	if err != nil || part < 0 {
		part = -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.scope(u.GetNamespace())
	if s.loadedChunks == nil {
		s.loadedChunks = make(map[unitBase]int)
	}
	seen := make(map[unitBase]bool)
	out := make([]check.Result, 0, len(body.Results))
	for _, rr := range body.Results {
		r, at := openreports.CheckResult(rr)
		out = append(out, r)
		sig := signature(rr)
		p.loaded[sig] = append(p.loaded[sig], at.Unix())
		if b := baseOf(r); part >= 0 && !seen[b] {
			// The results about one object are one unit, or, when too many for one part,
			// chunks of it numbered in the order of the parts.
			seen[b] = true
			s.assign[unit{b, s.loadedChunks[b]}] = part
			s.loadedChunks[b]++
		}
	}
	return out
}

// scope returns the scope of namespace ns, made when missing. p.mu is held.
func (p *Reports) scope(ns string) *scope {
	s := p.scopes[ns]
	if s == nil {
		s = &scope{results: make(map[monitor.Key]*entry), assign: make(map[unit]int)}
		p.scopes[ns] = s
	}
	return s
}

// signature is a result's content but its timestamp: results of the same signature are the
// same result, found at different times.
func signature(rr v1alpha1.ReportResult) string {
	rr.Timestamp = metav1.Timestamp{}
	data, _ := json.Marshal(rr)
	return string(data)
}

// Update takes one of the monitor's updates (see monitor.WithUpdates), src being the monitor
// (its report is read at the first update). It changes the results kept and queues the
// scopes they change for Run to write; it does not wait for the writes.
func (p *Reports) Update(src Source, u monitor.Update) {
	p.mu.Lock()
	dirty := make(map[string]bool)
	if !p.started {
		cur, err := current(src, u)
		if err != nil {
			p.mu.Unlock()
			p.cfg.logger.Error("cannot publish the first evaluation", "error", err)
			return
		}
		p.started = true
		for ns, s := range p.scopes {
			clear(s.results) // keeps the parts Load found
			s.loadedChunks = nil
			dirty[ns] = true
		}
		p.writtenMu.Lock()
		for id := range p.written {
			dirty[id.namespace] = true // to delete what is no longer needed
		}
		p.writtenMu.Unlock()
		for k, r := range cur {
			if e := p.entry(r, u.Time, p.loadedTime); e != nil {
				p.scope(k.Namespace).results[k] = e
				dirty[k.Namespace] = true
			}
		}
		p.loaded = nil
	} else {
		for _, d := range u.Deltas {
			s := p.scope(d.Key.Namespace)
			old := s.results[d.Key]
			var e *entry
			if d.After != nil {
				e = p.entry(*d.After, d.Time, func(sig string) (int64, bool) {
					if old != nil && signature(old.rr) == sig {
						return old.rr.Timestamp.Seconds, true // the same as written: keep when it was found
					}
					return 0, false
				})
			}
			switch {
			case e != nil:
				s.results[d.Key] = e
			case old != nil:
				delete(s.results, d.Key)
			default:
				continue
			}
			dirty[d.Key.Namespace] = true
		}
	}
	p.mu.Unlock()
	for ns := range dirty {
		if p.cfg.delay > 0 {
			p.queue.AddAfter(ns, p.cfg.delay)
		} else {
			p.queue.Add(ns)
		}
	}
}

// loadedTime returns, and forgets, when a result of signature sig Load read was found.
func (p *Reports) loadedTime(sig string) (int64, bool) {
	ts := p.loaded[sig]
	if len(ts) == 0 {
		return 0, false
	}
	p.loaded[sig] = ts[1:]
	return ts[0], true
}

// entry returns the entry of r, found at found when known, else at at; nil when its result is
// not written.
func (p *Reports) entry(r check.Result, at time.Time, found func(sig string) (int64, bool)) *entry {
	rr := openreports.NewResult(r, at)
	if !slices.Contains(p.cfg.results, rr.Result) {
		return nil
	}
	if ts, ok := found(signature(rr)); ok {
		rr.Timestamp = metav1.Timestamp{Seconds: ts}
	}
	data, _ := json.Marshal(rr)
	return &entry{rr: rr, base: baseOf(r), size: len(data)}
}

// Run writes the scopes Update queues until ctx ends, then returns ctx's error.
func (p *Reports) Run(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		p.queue.ShutDown()
	}()
	for p.next(ctx) {
	}
	return ctx.Err()
}

// next writes the next scope queued, waiting for one; false once the queue is shut down.
func (p *Reports) next(ctx context.Context) bool {
	ns, quit := p.queue.Get()
	if quit {
		return false
	}
	defer p.queue.Done(ns)
	err := p.sync(ctx, ns)
	switch {
	case err == nil:
		p.queue.Forget(ns)
	case ctx.Err() != nil:
	default:
		p.count(func(s *ReportStats) { s.Errors++ })
		p.cfg.logger.Warn("writing the report objects failed; retrying later", "namespace", ns, "error", err)
		p.queue.AddRateLimited(ns)
	}
	return true
}

// Stats returns what Reports did.
func (p *Reports) Stats() ReportStats {
	p.mu.Lock()
	s := p.stats
	for _, sc := range p.scopes {
		s.Results += len(sc.results) * len(p.cfg.kinds)
	}
	p.mu.Unlock()
	p.writtenMu.Lock()
	s.Objects = len(p.written)
	p.writtenMu.Unlock()
	return s
}

// Pending returns how many scopes wait to be written (or to be retried).
func (p *Reports) Pending() int { return p.queue.Len() }

// sync writes the objects of scope ns as they should be, and deletes those no longer needed.
func (p *Reports) sync(ctx context.Context, ns string) error {
	p.mu.Lock()
	s := p.scope(ns)
	parts := s.pack(p.cfg.maxResults, MaxPartBytes)
	if len(s.results) == 0 {
		delete(p.scopes, ns)
	}
	var objs []desired
	for _, k := range p.cfg.kinds {
		for _, pt := range parts {
			objs = append(objs, p.object(k, ns, pt))
		}
	}
	p.mu.Unlock()

	want := make(map[objectID]bool, len(objs))
	var errs []error
	for _, d := range objs {
		want[d.id] = true
		if err := p.put(ctx, d); err != nil {
			errs = append(errs, err)
		}
	}
	p.writtenMu.Lock()
	var stale []objectID
	for id := range p.written {
		if id.namespace == ns && !want[id] {
			stale = append(stale, id)
		}
	}
	p.writtenMu.Unlock()
	slices.SortFunc(stale, func(a, b objectID) int {
		return cmp.Or(cmp.Compare(a.resource.Resource, b.resource.Resource), cmp.Compare(a.name, b.name))
	})
	for _, id := range stale {
		if err := p.remove(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// desired is an object as it should be.
type desired struct {
	id  objectID
	obj any // *v1alpha1.Report, *v1alpha1.ClusterReport, *policyreport.PolicyReport or ClusterPolicyReport
	sum [sha256.Size]byte
}

// object returns the object of kind k holding part pt of scope ns.
func (p *Reports) object(k Kind, ns string, pt part) desired {
	name := p.cfg.instance + "-" + strconv.Itoa(pt.index)
	labels := map[string]string{LabelManagedBy: openreports.Source, LabelInstance: p.cfg.instance,
		LabelPart: strconv.Itoa(pt.index)}
	conf := &v1alpha1.ReportConfiguration{Limits: v1alpha1.Limits{MaxResults: p.cfg.maxResults}}
	if len(p.cfg.results) < len(allResults) {
		for _, r := range p.cfg.results {
			conf.Limits.StatusFilter = append(conf.Limits.StatusFilter, v1alpha1.StatusFilter(r))
		}
	}
	namespaced, cluster := resources(k)
	d := desired{id: objectID{namespaced, ns, name}}
	var f form
	if ns == "" {
		d.id.resource = cluster
		r := openreports.NewClusterReport(name, pt.results)
		r.Labels, r.Configuration = labels, conf
		d.obj, f = r, form{TypeMeta: r.TypeMeta, Source: r.Source, Scope: r.Scope, ScopeSelector: r.ScopeSelector,
			Configuration: r.Configuration, Summary: r.Summary, Results: r.Results}
		if k == PolicyReports {
			pr := policyreport.FromClusterReport(r)
			d.obj, f = pr, form{TypeMeta: pr.TypeMeta, Scope: pr.Scope, ScopeSelector: pr.ScopeSelector, Summary: pr.Summary, Results: pr.Results}
		}
	} else {
		r := openreports.NewReport(ns, name, pt.results)
		r.Labels, r.Configuration = labels, conf
		d.obj, f = r, form{TypeMeta: r.TypeMeta, Source: r.Source, Scope: r.Scope, ScopeSelector: r.ScopeSelector,
			Configuration: r.Configuration, Summary: r.Summary, Results: r.Results}
		if k == PolicyReports {
			pr := policyreport.FromReport(r)
			d.obj, f = pr, form{TypeMeta: pr.TypeMeta, Scope: pr.Scope, ScopeSelector: pr.ScopeSelector, Summary: pr.Summary, Results: pr.Results}
		}
	}
	f.Metadata.Labels = labels
	d.sum = f.sum()
	return d
}

// form is what Reports writes of a report object, of either kind: its labels and body. Two
// objects of the same form are the same to it.
type form struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        struct {
		Labels map[string]string `json:"labels,omitempty"`
	} `json:"metadata"`
	Source        string                        `json:"source,omitempty"`
	Scope         *corev1.ObjectReference       `json:"scope,omitempty"`
	ScopeSelector *metav1.LabelSelector         `json:"scopeSelector,omitempty"`
	Configuration *v1alpha1.ReportConfiguration `json:"configuration,omitempty"`
	Summary       v1alpha1.ReportSummary        `json:"summary"`
	Results       []v1alpha1.ReportResult       `json:"results,omitempty"`
}

// sum returns the hash of f's canonical JSON.
func (f *form) sum() [sha256.Size]byte {
	data, err := json.Marshal(f)
	if err != nil {
		return [sha256.Size]byte{} // differs from any form: written again
	}
	return sha256.Sum256(data)
}

// sumOfUnstructured returns the hash of the form of object u, as the cluster holds it.
func sumOfUnstructured(u *unstructured.Unstructured) [sha256.Size]byte {
	var f form
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &f); err != nil {
		return [sha256.Size]byte{}
	}
	return f.sum()
}

func (p *Reports) count(f func(*ReportStats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

func (p *Reports) known(id objectID) (writtenObject, bool) {
	p.writtenMu.Lock()
	defer p.writtenMu.Unlock()
	w, ok := p.written[id]
	return w, ok
}

func (p *Reports) remember(id objectID, w *writtenObject) {
	p.writtenMu.Lock()
	defer p.writtenMu.Unlock()
	if w == nil {
		delete(p.written, id)
		return
	}
	p.written[id] = *w
}

// ours reports whether object u is this instance's.
func (p *Reports) ours(u *unstructured.Unstructured) bool {
	l := u.GetLabels()
	return l[LabelManagedBy] == openreports.Source && l[LabelInstance] == p.cfg.instance
}

// put makes object d.id hold d, unless it does.
func (p *Reports) put(ctx context.Context, d desired) error {
	id := d.id
	w, exists := p.known(id)
	if exists && w.sum == d.sum {
		p.count(func(s *ReportStats) { s.Unchanged++ })
		return nil
	}
	if p.client == nil {
		return p.print(d, exists)
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d.obj)
	if err != nil {
		return fmt.Errorf("publish: %s %s/%s: %w", id.resource.Resource, id.namespace, id.name, err)
	}
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	ri := p.client.Resource(id.resource).Namespace(id.namespace)
	for attempt := 0; ; attempt++ {
		if err := p.limiter.Wait(ctx); err != nil {
			return err
		}
		var got *unstructured.Unstructured
		var err error
		if exists {
			u.SetResourceVersion(w.resourceVersion)
			got, err = ri.Update(ctx, u, metav1.UpdateOptions{FieldManager: openreports.Source})
		} else {
			u.SetResourceVersion("")
			got, err = ri.Create(ctx, u, metav1.CreateOptions{FieldManager: openreports.Source})
		}
		switch {
		case err == nil:
			p.count(func(s *ReportStats) {
				if exists {
					s.Updates++
				} else {
					s.Creates++
				}
			})
			p.cfg.logger.Debug("report object written", "kind", u.GetKind(), "namespace", id.namespace, "name", id.name,
				"results", len(resultsOf(u)))
			p.remember(id, &writtenObject{resourceVersion: got.GetResourceVersion(), uid: got.GetUID(), sum: d.sum})
			return nil
		case exists && apierrors.IsNotFound(err):
			exists = false // deleted meanwhile: made again
			continue
		case apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err):
			if attempt >= maxConflictRetries {
				return fmt.Errorf("publish: %s %s/%s: still conflicting after %d tries: %w", u.GetKind(), id.namespace, id.name, attempt+1, err)
			}
			p.count(func(s *ReportStats) { s.Conflicts++ })
			cur, gerr := ri.Get(ctx, id.name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(gerr):
				exists = false
				continue
			case gerr != nil:
				return fmt.Errorf("publish: %s %s/%s: read again after a conflict: %w", u.GetKind(), id.namespace, id.name, gerr)
			case !p.ours(cur):
				return fmt.Errorf("publish: %s %s/%s exists and is not this monitor's (labels %s=%s, %s=%s missing): left alone",
					u.GetKind(), id.namespace, id.name, LabelManagedBy, openreports.Source, LabelInstance, p.cfg.instance)
			}
			w = writtenObject{resourceVersion: cur.GetResourceVersion(), uid: cur.GetUID(), sum: sumOfUnstructured(cur)}
			exists = true
			if w.sum == d.sum {
				p.remember(id, &w)
				p.count(func(s *ReportStats) { s.Unchanged++ })
				return nil
			}
		default:
			return fmt.Errorf("publish: write %s %s/%s: %w", u.GetKind(), id.namespace, id.name, err)
		}
	}
}

// remove deletes object id, this instance's.
func (p *Reports) remove(ctx context.Context, id objectID) error {
	w, ok := p.known(id)
	if !ok {
		return nil
	}
	if p.client == nil {
		p.cfg.logger.Info("dry run: would delete a report object", "resource", id.resource.Resource,
			"namespace", id.namespace, "name", id.name)
		p.remember(id, nil)
		return nil
	}
	ri := p.client.Resource(id.resource).Namespace(id.namespace)
	for attempt := 0; ; attempt++ {
		if err := p.limiter.Wait(ctx); err != nil {
			return err
		}
		uid := w.uid
		opts := metav1.DeleteOptions{}
		if uid != "" {
			opts.Preconditions = &metav1.Preconditions{UID: &uid}
		}
		err := ri.Delete(ctx, id.name, opts)
		switch {
		case err == nil || apierrors.IsNotFound(err):
			if err == nil {
				p.count(func(s *ReportStats) { s.Deletes++ })
			}
			p.cfg.logger.Debug("report object deleted", "resource", id.resource.Resource, "namespace", id.namespace, "name", id.name)
			p.remember(id, nil)
			return nil
		case apierrors.IsConflict(err) && attempt < maxConflictRetries:
			// Another object of the name now: delete it only if it is this instance's.
			p.count(func(s *ReportStats) { s.Conflicts++ })
			cur, gerr := ri.Get(ctx, id.name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(gerr):
				p.remember(id, nil)
				return nil
			case gerr != nil:
				return fmt.Errorf("publish: delete %s %s/%s: read again after a conflict: %w", id.resource.Resource, id.namespace, id.name, gerr)
			case !p.ours(cur):
				p.remember(id, nil)
				return nil
			}
			w.uid = cur.GetUID()
		default:
			return fmt.Errorf("publish: delete %s %s/%s: %w", id.resource.Resource, id.namespace, id.name, err)
		}
	}
}

// print writes object d, for a dry run, as one line of JSON.
func (p *Reports) print(d desired, exists bool) error {
	data, err := json.Marshal(d.obj)
	if err != nil {
		return fmt.Errorf("publish: %s %s/%s: %w", d.id.resource.Resource, d.id.namespace, d.id.name, err)
	}
	if _, err := p.cfg.dryRun.Write(append(report.EscapeJSON(data), '\n')); err != nil {
		return fmt.Errorf("publish: dry run: %w", err)
	}
	p.count(func(s *ReportStats) {
		if exists {
			s.Updates++
		} else {
			s.Creates++
		}
	})
	p.remember(d.id, &writtenObject{sum: d.sum})
	return nil
}

// resultsOf returns the results of object u.
func resultsOf(u *unstructured.Unstructured) []any {
	rs, _, _ := unstructured.NestedSlice(u.Object, "results")
	return rs
}
