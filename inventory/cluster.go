package inventory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/klog/v2"

	"github.com/kspm-dev/kspm/internal/printable"
)

// ErrNoKubeconfig is wrapped by the error FromKubeconfig returns when there is no kubeconfig
// to read and the process does not run inside a cluster.
var ErrNoKubeconfig = errors.New("no kubeconfig")

const (
	defaultPageSize        = 500
	defaultListParallelism = 4
	// maxListAttempts bounds how often one kind's list is started from the beginning after
	// the server expired its continue token (410 Gone) part way through.
	maxListAttempts = 3
	// reasonNotRequested is the coverage reason of kinds left out by WithKinds.
	reasonNotRequested = "not requested"
	// lastAppliedAnnotation is kubectl's copy of the applied object. On a Secret it holds
	// the values, so the loader drops it.
	lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
	// Client-side rate limit FromConfig uses when the rest.Config sets none. client-go's own
	// default (5 requests per second) would make paging through a large cluster slow; the
	// API server's priority and fairness still protects the server.
	defaultQPS   = 50
	defaultBurst = 100
	// defaultRequestTimeout bounds each list request (one page) unless WithRequestTimeout
	// says otherwise: long enough for a page of a slow server, short enough that a hung
	// connection does not stall the load.
	defaultRequestTimeout = 60 * time.Second
	// defaultConfigRetries is how often FromConfig and FromKubeconfig retry a list request
	// that failed transiently, unless WithRetries says otherwise.
	defaultConfigRetries = 3
	// The wait before the first retry of a list request; it doubles on each further retry,
	// up to retryMaxDelay. A delay the server asks for (Retry-After) is honoured up to
	// retryMaxServerDelay.
	retryBaseDelay      = 500 * time.Millisecond
	retryMaxDelay       = 8 * time.Second
	retryMaxServerDelay = 30 * time.Second
)

// ClusterOption configures FromClientset, FromConfig and FromKubeconfig.
type ClusterOption interface {
	applyCluster(*clusterOptions)
}

type clusterOptions struct {
	pageSize       int64
	parallelism    int
	metadata       metadata.Interface
	kinds          []schema.GroupKind
	source         string
	sourceName     string
	requestTimeout time.Duration
	retries        int
	kubeletConfigz int // concurrency of per-node /configz fetches; 0: off
	secretTables   rest.Interface
	// defaultNamespace lists namespace default's other namespaced resources
	// (WithDefaultNamespaceListing).
	defaultNamespace bool
	// defaultNamespaceEvery is how often a Watch lists namespace default's other resources
	// again (WithDefaultNamespaceRefresh); 0: DefaultNamespaceRefresh.
	defaultNamespaceEvery time.Duration
	serverWarnings        *serverWarnings // the API server's warnings, for the inventory's
	// relistMin and relistMax bound a Watch's wait before it lists a kind again after a
	// failure (0: client-go's reflector defaults).
	relistMin, relistMax time.Duration
}

// withServerWarnings has FromClientset add the warnings w collected to the inventory's.
func withServerWarnings(w *serverWarnings) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) { o.serverWarnings = w })
}

// maxServerWarnings bounds the distinct warnings of the API server kept for one load.
const maxServerWarnings = 100

// serverWarnings collects the warnings the API server sends with its answers (Warning headers
// of code 299: a deprecated API version, an admission webhook's remark), each once, instead
// of client-go's default handler, which logs them on standard error. With log set (clients
// that keep running, Watch's, whose warnings have no inventory to go to), each is logged
// instead, escaped: a warning may carry text from the cluster, which must not reach a
// terminal raw.
type serverWarnings struct {
	mu      sync.Mutex
	seen    map[string]bool
	list    []error
	dropped int
	log     func(string)
}

// expectedDeprecationKey marks, in a request's context, a request kspm makes on purpose to an
// API the server calls deprecated (v1 Endpoints since Kubernetes 1.33, which namespace
// default's listing must read: the API server keeps its own there): its warning tells the
// user nothing to act on, and is not recorded.
type expectedDeprecationKey struct{}

// expectingDeprecation returns ctx marked with expectedDeprecationKey.
func expectingDeprecation(ctx context.Context) context.Context {
	return context.WithValue(ctx, expectedDeprecationKey{}, true)
}

