// Package faultproxy is a reverse proxy for tests that stands between a Kubernetes client and
// an API server and injects faults into chosen requests: error answers (429 with Retry-After,
// 5xx, 410 Expired for continue tokens) and hung connections that never answer. It also ends
// the watches it is streaming, mid-way, when a test says so (EndWatches): the connection
// broken, the stream closed as the server closes it at the watch's timeout, or a 410 Gone
// error event sent first, as the server does when the watch's resource version is too old.
//
// Rules select requests by method, verb, resource and whether they carry a continue token;
// the first matching rule with faults left decides. Requests no rule claims pass through to
// the upstream server unchanged (the client's Authorization header included). Every request
// is recorded, so tests can assert what the client asked for and how often.
package faultproxy

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is what the proxy does instead of forwarding a request. Make one with Status,
// TooManyRequests, ServerError, Expired or Hang.
type Fault struct {
	code       int
	reason     string
	message    string
	retryAfter time.Duration
	hang       bool
}

// Status answers with code and a metav1.Status body of the given reason and message, as the
// API server writes errors. A positive retryAfter adds a Retry-After header (whole seconds,
// rounded up) and details.retryAfterSeconds.
func Status(code int, reason, message string, retryAfter time.Duration) Fault {
	return Fault{code: code, reason: reason, message: message, retryAfter: retryAfter}
}

// TooManyRequests answers 429 with Retry-After, as the API server's priority and fairness
// does when it sheds load.
func TooManyRequests(retryAfter time.Duration) Fault {
	return Status(http.StatusTooManyRequests, "TooManyRequests",
		"Too many requests, please try again later.", retryAfter)
}

// ServerError answers code (500, 502, 503 or 504) without Retry-After.
func ServerError(code int) Fault {
	reason := map[int]string{500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}[code]
	return Status(code, reason, fmt.Sprintf("injected fault: %d %s", code, http.StatusText(code)), 0)
}

// Expired answers 410 Gone with reason Expired, as the API server does for a continue token
// whose snapshot etcd has compacted.
func Expired() Fault {
	return Status(http.StatusGone, "Expired",
		"The provided continue parameter is too old to display a consistent list result. "+
			"You can start a new list without the continue parameter.", 0)
}

// Hang never answers: the request stays open until the client gives up (or the proxy closes).
func Hang() Fault { return Fault{hang: true} }

// Continue selects requests by whether they carry a continue token.
type Continue int

// The Continue choices of a Rule.
const (
	// AnyPage matches every request.
	AnyPage Continue = iota
	// FirstPage matches requests without a continue token.
	FirstPage
	// LaterPages matches requests with a continue token.
	LaterPages
)

// Rule injects Fault into matching requests.
type Rule struct {
	// Method matches the HTTP method; "" matches any.
	Method string
	// Verb matches the request's Kubernetes verb as VerbOf tells it ("list", "watch",
	// "get", ...); "" matches any.
	Verb string
	// Resource matches the resource the URL names ("pods", "deployments",
	// "secrets"); "" matches any request, non-resource paths included.
	Resource string
	// Pages matches requests by continue token.
	Pages Continue
	// Times is how many matching requests get the fault; later ones pass through. 0 means
	// every one.
	Times int
	// Fault is what matching requests get.
	Fault Fault

	hits int
}

// Request is one request the proxy saw.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path, e.g. /api/v1/namespaces/shop/pods.
	Path string
	// Query is the URL's query parameters.
	Query url.Values
	// Resource is the resource the path names (pods, deployments), "" for other paths.
	Resource string
	// Verb is the request's Kubernetes verb (see VerbOf).
	Verb string
	// Status is the answer's HTTP status; 0 when the request hung or the client left.
	Status int
	// Injected reports whether a rule answered instead of the upstream server.
	Injected bool
}

// Proxy is a running fault-injecting reverse proxy on 127.0.0.1. It serves https (client-go
// sends bearer tokens read from a kubeconfig over TLS only) with a certificate of its own:
// clients trust CAData.
type Proxy struct {
	// URL is the proxy's https address, to use as a rest.Config's Host.
	URL string
	// CAData is the PEM certificate the proxy serves with, to use as a rest.Config's CAData.
	CAData []byte

	srv  *httptest.Server
	rp   *httputil.ReverseProxy
	done chan struct{}

	mu    sync.Mutex
	rules []*Rule
	log   []Request
	// resets counts the calls to Reset: a request that began before one has no entry in log
	// any more.
	resets int
	// watches are the watch streams open (see EndWatches).
	watches map[*watchStream]bool
}

// Start starts a proxy forwarding to upstream (an API server's https URL) through transport,
// which must trust the server's certificate and add no credentials of its own: the client's
// Authorization header is forwarded. Close it when done.
func Start(upstream string, transport http.RoundTripper) (*Proxy, error) {
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: upstream %q: %w", upstream, err)
	}
	p := &Proxy{done: make(chan struct{}), watches: make(map[*watchStream]bool)}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = target.Host },
		Transport:      transport,
		FlushInterval:  -1, // stream watches and long lists as they come
		ModifyResponse: p.streamWatch,
	}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	p.CAData = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw})
	return p, nil
}

// Client returns an HTTP client that trusts the proxy.
func (p *Proxy) Client() *http.Client { return p.srv.Client() }

