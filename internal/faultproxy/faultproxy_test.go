package faultproxy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResourceOf(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/api/v1/pods", "pods"},
		{"/api/v1/namespaces", "namespaces"},
		{"/api/v1/namespaces/shop", "namespaces"},
		{"/api/v1/namespaces/shop/pods", "pods"},
		{"/api/v1/namespaces/shop/pods/web/log", "pods"},
		{"/apis/apps/v1/deployments", "deployments"},
		{"/apis/apps/v1/namespaces/shop/deployments/web/scale", "deployments"},
		{"/apis/rbac.authorization.k8s.io/v1/clusterroles", "clusterroles"},
		{"/api", ""},
		{"/api/v1", ""},
		{"/apis/apps/v1", ""},
		{"/healthz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Equal(t, tt.want, ResourceOf(tt.path))
		})
	}
}

func startProxy(t *testing.T) (*Proxy, *[]string) {
	t.Helper()
	var seen []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization")+" "+r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}`)
	}))
	t.Cleanup(up.Close)
	p, err := Start(up.URL, http.DefaultTransport)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p, &seen
}

func get(t *testing.T, ctx context.Context, p *Proxy, url string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := p.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp, body
}

func TestRulesInjectThenPassThrough(t *testing.T) {
	p, seen := startProxy(t)
	p.Add(
		Rule{Resource: "pods", Pages: LaterPages, Times: 1, Fault: Expired()},
		Rule{Resource: "pods", Times: 2, Fault: TooManyRequests(1500 * time.Millisecond)},
		Rule{Resource: "secrets", Fault: ServerError(503)},
	)
	ctx := t.Context()

	resp, body := get(t, ctx, p, p.URL+"/api/v1/pods?limit=5")
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"), "rounded up to whole seconds")
	assert.Equal(t, "TooManyRequests", body["reason"])
	assert.Equal(t, map[string]any{"retryAfterSeconds": float64(2)}, body["details"])

	resp, body = get(t, ctx, p, p.URL+"/api/v1/pods?limit=5&continue=abc")
	assert.Equal(t, 410, resp.StatusCode, "the continue rule comes first")
	assert.Equal(t, "Expired", body["reason"])

	resp, _ = get(t, ctx, p, p.URL+"/api/v1/pods?limit=5")
	assert.Equal(t, 429, resp.StatusCode, "second of two")
	resp, body = get(t, ctx, p, p.URL+"/api/v1/pods?limit=5&continue=abc")
	assert.Equal(t, 200, resp.StatusCode, "both pod rules are used up: %v", body)
	assert.Equal(t, "PodList", body["kind"])

	for range 2 {
		resp, body = get(t, ctx, p, p.URL+"/api/v1/namespaces/shop/secrets")
		assert.Equal(t, 503, resp.StatusCode, "Times 0 means always")
		assert.Equal(t, "ServiceUnavailable", body["reason"])
	}
	assert.Empty(t, resp.Header.Get("Retry-After"))

	assert.Equal(t, []string{"Bearer tok /api/v1/pods?limit=5&continue=abc"}, *seen,
		"only unclaimed requests reach upstream, with the client's credentials")
	reqs := p.Requests()
	require.Len(t, reqs, 6)
	assert.Equal(t, []int{429, 410, 429, 200, 503, 503},
		[]int{reqs[0].Status, reqs[1].Status, reqs[2].Status, reqs[3].Status, reqs[4].Status, reqs[5].Status})
	assert.False(t, reqs[3].Injected)
	assert.True(t, reqs[4].Injected)
	assert.Equal(t, "abc", reqs[1].Query.Get("continue"))
	assert.Equal(t, 4, p.Count(http.MethodGet, "pods"))
	assert.Equal(t, 2, p.Count("", "secrets"))

	p.Reset()
	resp, _ = get(t, ctx, p, p.URL+"/api/v1/namespaces/shop/secrets")
	assert.Equal(t, 200, resp.StatusCode, "Reset removes the rules")
	assert.Len(t, p.Requests(), 1)
}

func TestHangUntilTheClientGivesUp(t *testing.T) {
	p, _ := startProxy(t)
	p.Add(Rule{Method: http.MethodGet, Resource: "configmaps", Fault: Hang()})
	client := p.Client()
	client.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := client.Get(p.URL + "/api/v1/configmaps")
	require.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)

	// A hung request does not keep Close waiting.
	go func() { _, _ = p.Client().Get(p.URL + "/api/v1/configmaps") }()
	require.Eventually(t, func() bool { return p.Count("", "configmaps") == 2 }, 2*time.Second, 10*time.Millisecond)
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on a hung request")
	}
	assert.Zero(t, p.Requests()[0].Status, "a hung request has no status")
}