// HandleWarningHeaderWithContext records (or logs) a warning of code 299 the first time it
// comes, up to maxServerWarnings distinct ones, but for requests marked expectingDeprecation.
func (w *serverWarnings) HandleWarningHeaderWithContext(ctx context.Context, code int, _ string, message string) {
	if code != 299 || message == "" || ctx != nil && ctx.Value(expectedDeprecationKey{}) != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.seen[message]:
	case len(w.seen) >= maxServerWarnings:
		w.dropped++
	default:
		if w.seen == nil {
			w.seen = map[string]bool{}
		}
		w.seen[message] = true
		if w.log != nil {
			w.log(printable.Escape(message))
		} else {
			w.list = append(w.list, fmt.Errorf("the API server warned: %s", message))
		}
	}
}

// logServerWarning logs a warning of the API server for the clients of a Watch.
var logServerWarning = func(s string) { klog.Warning(s) }

// warnings returns the warnings recorded.
func (w *serverWarnings) warnings() []error {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.list)
	if w.dropped > 0 {
		out = append(out, fmt.Errorf("the API server sent %d more warnings", w.dropped))
	}
	return out
}

type clusterOptionFunc func(*clusterOptions)

func (f clusterOptionFunc) applyCluster(o *clusterOptions) { f(o) }

// WithPageSize sets how many objects one list request asks for (the Limit of each page).
// The default is 500; n <= 0 keeps the default.
func WithPageSize(n int64) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) {
		if n > 0 {
			o.pageSize = n
		}
	})
}

// WithListParallelism sets how many kinds are listed at the same time. The default is 4;
// n < 1 keeps the default.
func WithListParallelism(n int) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) {
		if n >= 1 {
			o.parallelism = n
		}
	})
}

// WithRequestTimeout bounds each list request (one page of one kind): a request the server
// has not answered in full within d fails, and counts as a transient failure (see
// WithRetries). The default is 60 seconds; d <= 0 keeps the default. A rest.Config's own
// Timeout, when set, also applies.
func WithRequestTimeout(d time.Duration) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) {
		if d > 0 {
			o.requestTimeout = d
		}
	})
}

// WithRetries sets how many times a list request that failed transiently is retried before
// the kind is given up as Failed. Transient failures are the answers 429 (Too Many
// Requests), 500, 502, 503 and 504, and requests that hit the request timeout
// (WithRequestTimeout). Retries wait 0.5 s, then twice as long each time (up to 8 s), or
// longer when the server's answer asks for a longer delay. client-go's REST client already
// retries, by itself, answers that carry a Retry-After header; these retries come on top.
//
// FromConfig and FromKubeconfig retry 3 times by default. FromClientset retries only when
// given this option: the clientset is the caller's, with the caller's policy. n < 0 means 0.
func WithRetries(n int) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) { o.retries = max(n, 0) })
}

// WithMetadataClient lists Secrets through mc, as metadata only, so that secret values do
// not reach this process (but for values kubectl apply copied into the last-applied-configuration
// annotation, which is metadata: the loader drops that annotation on arrival). FromConfig
// sets one itself. Without one, Secrets are listed with the typed client and their values are
// dropped as each page arrives.
func WithMetadataClient(mc metadata.Interface) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) { o.metadata = mc })
}

// WithKinds lists only the given built-in kinds. The other built-in kinds get the coverage
// state Absent with the reason "not requested", so checks that need them are not evaluated;
// so do the OtherNetworkPolicyKinds not given, whose discovery is skipped (those given are
// not listed either, but the server's discovery is asked whether it serves them, as when
// every kind is listed). Calling it with no kinds lists every kind. A kind that is neither
// built in (see BuiltinKinds) nor one of OtherNetworkPolicyKinds makes the loader return an
// error.
func WithKinds(kinds ...schema.GroupKind) ClusterOption {
	kinds = append([]schema.GroupKind(nil), kinds...)
	return clusterOptionFunc(func(o *clusterOptions) { o.kinds = kinds })
}

// WithRelistBackoff sets how long a Watch waits before it lists a kind again after a list or
// a watch failed: min the first time, doubling up to max (client-go's reflector defaults:
// 0.8 s, up to 30 s). A kind that became forbidden is noticed again as readable at most max
// after it is. FromClientset ignores it.
func WithRelistBackoff(min, max time.Duration) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) {
		if min > 0 && max >= min {
			o.relistMin, o.relistMax = min, max
		}
	})
}

// withSource records the cluster's address as the inventory's source.
func withSource(s string) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) { o.source = s })
}

// WithSourceName records name as the inventory's source (Inventory.Sources, and the
// report's inventory sources) instead of the cluster's address, which FromConfig and
// FromKubeconfig record by default and FromClientset cannot know. A tool that scans several
// clusters names each one, e.g. by its kubeconfig context. An empty name keeps the default.
func WithSourceName(name string) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) { o.sourceName = name })
}

