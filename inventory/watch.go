package inventory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// Watch keeps a cluster's inventory current. It lists every built-in kind (or those of
// WithKinds) as FromClientset does, then watches them, with one client-go Reflector per kind,
// and hands out successive snapshots (Next), each derived from the one before by With, so that
// each is immutable and all share what did not change.
//
// What an object becomes, and how each kind's Coverage is decided, is the loader's: typed
// objects without managedFields; Secrets without values (watched as metadata through
// WithMetadataClient, their Type then empty, unknown, but with WatchConfig, which lists them
// as Tables and reads the type of each new one from a Table; else typed, their values dropped
// as each event arrives); Forbidden, NotServed (confirmed by discovery)
// or Failed when a list fails, with the kind's *ListError in Errors. A kind that cannot be
// listed keeps none of its objects, as in a one-shot load: when a kind that was listed becomes
// forbidden, its objects are removed (the monitor turns their results into notEvaluated, not
// resolved). A kind the server lets list but not watch is Forbidden too, its reason the
// server's refusal to watch: it could not be kept current. A failure the server says is passing (429, 500, 502, 503, 504) leaves a listed kind
// as it was while the reflector retries. The kinds of OtherNetworkPolicyKinds are asked of
// discovery once, at the first list, as FromClientset does.
//
// A relist (after the server expired the watch's resource version: 410 Gone, or a watch that
// could not be resumed) replaces a kind's objects with the list: Next compares the two and
// reports only objects that differ (by resource version, or by content when the server gives
// none), so that a relist of an unchanged cluster changes nothing.
//
// With WithDefaultNamespaceListing, namespace default's other resources are listed before the
// first inventory and again every WithDefaultNamespaceRefresh period, each listing that differs
// from the current one installed in the next snapshot (Next then returns it with no Change).
//
// Of the ClusterOptions, WithKinds, WithMetadataClient, WithSourceName, WithPageSize,
// WithRelistBackoff, WithDefaultNamespaceListing and WithDefaultNamespaceRefresh apply, and
// WithListParallelism, WithRequestTimeout and WithRetries to the listings of namespace
// default only; the others (kubelet configurations) are FromClientset's only.
type Watch struct {
	cs     kubernetes.Interface
	opts   clusterOptions
	kinds  []KindInfo
	skip   []KindInfo
	source string
	signal chan struct{}

	mu      sync.Mutex
	pending map[schema.GroupKind]*kindPending
	stats   WatchStats
	started bool
	runCtx  context.Context
	// refused holds the kinds whose watches the server refuses (Forbidden), while it does:
	// they are Forbidden whatever their lists give (see watchRefused).
	refused map[schema.GroupKind]*refusal

	// pendingNS is the last listing of namespace default a refresh made, not yet compared
	// with the current snapshot's (WithDefaultNamespaceListing); nil: none.
	pendingNS *DefaultNamespaceListing

	// types are the types of the Secrets seen, when Secrets are watched as metadata with a
	// client for Tables (see secretTypes); nil otherwise.
	types *secretTypes
}

// secretTypes remembers each Secret's type: the metadata API, through which Secrets are
// watched so that their values never reach the process, has no type; a Table (what kubectl get
// prints) has it, for the list and for a Secret the watch shows first. A Secret's type cannot
// change.
type secretTypes struct {
	mu    sync.Mutex
	byUID map[types.UID]corev1.SecretType
}

func (t *secretTypes) put(uid types.UID, typ corev1.SecretType) {
	t.mu.Lock()
	t.byUID[uid] = typ
	t.mu.Unlock()
}

func (t *secretTypes) get(uid types.UID) (corev1.SecretType, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	typ, ok := t.byUID[uid]
	return typ, ok
}

func (t *secretTypes) drop(uid types.UID) {
	t.mu.Lock()
	delete(t.byUID, uid)
	t.mu.Unlock()
}

// WatchStats counts what a Watch did.
type WatchStats struct {
	// Lists counts the lists that completed (the first of each kind included), Relists
	// those after the first of their kind: a watch that could not be resumed (410 Gone).
	Lists, Relists int
	// Watches counts the watches started; a watch is restarted after the server closes it
	// (normally every few minutes) or it fails.
	Watches int
	// ListErrors counts the lists that failed.
	ListErrors int
	// DefaultNamespaceListings counts the listings of namespace default's other resources
	// (WithDefaultNamespaceListing), the first included.
	DefaultNamespaceListings int
}