// Close releases hung requests, then stops the proxy.
func (p *Proxy) Close() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	p.srv.CloseClientConnections()
	p.srv.Close()
}

// Add adds rules after the existing ones.
func (p *Proxy) Add(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range rules {
		r := rules[i]
		p.rules = append(p.rules, &r)
	}
}

// Reset removes every rule and forgets the requests seen.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.log = nil, nil
	p.resets++
}

// Requests returns the requests seen so far, in the order they arrived.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.log...)
}

// Count returns how many requests for resource with method ("" for any) the proxy saw.
func (p *Proxy) Count(method, resource string) int {
	n := 0
	for _, r := range p.Requests() {
		if (method == "" || r.Method == method) && r.Resource == resource {
			n++
		}
	}
	return n
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	res, verb := ResourceOf(r.URL.Path), VerbOf(r.Method, r.URL.Path, r.URL.Query())
	p.mu.Lock()
	i, resets := len(p.log), p.resets
	p.log = append(p.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Resource: res, Verb: verb})
	var fault *Fault
	for _, rule := range p.rules {
		if rule.matches(r, res, verb) {
			rule.hits++
			fault = &rule.Fault
			break
		}
	}
	p.mu.Unlock()

	sw := &statusWriter{ResponseWriter: w}
	// Deferred: a watch EndWatches breaks ends in a panic (http.ErrAbortHandler) that the
	// server recovers from.
	defer func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.resets == resets { // else Reset forgot the request (a watch outlives it)
			p.log[i].Status, p.log[i].Injected = sw.code, fault != nil
		}
	}()
	switch {
	case fault != nil:
		p.inject(sw, r, *fault)
	case verb == "watch":
		s := &watchStream{resource: res, end: make(chan WatchEnd, 1)}
		defer p.closed(s)
		// The events are read one by one (see EndWatches): not compressed. Without the
		// client's Accept-Encoding, the upstream transport asks for gzip itself and undoes it.
		r.Header.Del("Accept-Encoding")
		p.rp.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), streamKey{}, s)))
	default:
		p.rp.ServeHTTP(sw, r)
	}
}

func (rule *Rule) matches(r *http.Request, res, verb string) bool {
	if rule.Times > 0 && rule.hits >= rule.Times {
		return false
	}
	if rule.Method != "" && rule.Method != r.Method {
		return false
	}
	if rule.Verb != "" && rule.Verb != verb {
		return false
	}
	if rule.Resource != "" && rule.Resource != res {
		return false
	}
	cont := r.URL.Query().Get("continue") != ""
	switch rule.Pages {
	case FirstPage:
		return !cont
	case LaterPages:
		return cont
	}
	return true
}

func (p *Proxy) inject(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.hang {
		select {
		case <-r.Context().Done():
		case <-p.done:
		}
		return
	}
	status := map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": f.message, "reason": f.reason, "code": f.code,
	}
	if f.retryAfter > 0 {
		secs := int((f.retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		status["details"] = map[string]any{"retryAfterSeconds": secs}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.code)
	_ = json.NewEncoder(w).Encode(status)
}

// ResourceOf returns the resource an API path names: "pods" for /api/v1/pods,
// /api/v1/watch/pods and /api/v1/namespaces/shop/pods/web/log, "deployments" for
// /apis/apps/v1/deployments, "namespaces" for /api/v1/namespaces/shop. It returns "" for other
// paths (discovery, /healthz, ...).
func ResourceOf(path string) string {
	rest, _ := resourcePath(path)
	if len(rest) == 0 {
		return ""
	}
	return rest[0]
}

// resourcePath returns the segments of an API path after the group and version, from the
// resource on (the namespace and the legacy watch prefix taken out), or nil, and whether the
// path had the legacy watch prefix.
func resourcePath(path string) (rest []string, watchPrefix bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(segs) >= 3 && segs[0] == "api":
		rest = segs[2:]
	case len(segs) >= 4 && segs[0] == "apis":
		rest = segs[3:]
	default:
		return nil, false
	}
	if len(rest) >= 2 && rest[0] == "watch" {
		rest, watchPrefix = rest[1:], true
	}
	if len(rest) >= 3 && rest[0] == "namespaces" {
		rest = rest[2:]
	}
	return rest, watchPrefix
}

// VerbOf returns the Kubernetes verb of a request for a resource, as the API server's
// authorizer sees it: "watch" for a GET with watch=true (or 1) or under the legacy /watch/
// prefix, "list" for a GET of a collection, "get" for a GET of one object, and "create",
// "update", "patch", "delete" or "deletecollection" for the other methods. It returns "" for
// paths that name no resource.
func VerbOf(method, path string, query url.Values) string {
	rest, watchPrefix := resourcePath(path)
	if len(rest) == 0 {
		return ""
	}
	named := len(rest) >= 2
	switch method {
	case http.MethodGet, http.MethodHead:
		switch w := query.Get("watch"); {
		case watchPrefix || w == "true" || w == "1":
			return "watch"
		case named:
			return "get"
		}
		return "list"
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		if named {
			return "delete"
		}
		return "deletecollection"
	}
	return strings.ToLower(method)
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush lets the reverse proxy stream.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