// WithKubeletConfigz also reads each node's live kubelet configuration through the API
// server's node proxy (GET /api/v1/nodes/NAME/proxy/configz), at most concurrency nodes at a
// time (4 when concurrency < 1), as KubeletConfiguration objects (see FetchKubeletConfigs).
// It needs get on nodes/proxy, which also lets the holder reach the kubelet API: grant it only
// to a scanner that needs the kubelet controls. The coverage of KubeletConfiguration records
// whether every node answered.
func WithKubeletConfigz(concurrency int) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) {
		if concurrency < 1 {
			concurrency = 4
		}
		o.kubeletConfigz = concurrency
	})
}

// FromKubeconfig loads the inventory from the cluster a kubeconfig points at. An empty path
// uses the usual loading rules ($KUBECONFIG, else ~/.kube/config); an empty contextName uses
// the kubeconfig's current context. When no kubeconfig exists and the process runs inside a
// cluster (KUBERNETES_SERVICE_HOST is set and a service account token is mounted), the
// in-cluster configuration is used. When there is neither, or when the kubeconfig names no
// cluster to use (it is empty, has no contexts or no current context, or its context's
// cluster has no server), the error wraps ErrNoKubeconfig and says what is missing, naming
// the file. A kubeconfig file is read up to 32 MiB, and the read stops when ctx is done.
func FromKubeconfig(ctx context.Context, path, contextName string, opts ...ClusterOption) (*Inventory, error) {
	cfg, err := kubeconfig(ctx, path, contextName)
	if err != nil {
		return nil, err
	}
	return FromConfig(ctx, cfg, opts...)
}

// FromConfig loads the inventory from the cluster cfg points at. It builds a clientset and
// a metadata client (so Secrets are read as metadata only) sharing one HTTP client, and
// records cfg.Host as the inventory's source. Unless cfg says otherwise, built-in kinds are
// read as protobuf. When cfg sets no rate limit (QPS and
// RateLimiter unset), it allows 50 requests per second with bursts of 100 instead of
// client-go's 5. Transiently failed list requests are retried 3 times unless WithRetries
// says otherwise. When cfg sets no warning handler, the warnings the API server sends with
// its answers (a deprecated API version, say) are the inventory's warnings (each once), not
// lines client-go logs on standard error. cfg is not modified.
func FromConfig(ctx context.Context, cfg *rest.Config, opts ...ClusterOption) (*Inventory, error) {
	warnings := &serverWarnings{}
	cs, mc, host, err := clientsFor(cfg, warnings)
	if err != nil {
		return nil, err
	}
	// The caller's options come last, so their WithMetadataClient wins.
	all := append([]ClusterOption{WithMetadataClient(mc), withSecretTables(cs.CoreV1().RESTClient()),
		withSource(host), WithRetries(defaultConfigRetries), withServerWarnings(warnings)}, opts...)
	return FromClientset(ctx, cs, all...)
}

// clientsFor returns a clientset and a metadata client for the cluster cfg points at, sharing
// one HTTP client, and the cluster's address. Unless cfg says otherwise, built-in kinds are
// read as protobuf, and the rate limit is 50 requests per second with bursts of 100. cfg is
// not modified. When warnings is not nil and cfg sets no warning handler, the API server's
// warnings go to warnings.
func clientsFor(cfg *rest.Config, warnings *serverWarnings) (*kubernetes.Clientset, metadata.Interface, string, error) {
	if cfg == nil {
		return nil, nil, "", errors.New("inventory: nil rest.Config")
	}
	c := rest.CopyConfig(cfg)
	if c.ContentType == "" && c.AcceptContentTypes == "" {
		// Built-in kinds in protobuf: several times less to decode and to hold while decoding
		// than JSON, which matters at 100,000 objects. JSON stays acceptable as a fallback.
		c.ContentType = "application/vnd.kubernetes.protobuf"
		c.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	}
	if c.WarningHandler == nil && c.WarningHandlerWithContext == nil {
		c.WarningHandlerWithContext = warnings
		if warnings == nil {
			c.WarningHandlerWithContext = &serverWarnings{log: func(s string) { logServerWarning(s) }}
		}
	}
	if c.QPS == 0 && c.RateLimiter == nil {
		c.QPS, c.Burst = defaultQPS, defaultBurst
		c.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(c.QPS, c.Burst)
	}
	hc, err := rest.HTTPClientFor(c)
	if err != nil {
		return nil, nil, "", fmt.Errorf("inventory: HTTP client for %s: %w", c.Host, err)
	}
	cs, err := kubernetes.NewForConfigAndClient(c, hc)
	if err != nil {
		return nil, nil, "", fmt.Errorf("inventory: clientset for %s: %w", c.Host, err)
	}
	mc, err := metadata.NewForConfigAndClient(c, hc)
	if err != nil {
		return nil, nil, "", fmt.Errorf("inventory: metadata client for %s: %w", c.Host, err)
	}
	return cs, mc, c.Host, nil
}