// refusal is a kind whose watches the server refuses: the last refusal, and the objects of
// its last list, held back until a watch from that list's resource version is allowed.
type refusal struct {
	err  error
	objs map[objKey]runtime.Object
}

// kindPending is what a kind's reflector reported since the last Next.
type kindPending struct {
	// outcome is set once the kind was listed or failed to be: the first Next waits for every
	// kind's.
	outcome bool
	// replace, when set, is the kind's whole set of objects from a list; changes are the
	// events since (a nil object: deleted), applied after it.
	replace map[objKey]runtime.Object
	changes map[objKey]runtime.Object
	// coverage, when set, is the kind's new coverage and its load error.
	coverage *Coverage
	err      error
	lists    int
}

func (p *kindPending) empty() bool {
	return p.replace == nil && len(p.changes) == 0 && p.coverage == nil
}

// NewWatch returns a Watch over the cluster cs talks to; Run starts it. See FromClientset for
// the options, and Watch for those that apply.
func NewWatch(cs kubernetes.Interface, opts ...ClusterOption) (*Watch, error) {
	o, kinds, skipped, err := clusterSetup(cs, clusterOptions{pageSize: defaultPageSize}, opts)
	if err != nil {
		return nil, err
	}
	w := &Watch{cs: cs, opts: o, kinds: kinds, skip: skipped, signal: make(chan struct{}, 1),
		pending: make(map[schema.GroupKind]*kindPending, len(kinds)), source: o.where(),
		refused: make(map[schema.GroupKind]*refusal)}
	for _, k := range kinds {
		w.pending[k.GroupKind()] = &kindPending{}
	}
	return w, nil
}

// WatchConfig returns a Watch over the cluster cfg points at, with clients made as FromConfig
// makes them (protobuf, its rate limit), Secrets listed as Tables and watched as metadata:
// their values never reach the process, and their types are known as FromConfig knows them
// (a Secret the watch shows first has its type read once from a Table of it, listed by
// name: list and watch on Secrets are all the permissions needed).
func WatchConfig(cfg *rest.Config, opts ...ClusterOption) (*Watch, error) {
	cs, mc, host, err := clientsFor(cfg, nil)
	if err != nil {
		return nil, err
	}
	return NewWatch(cs, append([]ClusterOption{WithMetadataClient(mc), withSecretTables(cs.CoreV1().RESTClient()),
		withSource(host)}, opts...)...)
}

// Run lists and watches every kind until ctx ends; it returns ctx's error. Call it once.
func (w *Watch) Run(ctx context.Context) error {
	w.mu.Lock()
	if w.started {
		w.mu.Unlock()
		return errors.New("inventory: Watch.Run called twice")
	}
	w.started = true
	w.runCtx = ctx
	w.mu.Unlock()
	var wg sync.WaitGroup
	if w.opts.defaultNamespace {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.refreshDefaultNamespace(ctx)
		}()
	}
	for _, k := range w.kinds {
		lw, expected := w.listerWatcher(k)
		if lw == nil {
			err := errors.New("no lister for the kind")
			w.outcome(k, Failed, err.Error(), err)
			continue
		}
		ro := cache.ReflectorOptions{Name: "kspm " + k.Resource, TypeDescription: k.Resource}
		if w.opts.relistMin > 0 {
			ro.Backoff = &wait.Backoff{Duration: w.opts.relistMin, Cap: w.opts.relistMax, Factor: 2, Jitter: 0.5,
				Steps: int(math.Ceil(math.Log2(float64(w.opts.relistMax)/float64(w.opts.relistMin)))) + 1}
		}
		r := cache.NewReflectorWithOptions(lw, expected, &kindStore{w: w, k: k}, ro)
		r.WatchListPageSize = w.opts.pageSize
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.RunWithContext(ctx)
		}()
	}
	<-ctx.Done()
	wg.Wait()
	return ctx.Err()
}

