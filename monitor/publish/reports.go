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

// listPage is how many report objects one list request reads at most: an object holds up to
// about MaxPartBytes of results, so a page is up to about 20 MiB, read at Load and at every
// reconcile.
const listPage = 20

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
	// read by Load, then kept by Run's writes and reconciles (which syncMu serializes: only
	// they change it after Load).
	writtenMu sync.Mutex
	written   map[objectID]writtenObject
	// foreign are the names Reports should write that an object not this instance's holds
	// (under writtenMu): left alone, reported once, tried again at a slow pace.
	foreign map[objectID]bool

	// syncMu serializes the writing of a scope (sync) and the reconcile, which compares the
	// cluster with written.
	syncMu sync.Mutex
	// pending holds the scopes waiting to be written (queued, delayed, being written, or to
	// be tried again), each with the request that last queued it; requests counts the
	// requests. Under mu.
	pending  map[string]uint64
	requests uint64
}

// ReportStats counts what Reports did.
type ReportStats struct {
	// Creates, Updates and Deletes count the writes done; Unchanged the objects whose
	// content was as wanted, so not written.
	Creates, Updates, Deletes, Unchanged int
	// Conflicts counts the writes answered with a conflict (409) and tried again; Errors
	// the scopes whose writing failed (retried later), but for a name held by someone
	// else's object alone (see Foreign).
	Conflicts, Errors int
	// Repairs counts the scopes the reconcile (WithReconcile) found differing in the
	// cluster from what was written (an object deleted, edited or recreated by someone
	// else, or one of this instance's unknown to Reports) and queued to be written again.
	Repairs int
	// Objects is how many objects the cluster holds of this instance, as far as Reports
	// knows (what it wrote, Load read and the last reconcile saw); Results how many results
	// they hold, of every kind written.
	Objects, Results int
	// Foreign is how many of the names Reports should write are held now by objects that
	// are not this instance's (without its labels): those are never overwritten nor
	// deleted, and the results they should hold are not published until the name is free.
	Foreign int
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
	// results is how many results it holds.
	results int
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
		foreign: make(map[objectID]bool),
		pending: make(map[string]uint64),
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
			err := p.list(ctx, res, func(u *unstructured.Unstructured) {
				p.writtenMu.Lock()
				p.written[objectID{res, u.GetNamespace(), u.GetName()}] = observed(u)
				p.writtenMu.Unlock()
				if i == 0 {
					previous = append(previous, p.readBack(u)...)
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return previous, nil
}

// list calls f with each of this instance's objects of resource res, read in pages. Its
// error wraps ErrNotServed when res is not served.
func (p *Reports) list(ctx context.Context, res schema.GroupVersionResource, f func(*unstructured.Unstructured)) error {
	cont := ""
	for {
		l, err := p.client.Resource(res).List(ctx, metav1.ListOptions{LabelSelector: p.selector(), Limit: listPage, Continue: cont})
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("%w: %s: %w", ErrNotServed, res.GroupResource(), err)
		}
		if err != nil {
			return fmt.Errorf("publish: list %s: %w", res.GroupResource(), err)
		}
		for j := range l.Items {
			f(&l.Items[j])
		}
		if cont = l.GetContinue(); cont == "" {
			return nil
		}
	}
}

// observed returns what is known of object u, read from the cluster.
func observed(u *unstructured.Unstructured) writtenObject {
	return writtenObject{resourceVersion: u.GetResourceVersion(), uid: u.GetUID(), sum: sumOfUnstructured(u),
		results: resultCount(u)}
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
		p.enqueue(ns, p.cfg.delay)
	}
}

// enqueue queues scope ns to be written after d, and counts it pending until written.
func (p *Reports) enqueue(ns string, d time.Duration) {
	p.mu.Lock()
	p.requests++
	p.pending[ns] = p.requests
	p.mu.Unlock()
	if d > 0 {
		p.queue.AddAfter(ns, d)
	} else {
		p.queue.Add(ns)
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

// Run writes the scopes Update queues, and reconciles the cluster's objects with them (see
// WithReconcile), until ctx ends, then returns ctx's error.
func (p *Reports) Run(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		p.queue.ShutDown()
	}()
	if p.client != nil && p.cfg.reconcile > 0 {
		go p.reconcileEvery(ctx)
	}
	for p.next(ctx) {
	}
	return ctx.Err()
}

// reconcileEvery reconciles every period of WithReconcile until ctx ends.
func (p *Reports) reconcileEvery(ctx context.Context) {
	t := time.NewTicker(p.cfg.reconcile)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := p.reconcile(ctx); err != nil && ctx.Err() == nil {
			p.cfg.logger.Warn("reading the report objects back failed; trying again at the next reconcile", "error", err)
		}
	}
}

// reconcile lists this instance's objects and queues the scopes whose objects differ from
// what Reports wrote: deleted, edited, recreated by someone else, or unknown to it (then
// deleted if not needed). Objects that match are not written. Before the first update it
// does nothing: the scopes are not known yet.
func (p *Reports) reconcile(ctx context.Context) error {
	p.mu.Lock()
	started := p.started
	p.mu.Unlock()
	if p.client == nil || !started {
		return nil
	}
	p.syncMu.Lock() // no write while the cluster is compared with written
	defer p.syncMu.Unlock()
	seen := make(map[objectID]writtenObject)
	for _, k := range p.cfg.kinds {
		ns, cl := resources(k)
		for _, res := range []schema.GroupVersionResource{ns, cl} {
			err := p.list(ctx, res, func(u *unstructured.Unstructured) {
				id := objectID{res, u.GetNamespace(), u.GetName()}
				w, ok := p.known(id)
				if ok && w.resourceVersion != "" && w.resourceVersion == u.GetResourceVersion() && w.uid == u.GetUID() {
					seen[id] = w // not written since: the API server changes resourceVersion at every write
					return
				}
				seen[id] = observed(u)
			})
			if err != nil {
				return err
			}
		}
	}
	why := make(map[string]string) // scope → what differs (the first found)
	differs := func(id objectID, reason string) {
		if _, ok := why[id.namespace]; !ok {
			why[id.namespace] = reason + ": " + id.resource.Resource + " " + id.name
		}
	}
	p.writtenMu.Lock()
	for id, w := range p.written {
		c, ok := seen[id]
		switch {
		case !ok:
			delete(p.written, id) // made again by the write
			differs(id, "deleted, or its labels changed")
		case c.sum != w.sum:
			p.written[id] = c // written on top of what is there, with its resourceVersion
			if c.uid != w.uid {
				differs(id, "recreated")
			} else {
				differs(id, "edited")
			}
		default:
			p.written[id] = c // the same content; its resourceVersion and uid may have moved
		}
	}
	for id, c := range seen {
		if _, ok := p.written[id]; !ok {
			p.written[id] = c
			differs(id, "not written by this process")
		}
	}
	p.writtenMu.Unlock()
	for ns, reason := range why {
		p.cfg.logger.Info("report objects differ from what was written; writing them again", "namespace", ns, "reason", reason)
		p.count(func(s *ReportStats) { s.Repairs++ })
		p.enqueue(ns, 0)
	}
	return nil
}

// next writes the next scope queued, waiting for one; false once the queue is shut down.
func (p *Reports) next(ctx context.Context) bool {
	ns, quit := p.queue.Get()
	if quit {
		return false
	}
	defer p.queue.Done(ns)
	p.mu.Lock()
	request := p.pending[ns]
	p.mu.Unlock()
	p.syncMu.Lock()
	err := p.sync(ctx, ns)
	p.syncMu.Unlock()
	switch {
	case err == nil:
		p.queue.Forget(ns)
		p.mu.Lock()
		if p.pending[ns] == request { // not queued again meanwhile
			delete(p.pending, ns)
		}
		p.mu.Unlock()
	case ctx.Err() != nil:
	case onlyForeign(err):
		// Someone else's object holds a name: tried again at a slow pace, not as a failure.
		p.queue.Forget(ns)
		p.queue.AddAfter(ns, p.foreignRetry())
	default:
		p.count(func(s *ReportStats) { s.Errors++ })
		p.cfg.logger.Warn("writing the report objects failed; retrying later", "namespace", ns, "error", err)
		p.queue.AddRateLimited(ns)
	}
	return true
}

// foreignRetry is how long a scope whose names someone else's objects hold waits before it
// is tried again.
func (p *Reports) foreignRetry() time.Duration {
	if p.cfg.reconcile > 0 {
		return p.cfg.reconcile
	}
	return p.cfg.backoffMax
}

// onlyForeign reports whether err, of sync, is only names held by someone else's objects.
func onlyForeign(err error) bool {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var fe *foreignError
		if !errors.As(e, &fe) {
			return false
		}
	}
	return len(errs) > 0
}