// where names the cluster for messages.
func (o *clusterOptions) where() string {
	switch {
	case o.source != "" && o.sourceName != "":
		return "the API server at " + o.source + " (" + o.sourceName + ")"
	case o.source != "":
		return "the API server at " + o.source
	case o.sourceName != "":
		return "the API server of " + o.sourceName
	}
	return "the API server"
}

// FromClientset loads the inventory in ModeCluster by listing every built-in kind (see
// BuiltinKinds, or the kinds given with WithKinds) from the cluster cs talks to.
//
// Kinds are listed concurrently (WithListParallelism) and in pages (WithPageSize), following
// continue tokens. When the server expires a continue token part way through (410 Gone), the
// kind is listed again from the beginning, up to 3 times in all, so that each kind is one
// consistent list; a kind that cannot be listed whole keeps none of its objects. Each list
// request is bounded by WithRequestTimeout (60 seconds by default); with WithRetries,
// requests that fail transiently (429, 5xx, timeouts) are retried with backoff.
//
// The network policy kinds of CNI plugins and of the Network Policy API
// (OtherNetworkPolicyKinds) are not listed, but the server's discovery is asked whether it
// serves them, so that their Coverage tells "the cluster has none" (NotServed) from "not
// read" (Absent, with the reason).
//
// Each kind's Coverage records the outcome: Listed; Forbidden (the server refused; Reason is
// its message); NotServed (the server answered 404 and its discovery confirms it serves the
// kind in no version); or Failed (anything else, including a kind served only at a version
// the inventory does not read). Forbidden and Failed kinds are also reported by
// Inventory.Errors as *ListError. The load goes on past them.
//
// FromClientset returns an error only when ctx ends, when the first list shows the server
// cannot be reached or rejects the credentials (401), or when no kind at all could be
// listed: an inventory that saw nothing would only produce "not evaluated" results.
//
// Secrets never carry values. FromConfig lists them as server-side Tables (what kubectl get
// prints: name, type, number of keys) with each row's metadata, so they hold their ObjectMeta
// and Type; with only a metadata client (WithMetadataClient), as PartialObjectMetadata, so
// their Type is empty (unknown); without one they are listed typed and Data and StringData are dropped
// as each page arrives. Either way kubectl's last-applied-configuration annotation, which
// repeats the values, is removed. The managedFields of every object are dropped: they are
// server bookkeeping and a large share of each object's memory; a Secret keeps, of each
// entry, the manager, operation, time and the top-level fields it owns ({"f:data":{}}, not
// the names of the keys), which tell when its data was last written.
//
// Objects listed from the API have an empty Source.
func FromClientset(ctx context.Context, cs kubernetes.Interface, opts ...ClusterOption) (*Inventory, error) {
	o, kinds, skipped, err := clusterSetup(cs, clusterOptions{pageSize: defaultPageSize,
		parallelism: defaultListParallelism, requestTimeout: defaultRequestTimeout}, opts)
	if err != nil {
		return nil, err
	}
	l := &clusterLoader{cs: cs, md: o.metadata, tables: o.secretTables, pageSize: o.pageSize, parallelism: o.parallelism,
		requestTimeout: o.requestTimeout, retries: o.retries, b: NewBuilder(ModeCluster)}
	l.begin(&o, skipped)
	if err := l.load(ctx, kinds, o.where()); err != nil {
		return nil, err
	}
	if o.kubeletConfigz > 0 {
		l.loadKubeletConfigs(ctx, o.kubeletConfigz)
	}
	if o.defaultNamespace {
		l.b.setDefaultNamespaceListing(l.listDefaultNamespace(ctx))
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("inventory: list from %s: %w", o.where(), err)
		}
	}
	l.end(ctx, &o)
	return l.b.Build(), nil
}

// clusterSetup checks cs and applies opts over defaults, and returns the options with the
// built-in kinds to list and those left out (see WithKinds).
func clusterSetup(cs kubernetes.Interface, defaults clusterOptions, opts []ClusterOption) (clusterOptions, []KindInfo, []KindInfo, error) {
	if cs == nil {
		return defaults, nil, nil, errors.New("inventory: nil clientset")
	}
	o := defaults
	for _, opt := range opts {
		if opt != nil {
			opt.applyCluster(&o)
		}
	}
	kinds, skipped, err := selectKinds(o.kinds)
	return o, kinds, skipped, err
}