// Stats returns what the watch did so far.
func (w *Watch) Stats() WatchStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// listerWatcher returns how kind k is listed and watched, counting and classifying failures,
// and the type its objects arrive as.
func (w *Watch) listerWatcher(k KindInfo) (cache.ListerWatcher, runtime.Object) {
	var lw *cache.ListWatch
	expected := k.New()
	if k.GroupKind() == KindSecret && w.opts.metadata != nil {
		r := w.opts.metadata.Resource(k.GroupVersionResource()).Namespace(metav1.NamespaceAll)
		lw = &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
				return r.List(ctx, opts)
			},
			WatchFuncWithContext: r.Watch,
		}
		expected = &metav1.PartialObjectMetadata{}
		if rc := w.opts.secretTables; rc != nil {
			// Listed as Tables, with their types; watched as metadata.
			w.types = &secretTypes{byUID: make(map[types.UID]corev1.SecretType)}
			lw.ListWithContextFunc = func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
				secrets, meta, err := secretTable(ctx, rc.Get().Resource("secrets").VersionedParams(&opts, metav1.ParameterCodec))
				if errors.Is(err, errNoTable) {
					return r.List(ctx, opts)
				}
				if err != nil {
					return nil, err
				}
				l := &corev1.SecretList{ListMeta: meta, Items: make([]corev1.Secret, len(secrets))}
				for i, s := range secrets {
					l.Items[i] = *s
					w.types.put(s.UID, s.Type)
				}
				return l, nil
			}
			expected = nil // lists give Secrets, watches metadata
		}
	} else {
		lw = typedListWatch(w.cs, k.GroupKind())
	}
	if lw == nil {
		return nil, nil
	}
	list, watchFn := lw.ListWithContextFunc, lw.WatchFuncWithContext
	counted := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			l, err := list(ctx, opts)
			if err != nil && ctx.Err() == nil {
				w.listFailed(ctx, k, err)
			}
			return l, err
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			w.mu.Lock()
			w.stats.Watches++
			w.mu.Unlock()
			wi, err := watchFn(ctx, opts)
			switch {
			case err == nil:
				w.watchAllowed(k, opts)
			case apierrors.IsForbidden(err) && ctx.Err() == nil:
				w.watchRefused(k, err)
			}
			return wi, err
		},
	}
	if k.GroupKind() == KindSecret && w.types != nil {
		// Listed as Tables: a streamed list (a watch with initial events) would give metadata
		// only, without the types.
		return listWithoutStreaming{counted}, expected
	}
	return cache.ToListWatcherWithWatchListSemantics(counted, w.cs), expected
}

// listWithoutStreaming is a lister-watcher a Reflector lists with its list function, never
// with a watch that streams the initial objects.
type listWithoutStreaming struct{ *cache.ListWatch }

// IsWatchListSemanticsUnSupported tells client-go's Reflector not to stream lists.
func (listWithoutStreaming) IsWatchListSemanticsUnSupported() bool { return true }

// listFailed records a failed list of kind k: Forbidden, NotServed or Failed as the loader
// classifies it, the kind's objects removed; a transient failure of a kind already listed
// changes nothing.
func (w *Watch) listFailed(ctx context.Context, k KindInfo, err error) {
	w.mu.Lock()
	w.stats.ListErrors++
	listed := w.pending[k.GroupKind()].lists > 0
	w.mu.Unlock()
	state, reason := Failed, err.Error()
	switch {
	case apierrors.IsResourceExpired(err) || apierrors.IsGone(err) || isTooLargeResourceVersion(err):
		return // the reflector lists again at once
	case apierrors.IsForbidden(err):
		state = Forbidden
	case apierrors.IsNotFound(err):
		l := &clusterLoader{cs: w.cs}
		state, reason, err = l.notFound(ctx, k, err)
	case listed && transientStatus(err):
		return
	}
	w.outcome(k, state, reason, err)
}

// watchRefused records that the server refused to watch kind k (Forbidden: a role that allows
// list but not watch, or a permission taken back). The kind is then Forbidden, its objects
// removed, whatever its lists give until a watch is allowed: a kind listed but not watched
// cannot be kept current (the reflector lists it again and again at the resource version of
// its first list, which an API server answers with that same old snapshot), and results
// about it must not pass on stale objects.
func (w *Watch) watchRefused(k KindInfo, err error) {
	w.mu.Lock()
	r, already := w.refused[k.GroupKind()]
	if !already {
		r = &refusal{}
		w.refused[k.GroupKind()] = r
	}
	r.err = err
	w.mu.Unlock()
	if !already {
		w.outcome(k, Forbidden, err.Error(), err)
	}
}

