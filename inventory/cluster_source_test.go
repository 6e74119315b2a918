package inventory_test

import (
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/kspm-dev/kspm/inventory"
)

// A multi-cluster tool names each cluster it loads: the name is the inventory's source,
// whether the clientset is the tool's own or built from a kubeconfig.
func TestWithSourceName(t *testing.T) {
	t.Run("clientset", func(t *testing.T) {
		inv, err := inventory.FromClientset(t.Context(), fake.NewClientset(clusterObjects(t)...),
			inventory.WithSourceName("prod-eu"))
		require.NoError(t, err)
		assert.Equal(t, []string{"prod-eu"}, inv.Sources())
	})
	t.Run("kubeconfig", func(t *testing.T) {
		t.Setenv("KUBERNETES_SERVICE_HOST", "")
		srv := httptest.NewTLSServer(newAPIServer(t, 2))
		t.Cleanup(srv.Close)
		caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		path := writeKubeconfig(t, srv.URL, srv.URL, caPEM)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		inv, err := inventory.FromKubeconfig(ctx, path, "test", inventory.WithSourceName("prod-us"), inventory.WithPageSize(2),
			inventory.WithKinds(inventory.KindNamespace))
		require.NoError(t, err)
		assert.Equal(t, []string{"prod-us"}, inv.Sources(), "the name replaces the address")
	})
}

// warningServer adds a Warning header to every answer of the API server it wraps.
type warningServer struct {
	http.Handler
	warning string
}

func (s warningServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Warning", `299 - "`+s.warning+`"`)
	w.Header().Add("Warning", `199 - "not a deprecation: ignored, as client-go ignores it"`)
	s.Handler.ServeHTTP(w, r)
}

// The warnings the API server sends are the inventory's warnings, each once, and nothing is
// logged on standard error; a handler of the caller's own is left to get them.
func TestFromConfigServerWarnings(t *testing.T) {
	const warning = "policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+"
	srv := httptest.NewTLSServer(warningServer{newAPIServer(t, 2), warning})
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	cfg := &rest.Config{Host: srv.URL, BearerToken: "scanner-token", TLSClientConfig: rest.TLSClientConfig{CAData: caPEM}}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	orig := os.Stderr
	os.Stderr = w
	inv, err := inventory.FromConfig(t.Context(), cfg, inventory.WithPageSize(2), inventory.WithKinds(inventory.KindNamespace, inventory.KindPod))
	os.Stderr = orig
	require.NoError(t, w.Close())
	printed, _ := io.ReadAll(r)
	require.NoError(t, err)
	assert.Empty(t, string(printed), "nothing on standard error")
	var got []string
	for _, e := range inv.Warnings() {
		got = append(got, e.Error())
	}
	assert.Equal(t, []string{"the API server warned: " + warning}, got)

	var mine recordingHandler
	cfg.WarningHandlerWithContext = &mine
	inv, err = inventory.FromConfig(t.Context(), cfg, inventory.WithPageSize(2), inventory.WithKinds(inventory.KindNamespace))
	require.NoError(t, err)
	assert.Empty(t, inv.Warnings())
	assert.Contains(t, mine.messages(), warning)
}

// recordingHandler is a warning handler of a program of its own.
type recordingHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (h *recordingHandler) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, msg)
}

func (h *recordingHandler) messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.msgs
}