// begin records, before the kinds are listed, the inventory's source and the kinds left out.
func (l *clusterLoader) begin(o *clusterOptions, skipped []KindInfo) {
	if src := cmp.Or(o.sourceName, o.source); src != "" {
		l.b.AddSource(src)
	}
	for _, k := range skipped {
		l.b.SetCoverage(Coverage{Group: k.Group, Kind: k.Kind, State: Absent, Reason: reasonNotRequested})
	}
}

// end records, once the kinds are listed, the coverage of OtherNetworkPolicyKinds and the
// server's version.
func (l *clusterLoader) end(ctx context.Context, o *clusterOptions) {
	l.discoverOtherNetworkPolicyKinds(ctx, o.kinds)
	if o.serverWarnings != nil {
		for _, w := range o.serverWarnings.warnings() {
			l.b.AddWarning(w)
		}
	}
	// The version decides which Pod Security policies "latest" means there. Not knowing it is
	// not an error: checks then use the newest policies.
	if info, err := l.cs.Discovery().ServerVersion(); err == nil && validServerVersion(info.GitVersion) {
		l.b.SetServerVersion(info.GitVersion)
	}
}

// loadKubeletConfigs adds the live kubelet configuration of every listed Node and records the
// coverage of KubeletConfiguration: Listed when every node answered, else the state of the
// first failure (Forbidden for a missing nodes/proxy permission) with the reason.
func (l *clusterLoader) loadKubeletConfigs(ctx context.Context, concurrency int) {
	gk := KindKubeletConfiguration
	nodeCov, listed := l.b.coverage[KindNode]
	if !listed || nodeCov.State != Listed {
		l.b.SetCoverage(Coverage{Group: gk.Group, Kind: gk.Kind, State: Failed,
			Reason: "nodes could not be listed, so no kubelet was asked for its configuration"})
		return
	}
	var nodes []string
	l.b.mu.Lock()
	for _, o := range l.b.objects {
		if o.GroupKind() == KindNode {
			nodes = append(nodes, o.Name())
		}
	}
	l.b.mu.Unlock()
	slices.Sort(nodes)
	objs, errs := FetchKubeletConfigs(ctx, l.cs, nodes, concurrency)
	for _, obj := range objs {
		if err := l.b.Add(obj, Source{}); err != nil {
			errs = append(errs, err)
		}
	}
	cov := Coverage{Group: gk.Group, Kind: gk.Kind, State: Listed}
	if len(errs) > 0 {
		cov.State = Failed
		if apierrors.IsForbidden(errs[0]) {
			cov.State = Forbidden
		}
		cov.Reason = fmt.Sprintf("%d of %d nodes did not return their kubelet configuration: %v", len(errs), len(nodes), errs[0])
	}
	for _, err := range errs {
		l.b.AddError(&ListError{Kind: gk, State: cov.State, Err: err})
	}
	l.b.SetCoverage(cov)
}

// selectKinds returns the built-in kinds to list, in BuiltinKinds order, and those left out.
func selectKinds(want []schema.GroupKind) (list, skipped []KindInfo, err error) {
	if len(want) == 0 {
		return BuiltinKinds(), nil, nil
	}
	wanted := make(map[schema.GroupKind]bool, len(want))
	for _, gk := range want {
		if _, ok := LookupKind(gk); !ok && !isOtherNetworkPolicyKind(gk) {
			return nil, nil, fmt.Errorf("inventory: WithKinds: %s is not a built-in kind", gk)
		}
		wanted[gk] = true
	}
	for _, k := range builtinKinds {
		if wanted[k.GroupKind()] {
			list = append(list, k)
		} else {
			skipped = append(skipped, k)
		}
	}
	return list, skipped, nil
}

// clusterLoader lists kinds from one cluster into a Builder. Each unit of work (today, one
// kind) runs as a task in one bounded group, so later per-node fetches can join the group.
type clusterLoader struct {
	cs             kubernetes.Interface
	md             metadata.Interface
	tables         rest.Interface // lists Secrets as Tables (metadata and type); nil: not used
	pageSize       int64
	parallelism    int
	requestTimeout time.Duration
	retries        int
	b              *Builder
	disc           discoveryCache
}

