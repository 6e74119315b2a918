package faultproxy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

func TestVerbOf(t *testing.T) {
	tests := []struct {
		method, path, query, want string
	}{
		{http.MethodGet, "/api/v1/pods", "", "list"},
		{http.MethodGet, "/api/v1/pods", "watch=true&resourceVersion=5", "watch"},
		{http.MethodGet, "/api/v1/pods", "watch=1", "watch"},
		{http.MethodGet, "/api/v1/pods", "watch=false", "list"},
		{http.MethodGet, "/api/v1/watch/namespaces/shop/pods", "", "watch"},
		{http.MethodGet, "/api/v1/namespaces/watch/pods", "", "list"},
		{http.MethodGet, "/api/v1/namespaces/shop/pods/web", "", "get"},
		{http.MethodGet, "/api/v1/namespaces/shop", "", "get"},
		{http.MethodGet, "/api/v1/namespaces", "", "list"},
		{http.MethodGet, "/apis/apps/v1/namespaces/shop/deployments", "watch=true", "watch"},
		{http.MethodPost, "/api/v1/namespaces/shop/pods", "", "create"},
		{http.MethodPut, "/api/v1/namespaces/shop/pods/web", "", "update"},
		{http.MethodPatch, "/api/v1/namespaces/shop/pods/web", "", "patch"},
		{http.MethodDelete, "/api/v1/namespaces/shop/pods/web", "", "delete"},
		{http.MethodDelete, "/api/v1/namespaces/shop/pods", "", "deletecollection"},
		{http.MethodGet, "/apis/apps/v1", "", ""},
		{http.MethodGet, "/healthz", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+"?"+tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			assert.Equal(t, tt.want, VerbOf(tt.method, tt.path, q))
		})
	}
	assert.Equal(t, "pods", ResourceOf("/api/v1/watch/namespaces/shop/pods"))
}