// watchAllowed records that the server accepted a watch of kind k with opts. After refusals,
// a watch that resumes from a list's resource version makes the kind Listed with that list's
// objects (the watch's events follow them); a watch that streams its initial objects gives
// them itself, in a Replace.
func (w *Watch) watchAllowed(k KindInfo, opts metav1.ListOptions) {
	gk := k.GroupKind()
	w.mu.Lock()
	r, ok := w.refused[gk]
	if !ok {
		w.mu.Unlock()
		return
	}
	delete(w.refused, gk)
	streamed := opts.SendInitialEvents != nil && *opts.SendInitialEvents
	if !streamed && r.objs != nil {
		p := w.pending[gk]
		p.replace, p.changes = r.objs, nil
		p.coverage, p.err = &Coverage{Group: gk.Group, Kind: gk.Kind, State: Listed}, nil
	}
	w.mu.Unlock()
	w.notify()
}

// isTooLargeResourceVersion reports whether err says the server has not caught up with the
// resource version asked for, which the reflector handles by listing again.
func isTooLargeResourceVersion(err error) bool {
	return apierrors.HasStatusCause(err, metav1.CauseTypeResourceVersionTooLarge)
}

// outcome records that kind k could not be listed: its coverage, its error, and no objects.
func (w *Watch) outcome(k KindInfo, state State, reason string, err error) {
	gk := k.GroupKind()
	c := Coverage{Group: gk.Group, Kind: gk.Kind, State: state, Reason: reason}
	var lerr error
	if state != NotServed {
		lerr = &ListError{Kind: gk, State: state, Err: err}
	}
	w.mu.Lock()
	p := w.pending[gk]
	p.outcome = true
	p.coverage, p.err = &c, lerr
	p.replace, p.changes = map[objKey]runtime.Object{}, nil
	w.mu.Unlock()
	w.notify()
}