// kindOutcome is how listing one kind ended.
type kindOutcome struct {
	state State
	err   error
	// errs are the errors to report from Inventory.Errors. load adds them in kind order, so
	// that the order does not depend on which list finished first.
	errs []error
}

// load lists kinds into l.b. The first kind is listed alone, as a probe: when the server
// cannot be reached or rejects the credentials, load stops there rather than waiting for
// every kind to fail.
func (l *clusterLoader) load(ctx context.Context, kinds []KindInfo, where string) error {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]kindOutcome, len(kinds))
	out[0] = l.loadKind(ctx, kinds[0])
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("inventory: list from %s: %w", where, err)
	}
	if err := out[0].err; err != nil {
		if apierrors.IsUnauthorized(err) {
			return fmt.Errorf("inventory: %s rejected the credentials: %w", where, err)
		}
		if unreachable(err) {
			return fmt.Errorf("inventory: cannot reach %s: %w", where, err)
		}
	}
	var g errgroup.Group
	g.SetLimit(l.parallelism)
	for i := 1; i < len(kinds); i++ {
		g.Go(func() error {
			out[i] = l.loadKind(ctx, kinds[i])
			return nil
		})
	}
	_ = g.Wait() // tasks report through out, never through the group
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("inventory: list from %s: %w", where, err)
	}
	for _, r := range out {
		for _, err := range r.errs {
			l.b.AddError(err)
		}
	}
	var firstErr error
	for _, r := range out {
		switch r.state {
		case Listed, Forbidden, NotServed:
			return nil
		}
		if firstErr == nil {
			firstErr = r.err
		}
	}
	return fmt.Errorf("inventory: no kind could be listed from %s: %w", where, firstErr)
}

// loadKind lists one kind completely, adds its objects and records its coverage.
func (l *clusterLoader) loadKind(ctx context.Context, k KindInfo) kindOutcome {
	gk := k.GroupKind()
	objs, err := l.listAll(ctx, l.pager(k))
	if err == nil {
		var errs []error
		for _, obj := range objs {
			// Items of a typed list carry no TypeMeta; setting it here spares Add the lookup.
			obj.GetObjectKind().SetGroupVersionKind(k.GroupVersionKind)
			if err := l.b.Add(obj, Source{}); err != nil {
				errs = append(errs, &ListError{Kind: gk, State: Listed, Err: err})
			}
		}
		l.b.SetCoverage(Coverage{Group: gk.Group, Kind: gk.Kind, State: Listed})
		return kindOutcome{state: Listed, errs: errs}
	}
	if ctx.Err() != nil {
		return kindOutcome{state: Failed, err: err} // load reports the context's error
	}
	state, reason := Failed, err.Error()
	switch {
	case apierrors.IsForbidden(err):
		state = Forbidden
	case apierrors.IsNotFound(err):
		state, reason, err = l.notFound(ctx, k, err)
	}
	l.b.SetCoverage(Coverage{Group: gk.Group, Kind: gk.Kind, State: state, Reason: reason})
	out := kindOutcome{state: state, err: err}
	if state != NotServed { // a kind the server does not serve is a fact, not a failure
		out.errs = []error{&ListError{Kind: gk, State: state, Err: err}}
	}
	return out
}

// pageFunc lists one page, appends its items to dst and returns the continue token.
type pageFunc func(ctx context.Context, opts metav1.ListOptions, dst []runtime.Object) ([]runtime.Object, string, error)

func (l *clusterLoader) pager(k KindInfo) pageFunc {
	if k.GroupKind() == KindSecret {
		if p := secretPager(l.tables, l.md, k.GroupVersionResource()); p != nil {
			return p
		}
	}
	return typedPages(l.cs, k.GroupKind())
}

// listAll lists every page of one kind. When the server expires the continue token, the
// list starts over (maxListAttempts in all) rather than mixing pages from two snapshots.
func (l *clusterLoader) listAll(ctx context.Context, list pageFunc) ([]runtime.Object, error) {
	return l.listAllMax(ctx, list, 0)
}

// errTooMany is the error of listAllMax when the kind has more objects than it keeps.
var errTooMany = errors.New("too many objects")

// listAllMax is listAll keeping at most limit objects (0: no bound): past limit, it stops listing
// and returns the first pages, with an error wrapping errTooMany.
func (l *clusterLoader) listAllMax(ctx context.Context, list pageFunc, limit int) ([]runtime.Object, error) {
	if list == nil {
		return nil, errors.New("no lister for the kind")
	}
	for attempt := 1; ; attempt++ {
		objs, err := l.listPages(ctx, list, limit)
		if err == nil || errors.Is(err, errTooMany) {
			return objs, err
		}
		if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			return nil, err
		}
		if attempt == maxListAttempts {
			return nil, fmt.Errorf("listed %d times, and each time the server expired the continue token: %w",
				maxListAttempts, err)
		}
	}
}