// watchUpstream is an API server stand-in that answers every watch of pods with one ADDED
// event per pod named, encoded as the client asked (JSON or protobuf, as the API server
// encodes watch events; gzipped when the client accepts it, as the API server compresses
// responses), then keeps the stream open until the client or the proxy leaves; every list
// with an empty PodList.
func watchUpstream(t *testing.T, names ...string) *httptest.Server {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("watch") != "true" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}`)
			return
		}
		mediaType := "application/json"
		if strings.Contains(r.Header.Get("Accept"), "protobuf") {
			mediaType = "application/vnd.kubernetes.protobuf"
		}
		info, ok := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), mediaType)
		if !ok {
			http.Error(w, "no serializer", http.StatusInternalServerError)
			return
		}
		contentType := mediaType
		if mediaType != "application/json" {
			contentType += ";stream=watch"
		}
		w.Header().Set("Content-Type", contentType)
		var out io.Writer = w
		flush := w.(http.Flusher).Flush
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			defer zw.Close()
			out, flush = zw, func() { _ = zw.Flush(); w.(http.Flusher).Flush() }
		}
		w.WriteHeader(http.StatusOK)
		fw := info.StreamSerializer.Framer.NewFrameWriter(out)
		embedded := scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion)
		for i, name := range names {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", ResourceVersion: string(rune('2' + i))}}
			raw, err := runtime.Encode(embedded, pod)
			if !assert.NoError(t, err) {
				return
			}
			ev := &metav1.WatchEvent{Type: string(watch.Added), Object: runtime.RawExtension{Raw: raw}}
			if !assert.NoError(t, info.StreamSerializer.Serializer.Encode(ev, fw)) {
				return
			}
		}
		flush()
		<-r.Context().Done()
	}))
	t.Cleanup(up.Close)
	return up
}

func proxyTo(t *testing.T, up *httptest.Server) *Proxy {
	t.Helper()
	p, err := Start(up.URL, http.DefaultTransport)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

// clientset returns a clientset that talks to the proxy in JSON or in protobuf.
func clientset(t *testing.T, p *Proxy, protobuf bool) kubernetes.Interface {
	t.Helper()
	cfg := &rest.Config{Host: p.URL, TLSClientConfig: rest.TLSClientConfig{CAData: p.CAData}}
	if protobuf {
		cfg.ContentType = "application/vnd.kubernetes.protobuf"
		cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	}
	cs, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	return cs
}

func nextEvent(t *testing.T, w watch.Interface) (watch.Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		return ev, ok
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no watch event")
	}
	return watch.Event{}, false
}

func TestEndWatchesGone(t *testing.T) {
	for _, protobuf := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "protobuf"}[protobuf], func(t *testing.T) {
			p := proxyTo(t, watchUpstream(t, "web", "api"))
			cs := clientset(t, p, protobuf)
			w, err := cs.CoreV1().Pods("shop").Watch(t.Context(), metav1.ListOptions{ResourceVersion: "1"})
			require.NoError(t, err)
			defer w.Stop()
			for _, name := range []string{"web", "api"} {
				ev, ok := nextEvent(t, w)
				require.True(t, ok)
				require.Equal(t, watch.Added, ev.Type, "%+v", ev.Object)
				assert.Equal(t, name, ev.Object.(*corev1.Pod).Name, "the upstream's events pass whole")
			}
			require.Eventually(t, func() bool { return p.OpenWatches("pods") == 1 }, 5*time.Second, 10*time.Millisecond)
			assert.Zero(t, p.OpenWatches("deployments"))

			assert.Zero(t, p.EndWatches("deployments", Gone), "another resource's watches stay")
			assert.Equal(t, 1, p.EndWatches("pods", Gone))
			ev, ok := nextEvent(t, w)
			require.True(t, ok)
			require.Equal(t, watch.Error, ev.Type)
			err = apierrors.FromObject(ev.Object)
			assert.True(t, apierrors.IsResourceExpired(err), "a 410 Expired, as client-go's reflector reads it: %v", err)
			assert.Equal(t, int32(http.StatusGone), ev.Object.(*metav1.Status).Code)
			_, ok = nextEvent(t, w)
			assert.False(t, ok, "the stream ends after the error")
			assert.Zero(t, p.OpenWatches(""))
			assert.Zero(t, p.EndWatches("pods", Gone), "nothing open is left to end")

			reqs := p.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "watch", reqs[0].Verb)
			assert.Equal(t, http.StatusOK, reqs[0].Status)
		})
	}
}

// rawWatch watches pods through the proxy with a plain HTTP client and returns the response,
// its body read line by line (the upstream writes JSON events one per line).
func rawWatch(t *testing.T, p *Proxy) (*http.Response, *bufio.Reader) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.URL+"/api/v1/namespaces/shop/pods?watch=true", nil)
	require.NoError(t, err)
	resp, err := p.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	mediaType, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "application/json", mediaType)
	return resp, bufio.NewReader(resp.Body)
}

func TestEndWatchesResetAndTimeout(t *testing.T) {
	t.Run("reset breaks the connection", func(t *testing.T) {
		p := proxyTo(t, watchUpstream(t, "web"))
		_, body := rawWatch(t, p)
		line, err := body.ReadString('\n')
		require.NoError(t, err)
		assert.Contains(t, line, `"type":"ADDED"`)
		require.Eventually(t, func() bool { return p.OpenWatches("pods") == 1 }, 5*time.Second, 10*time.Millisecond)
		assert.Equal(t, 1, p.EndWatches("pods", Reset))
		rest, err := io.ReadAll(body)
		assert.Error(t, err, "the response does not end cleanly")
		assert.NotErrorIs(t, err, io.EOF)
		assert.NotContains(t, string(rest), "type", "no other event")
	})
	t.Run("timeout ends the response cleanly", func(t *testing.T) {
		p := proxyTo(t, watchUpstream(t, "web", "api"))
		_, body := rawWatch(t, p)
		for range 2 {
			line, err := body.ReadString('\n')
			require.NoError(t, err)
			assert.Contains(t, line, `"type":"ADDED"`, "one event a line, as the API server writes them")
		}
		require.Eventually(t, func() bool { return p.OpenWatches("") == 1 }, 5*time.Second, 10*time.Millisecond)
		assert.Equal(t, 1, p.EndWatches("", Timeout))
		rest, err := io.ReadAll(body)
		require.NoError(t, err, "a clean end")
		assert.Empty(t, rest)
	})
	t.Run("a refused watch is no stream", func(t *testing.T) {
		p := proxyTo(t, watchUpstream(t))
		p.Add(Rule{Verb: "watch", Resource: "pods", Times: 1, Fault: Status(http.StatusForbidden, "Forbidden", "no", 0)})
		_, err := clientset(t, p, false).CoreV1().Pods("shop").Watch(t.Context(), metav1.ListOptions{})
		require.Error(t, err)
		assert.True(t, apierrors.IsForbidden(err), "%v", err)
		assert.Zero(t, p.OpenWatches(""))
		// The rule matched the watch only: a list passes.
		_, err = clientset(t, p, false).CoreV1().Pods("shop").List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
		assert.Equal(t, []string{"watch", "list"}, []string{p.Requests()[0].Verb, p.Requests()[1].Verb})
	})
}

func TestResetWhileWatching(t *testing.T) {
	p := proxyTo(t, watchUpstream(t, "web"))
	var serverLog lockedBuffer
	p.srv.Config.ErrorLog = log.New(&serverLog, "", 0)
	w, err := clientset(t, p, false).CoreV1().Pods("shop").Watch(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	_, ok := nextEvent(t, w)
	require.True(t, ok)
	p.Reset() // forgets the watch's request while it is open
	p.Add(Rule{Verb: "list", Fault: ServerError(http.StatusServiceUnavailable)})
	require.Equal(t, 1, p.EndWatches("pods", Timeout))
	_, ok = nextEvent(t, w)
	assert.False(t, ok)
	time.Sleep(100 * time.Millisecond) // the watch's request is done

	// The proxy still answers, and records the requests since Reset only.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err = clientset(t, p, false).CoreV1().Pods("shop").List(ctx, metav1.ListOptions{})
	require.Error(t, err)
	reqs := p.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "list", reqs[0].Verb)
	assert.Equal(t, http.StatusServiceUnavailable, reqs[0].Status, "the watch's end does not overwrite another request's entry")
	assert.True(t, reqs[0].Injected)
	assert.Empty(t, serverLog.String(), "no handler panicked")
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