// foreignError says that an object Reports should write has a name held by an object that
// is not this instance's.
type foreignError struct {
	kind, instance string
	id             objectID
}

func (e *foreignError) Error() string {
	return fmt.Sprintf("publish: %s %s/%s exists and is not this monitor's (labels %s=%s, %s=%s missing): left alone",
		e.kind, e.id.namespace, e.id.name, LabelManagedBy, openreports.Source, LabelInstance, e.instance)
}

// Stats returns what Reports did.
func (p *Reports) Stats() ReportStats {
	p.mu.Lock()
	s := p.stats
	p.mu.Unlock()
	p.writtenMu.Lock()
	s.Objects = len(p.written)
	for _, w := range p.written {
		s.Results += w.results
	}
	s.Foreign = len(p.foreign)
	p.writtenMu.Unlock()
	return s
}

// Pending returns how many scopes wait to be written: queued, waiting for their delay
// (WithDelay), being written, or to be tried again after a failure or because someone
// else's object holds one of their names.
func (p *Reports) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

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
	for id := range p.foreign {
		if id.namespace == ns && !want[id] {
			delete(p.foreign, id) // the name is no longer needed
		}
	}
	var stale []objectID
	for id := range p.written {
		if id.namespace == ns && !want[id] {
			stale = append(stale, id)
		}
	}
	p.writtenMu.Unlock()
	if len(errs) > 0 && len(stale) > 0 {
		// The results of the objects no longer needed may have moved into those not
		// written: they are deleted once those are, not to lose a finding meanwhile.
		p.cfg.logger.Debug("report objects no longer needed kept until the others are written", "namespace", ns, "objects", len(stale))
		return errors.Join(errs...)
	}
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
	// results is how many results it holds.
	results int
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
	d := desired{id: objectID{namespaced, ns, name}, results: len(pt.results)}
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