func (l *clusterLoader) listPages(ctx context.Context, list pageFunc, limit int) ([]runtime.Object, error) {
	opts := metav1.ListOptions{Limit: l.pageSize}
	var objs []runtime.Object
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var cont string
		var err error
		objs, cont, err = l.page(ctx, list, opts, objs)
		if err != nil {
			return nil, err
		}
		if limit > 0 && len(objs) > limit {
			return objs[:limit:limit], fmt.Errorf("%w: more than %d, the first %d kept", errTooMany, limit, limit)
		}
		if cont == "" {
			return objs, nil
		}
		if cont == opts.Continue {
			return nil, fmt.Errorf("the server returned the continue token %q twice", cont)
		}
		opts.Continue = cont
	}
}

// page lists one page within the request timeout, retrying transient failures (up to
// l.retries times) with backoff.
func (l *clusterLoader) page(ctx context.Context, list pageFunc, opts metav1.ListOptions, dst []runtime.Object) ([]runtime.Object, string, error) {
	for attempt := 0; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, l.requestTimeout)
		out, cont, err := list(pctx, opts, dst)
		timedOut := err != nil && ctx.Err() == nil && errors.Is(pctx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil {
			return out, cont, nil
		}
		// A failed page adds nothing: dst, as passed, is what the next attempt extends.
		if timedOut {
			err = fmt.Errorf("no complete answer within %s: %w", l.requestTimeout, err)
		}
		if attempt >= l.retries || ctx.Err() != nil || !(timedOut || transientStatus(err)) {
			if attempt > 0 {
				err = fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
			}
			return dst, "", err
		}
		wait := min(retryBaseDelay<<min(attempt, 6), retryMaxDelay)
		if s, ok := apierrors.SuggestsClientDelay(err); ok {
			wait = max(wait, min(time.Duration(s)*time.Second, retryMaxServerDelay))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return dst, "", ctx.Err()
		case <-t.C:
		}
	}
}

// transientStatus reports whether err is an answer that says "try again later": 429, or a
// 500, 502, 503 or 504 server error.
func transientStatus(err error) bool {
	var s apierrors.APIStatus
	if !errors.As(err, &s) {
		return false
	}
	switch s.Status().Code {
	case 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// listPages adapts a typed client's List. Each item is taken by address, so the list
// response itself is not kept; managedFields are dropped at once.
func listPages[L interface{ GetContinue() string }, T any, PT interface {
	*T
	runtime.Object
	metav1.Object
}](list func(context.Context, metav1.ListOptions) (L, error), items func(L) []T) pageFunc {
	return func(ctx context.Context, opts metav1.ListOptions, dst []runtime.Object) ([]runtime.Object, string, error) {
		l, err := list(ctx, opts)
		if err != nil {
			return dst, "", err
		}
		its := items(l)
		for i := range its {
			p := PT(&its[i])
			if _, secret := any(p).(*corev1.Secret); !secret { // scrubSecrets reduced a Secret's
				p.SetManagedFields(nil)
			}
			dst = append(dst, p)
		}
		return dst, l.GetContinue(), nil
	}
}

// metadataSecretPages lists Secrets as PartialObjectMetadata: the values never leave the
// server. The metadata API has no type field, so the Secrets' Type is empty.
func metadataSecretPages(mc metadata.Interface, gvr schema.GroupVersionResource) pageFunc {
	return func(ctx context.Context, opts metav1.ListOptions, dst []runtime.Object) ([]runtime.Object, string, error) {
		l, err := mc.Resource(gvr).List(ctx, opts)
		if err != nil {
			return dst, "", err
		}
		secrets := make([]corev1.Secret, len(l.Items))
		for i := range l.Items {
			s := &secrets[i]
			s.ObjectMeta = l.Items[i].ObjectMeta
			scrubSecretMeta(&s.ObjectMeta)
			dst = append(dst, s)
		}
		return dst, l.Continue, nil
	}
}

// scrubSecrets drops every value from a typed Secret list before its items are used.
func scrubSecrets(l *corev1.SecretList) []corev1.Secret {
	for i := range l.Items {
		scrubSecret(&l.Items[i])
	}
	return l.Items
}

// scrubSecret drops a typed Secret's values, and what of its metadata could hold or repeat
// them (scrubSecretMeta).
func scrubSecret(s *corev1.Secret) {
	s.Data, s.StringData = nil, nil
	scrubSecretMeta(&s.ObjectMeta)
}

// scrubSecretMeta drops from a Secret's metadata what could hold or repeat its values, and
// what the checks do not need: kubectl's last-applied-configuration annotation, and the
// managedFields but for what tells when the data was last written (secretManagedFields).
func scrubSecretMeta(m *metav1.ObjectMeta) {
	dropLastApplied(m)
	m.ManagedFields = secretManagedFields(m.ManagedFields)
}

// dropLastApplied removes kubectl's last-applied-configuration annotation. It builds a new
// map rather than editing the one it was given, which a client's cache may share.
func dropLastApplied(m *metav1.ObjectMeta) {
	if _, ok := m.Annotations[lastAppliedAnnotation]; !ok {
		return
	}
	var a map[string]string
	if len(m.Annotations) > 1 {
		a = make(map[string]string, len(m.Annotations)-1)
		for k, v := range m.Annotations {
			if k != lastAppliedAnnotation {
				a[k] = v
			}
		}
	}
	m.Annotations = a
}

// unreachable reports whether err is a transport failure (no HTTP answer at all) rather
// than an answer from the server.
func unreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne)
}