func (w *Watch) notify() {
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// kindStore receives one kind's objects from its reflector.
type kindStore struct {
	w *Watch
	k KindInfo
}

func (s *kindStore) Add(obj any) error    { return s.w.event(s.k, obj, false) }
func (s *kindStore) Update(obj any) error { return s.w.event(s.k, obj, false) }
func (s *kindStore) Delete(obj any) error { return s.w.event(s.k, obj, true) }
func (s *kindStore) Resync() error        { return nil }

func (s *kindStore) Replace(items []any, _ string) error {
	objs := make(map[objKey]runtime.Object, len(items))
	for _, it := range items {
		o, k, err := fromServer(s.k, it)
		if err != nil {
			return err
		}
		objs[k] = o
	}
	w, gk := s.w, s.k.GroupKind()
	c := Coverage{Group: gk.Group, Kind: gk.Kind, State: Listed}
	w.mu.Lock()
	p := w.pending[gk]
	p.lists++
	w.stats.Lists++
	if p.lists > 1 {
		w.stats.Relists++
	}
	if r, ok := w.refused[gk]; ok {
		// Held back while watches are refused (see watchRefused); the kind is Forbidden for
		// that (again, after a refused list).
		r.objs = objs
		err := r.err
		w.mu.Unlock()
		w.outcome(s.k, Forbidden, err.Error(), err)
		return nil
	}
	p.outcome = true
	p.replace, p.changes = objs, nil
	p.coverage, p.err = &c, nil
	w.mu.Unlock()
	w.notify()
	return nil
}

// event records an object added, updated or deleted.
func (w *Watch) event(k KindInfo, item any, deleted bool) error {
	o, key, err := fromServer(k, item)
	if err != nil {
		return err
	}
	if s, ok := o.(*corev1.Secret); ok && w.types != nil {
		if deleted {
			w.types.drop(s.UID)
		} else if s.Type == "" {
			s.Type = w.secretType(s)
		}
	}
	if deleted {
		o = nil
	}
	w.mu.Lock()
	p := w.pending[k.GroupKind()]
	if p.changes == nil {
		p.changes = make(map[objKey]runtime.Object)
	}
	p.changes[key] = o
	w.mu.Unlock()
	w.notify()
	return nil
}

// secretType returns the type of Secret s, watched as metadata: remembered from the list, or
// read once from a Table of it; unknown ("") when the server does not say. The Table is a
// list of the Secrets of s's namespace selected by name, not a get of s: the permission to
// list Secrets, which the watch needs, is enough (a role that allows list and watch, as a
// monitor's least-privilege role does, does not allow get).
func (w *Watch) secretType(s *corev1.Secret) corev1.SecretType {
	if typ, ok := w.types.get(s.UID); ok {
		return typ
	}
	ctx, cancel := context.WithTimeout(w.runCtx, defaultRequestTimeout)
	defer cancel()
	opts := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", s.Name).String()}
	secrets, _, err := secretTable(ctx, w.opts.secretTables.Get().Namespace(s.Namespace).Resource("secrets").
		VersionedParams(&opts, metav1.ParameterCodec))
	if err != nil || len(secrets) != 1 || secrets[0].UID != s.UID {
		return "" // deleted or replaced meanwhile, or not readable: its type is unknown
	}
	w.types.put(s.UID, secrets[0].Type)
	return secrets[0].Type
}

// fromServer makes an object a reflector delivered into what the inventory holds, as the
// loader does: its kind set, managedFields dropped, a Secret's values dropped (a Secret
// watched as metadata becomes a Secret of unknown type).
func fromServer(k KindInfo, item any) (runtime.Object, objKey, error) {
	if d, ok := item.(cache.DeletedFinalStateUnknown); ok {
		item = d.Obj
	}
	var obj runtime.Object
	switch o := item.(type) {
	case *metav1.PartialObjectMetadata:
		s := &corev1.Secret{ObjectMeta: o.ObjectMeta}
		scrubSecretMeta(&s.ObjectMeta)
		obj = s
	case *corev1.Secret:
		scrubSecret(o)
		obj = o
	case runtime.Object:
		if m, ok := o.(metav1.Object); ok {
			m.SetManagedFields(nil)
		}
		obj = o
	default:
		return nil, objKey{}, fmt.Errorf("inventory: watch of %s delivered a %T", k.Resource, item)
	}
	m, ok := obj.(metav1.Object)
	if !ok {
		return nil, objKey{}, fmt.Errorf("inventory: watch of %s delivered a %T without metadata", k.Resource, obj)
	}
	obj.GetObjectKind().SetGroupVersionKind(k.GroupVersionKind)
	return obj, objKey{k.GroupKind(), m.GetNamespace(), m.GetName()}, nil
}

// Next returns the next inventory and what changed from prev, which must be the inventory Next
// returned last (nil the first time). The first call waits until every kind was listed, or
// failed to be, and returns the whole inventory, with no changes; it fails as FromClientset
// does when the server rejects the credentials or no kind at all could be listed. Later calls
// wait until something changed: objects created, updated or deleted (a relist's objects that
// did not change do not count), a kind's coverage, or the listing of namespace default
// (WithDefaultNamespaceListing; its changes are not Changes). Next returns ctx's error when ctx ends
// first.
func (w *Watch) Next(ctx context.Context, prev *Inventory) (*Inventory, []Change, error) {
	for {
		if prev == nil {
			inv, done, err := w.first(ctx)
			if done || err != nil {
				return inv, nil, err
			}
		} else {
			next, changes, err := w.apply(prev)
			if err != nil || next != nil {
				return next, changes, err
			}
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-w.signal:
		}
	}
}

// first builds the first inventory once every kind has an outcome.
func (w *Watch) first(ctx context.Context) (*Inventory, bool, error) {
	w.mu.Lock()
	for _, k := range w.kinds {
		if !w.pending[k.GroupKind()].outcome {
			w.mu.Unlock()
			return nil, false, nil
		}
	}
	l := &clusterLoader{cs: w.cs, b: NewBuilder(ModeCluster)}
	var firstErr error
	anyListed := false
	for _, k := range w.kinds {
		gk := k.GroupKind()
		p := w.pending[gk]
		objs := p.replace
		for key, o := range p.changes {
			if objs == nil {
				objs = map[objKey]runtime.Object{}
			}
			if o == nil {
				delete(objs, key)
			} else {
				objs[key] = o
			}
		}
		for _, key := range slices.SortedFunc(mapKeysOf(objs), compareObjKeys) {
			if err := l.b.Add(objs[key], Source{}); err != nil {
				l.b.AddError(&ListError{Kind: gk, State: Listed, Err: err})
			}
		}
		l.b.SetCoverage(*p.coverage)
		if p.err != nil {
			l.b.AddError(p.err)
		}
		switch p.coverage.State {
		case Listed, Forbidden, NotServed:
			anyListed = true
		}
		if firstErr == nil && p.err != nil {
			var le *ListError
			if errors.As(p.err, &le) {
				firstErr = le.Err
			}
		}
		*p = kindPending{outcome: true, lists: p.lists}
	}
	w.mu.Unlock()
	if firstErr != nil && apierrors.IsUnauthorized(firstErr) {
		return nil, true, fmt.Errorf("inventory: %s rejected the credentials: %w", w.source, firstErr)
	}
	if !anyListed {
		return nil, true, fmt.Errorf("inventory: no kind could be listed from %s: %w", w.source, firstErr)
	}
	l.begin(&w.opts, w.skip)
	if w.opts.defaultNamespace {
		l.b.setDefaultNamespaceListing(w.listDefaultNamespace(ctx))
		if err := ctx.Err(); err != nil {
			return nil, true, err
		}
		w.mu.Lock()
		w.stats.DefaultNamespaceListings++
		w.mu.Unlock()
	}
	l.end(ctx, &w.opts)
	return l.b.Build(), true, nil
}

func mapKeysOf[V any](m map[objKey]V) func(func(objKey) bool) {
	return func(yield func(objKey) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func compareObjKeys(a, b objKey) int {
	if c := compareGK(a.gk, b.gk); c != 0 {
		return c
	}
	if a.ns != b.ns {
		if a.ns < b.ns {
			return -1
		}
		return 1
	}
	switch {
	case a.name < b.name:
		return -1
	case a.name > b.name:
		return 1
	}
	return 0
}

// apply derives the next inventory from prev with what is pending, or returns nil when
// nothing changed.
func (w *Watch) apply(prev *Inventory) (*Inventory, []Change, error) {
	w.mu.Lock()
	var edits []Edit
	var keys []objKey
	for _, k := range w.kinds {
		gk := k.GroupKind()
		p := w.pending[gk]
		if p.empty() {
			continue
		}
		if p.coverage != nil {
			if old := prev.Coverage(gk); old.State != p.coverage.State || old.Reason != p.coverage.Reason {
				edits = append(edits, SetCoverage(*p.coverage, p.err))
			}
		}
		put := func(key objKey, o runtime.Object) {
			cur := prev.lookup(key)
			switch {
			case o == nil && cur == nil:
			case o == nil:
				edits = append(edits, Remove(key.gk, key.ns, key.name))
				keys = append(keys, key)
			case cur == nil || !sameObject(cur.obj, o):
				edits = append(edits, Put(o))
				keys = append(keys, key)
			}
		}
		if p.replace != nil {
			for _, cur := range prev.ByKind(gk) {
				key := objKey{gk, cur.namespace, cur.name}
				if _, ok := p.replace[key]; !ok {
					if _, later := p.changes[key]; !later {
						put(key, nil)
					}
				}
			}
			for _, key := range slices.SortedFunc(mapKeysOf(p.replace), compareObjKeys) {
				if _, later := p.changes[key]; !later {
					put(key, p.replace[key])
				}
			}
		}
		for _, key := range slices.SortedFunc(mapKeysOf(p.changes), compareObjKeys) {
			put(key, p.changes[key])
		}
		*p = kindPending{outcome: true, lists: p.lists}
	}
	ns := w.pendingNS
	w.pendingNS = nil
	w.mu.Unlock()
	// Compared without the lock, which the watches' handlers wait on: a listing may hold
	// thousands of objects per resource.
	if ns != nil && !sameListing(prev.DefaultNamespaceListing(), ns) {
		edits = append(edits, SetDefaultNamespaceListing(ns))
	}
	if len(edits) == 0 {
		return nil, nil, nil
	}
	// fromServer gave every object its kind and metadata: With cannot fail on them.
	next, err := prev.With(edits...)
	if next == nil {
		return nil, nil, err
	}
	changes := make([]Change, 0, len(keys))
	for _, key := range keys {
		if o, n := prev.lookup(key), next.lookup(key); o != n {
			changes = append(changes, Change{Old: o, New: n})
		}
	}
	return next, changes, nil
}

// sameObject reports whether b, as a watch or list delivered it, is the object a already
// held: the same UID and resource version, or, when the server gives no resource version (a
// fake clientset), the same content.
func sameObject(a, b runtime.Object) bool {
	ma, okA := a.(metav1.Object)
	mb, okB := b.(metav1.Object)
	if !okA || !okB {
		return false
	}
	if ma.GetUID() != mb.GetUID() {
		return false
	}
	if rv := ma.GetResourceVersion(); rv != "" && rv == mb.GetResourceVersion() {
		return true
	}
	return equality.Semantic.DeepEqual(a, b)
}