// sumOfUnstructured returns the hash of the form of object u, as the cluster holds it. Of its
// labels, only Reports' own count: one another tool adds (a GitOps tracking label) does not
// make it differ, so that the reconcile does not fight that tool.
func sumOfUnstructured(u *unstructured.Unstructured) [sha256.Size]byte {
	var f form
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &f); err != nil {
		return [sha256.Size]byte{}
	}
	for k := range f.Metadata.Labels {
		if k != LabelManagedBy && k != LabelInstance && k != LabelPart {
			delete(f.Metadata.Labels, k)
		}
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
	if p.foreign[id] {
		delete(p.foreign, id)
		p.cfg.logger.Info("a report object's name is free again: written", "resource", id.resource.Resource,
			"namespace", id.namespace, "name", id.name)
	}
}

// foreignHolds records that object cur, not this instance's, holds the name of object id
// (of kind kind), which Reports then forgets it wrote; it warns the first time, and returns
// the error of the write.
func (p *Reports) foreignHolds(id objectID, kind string, cur *unstructured.Unstructured) error {
	p.writtenMu.Lock()
	delete(p.written, id)
	first := !p.foreign[id]
	p.foreign[id] = true
	p.writtenMu.Unlock()
	err := &foreignError{kind: kind, instance: p.cfg.instance, id: id}
	if first {
		p.cfg.logger.Warn("a report object's name is held by an object that is not this monitor's: left alone, its results not published until it is gone; tried again every period of retry",
			"retry", p.foreignRetry(), "kind", kind, "namespace", id.namespace, "name", id.name,
			"managedBy", cur.GetLabels()[LabelManagedBy], "instance", cur.GetLabels()[LabelInstance], "error", err)
	}
	return err
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
				"results", resultCount(u))
			p.remember(id, &writtenObject{resourceVersion: got.GetResourceVersion(), uid: got.GetUID(), sum: d.sum,
				results: d.results})
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
				return p.foreignHolds(id, u.GetKind(), cur)
			}
			w = observed(cur)
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
	p.remember(d.id, &writtenObject{sum: d.sum, results: d.results})
	return nil
}

// resultCount returns how many results object u holds. It reads them in place:
// NestedSlice would deep-copy every result (up to MaxPartBytes an object) only to count them.
func resultCount(u *unstructured.Unstructured) int {
	rs, _, _ := unstructured.NestedFieldNoCopy(u.Object, "results")
	l, _ := rs.([]any)
	return len(l)
}