// discoveryCache remembers the server's API groups and resource lists, which the loader reads
// only when a list answers 404, to tell a kind the server does not serve from other causes.
type discoveryCache struct {
	mu        sync.Mutex
	groups    *metav1.APIGroupList
	resources map[string]*metav1.APIResourceList
}

// notFound classifies a list that answered 404. The kind is NotServed only when discovery
// confirms the server serves it in no version: a 404 from something that is not an API
// server, or a kind served only at another version, must not read as "there are none".
func (l *clusterLoader) notFound(ctx context.Context, k KindInfo, listErr error) (State, string, error) {
	served, groupServed, err := l.disc.servingVersions(ctx, l.cs, k)
	if err != nil {
		e := fmt.Errorf("%w (discovery, asked to confirm, failed: %v)", listErr, err)
		return Failed, e.Error(), e
	}
	gr := schema.GroupResource{Group: k.Group, Resource: k.Resource}
	switch {
	case !groupServed:
		return NotServed, fmt.Sprintf("the server does not serve the API group %s", k.Group), listErr
	case len(served) == 0:
		return NotServed, fmt.Sprintf("the server does not serve %s in any version", gr), listErr
	case slices.Contains(served, k.Version):
		e := fmt.Errorf("%w (discovery lists %s %s)", listErr, gr, k.Version)
		return Failed, e.Error(), e
	default:
		e := fmt.Errorf("%s is served only at version %s; the inventory reads %s", gr,
			strings.Join(served, ", "), k.Version)
		return Failed, e.Error(), e
	}
}

// servingVersions returns the versions of k's group that serve k's resource, and whether the
// group is served at all.
func (d *discoveryCache) servingVersions(ctx context.Context, cs kubernetes.Interface, k KindInfo) ([]string, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dc := cs.Discovery()
	if dc == nil {
		return nil, false, errors.New("the clientset has no discovery client")
	}
	if d.groups == nil {
		groups, err := dc.ServerGroupsWithContext(ctx)
		if err != nil {
			return nil, false, err
		}
		if !slices.ContainsFunc(groups.Groups, func(g metav1.APIGroup) bool { return g.Name == "" }) {
			return nil, false, errors.New("discovery does not list the core API: is this a Kubernetes API server?")
		}
		d.groups, d.resources = groups, make(map[string]*metav1.APIResourceList)
	}
	for _, g := range d.groups.Groups {
		if g.Name != k.Group {
			continue
		}
		var served []string
		for _, v := range g.Versions {
			rl, ok := d.resources[v.GroupVersion]
			if !ok {
				var err error
				rl, err = dc.ServerResourcesForGroupVersionWithContext(ctx, v.GroupVersion)
				if err != nil && !apierrors.IsNotFound(err) {
					return nil, true, err
				}
				d.resources[v.GroupVersion] = rl
			}
			if rl == nil {
				continue
			}
			for _, r := range rl.APIResources {
				if r.Name == k.Resource {
					served = append(served, v.Version)
					break
				}
			}
		}
		return served, true, nil
	}
	return nil, false, nil
}

// validServerVersion reports whether v looks like a released Kubernetes version ("v1.N...").
func validServerVersion(v string) bool {
	rest, ok := strings.CutPrefix(v, "v1.")
	if !ok || rest == "" || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	return true
}
