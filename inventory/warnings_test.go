package inventory

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// The clients of a Watch, which keeps running, log the API server's warnings: each once,
// escaped (a warning can carry a webhook's text, bidirectional overrides included), deprecation
// codes only, and no more than maxServerWarnings distinct ones.
func TestEscapedWarningLogger(t *testing.T) {
	var got []string
	l := &serverWarnings{log: func(s string) { got = append(got, s) }}
	ctx := t.Context()
	l.HandleWarningHeaderWithContext(ctx, 299, "-", "webhook says \u202eevil\x1b[31m")
	l.HandleWarningHeaderWithContext(ctx, 299, "-", "webhook says \u202eevil\x1b[31m")
	l.HandleWarningHeaderWithContext(ctx, 199, "-", "not a warning client-go shows")
	l.HandleWarningHeaderWithContext(ctx, 299, "-", "")
	assert.Equal(t, []string{`webhook says \u202eevil\x1b[31m`}, got)
	for i := range 2 * maxServerWarnings {
		l.HandleWarningHeaderWithContext(ctx, 299, "-", fmt.Sprintf("warning %d", i))
	}
	assert.Len(t, got, maxServerWarnings, "bounded")

}

// The clients of a Watch (clientsFor without a collector) log the warnings escaped, once.
func TestWatchClientsLogWarningsEscaped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Warning", "299 - \"webhook says \u202eevil\"")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[]}`)
	}))
	t.Cleanup(srv.Close)
	var got []string
	orig := logServerWarning
	logServerWarning = func(s string) { got = append(got, s) }
	t.Cleanup(func() { logServerWarning = orig })

	c := &rest.Config{Host: srv.URL}
	cs, _, _, err := clientsFor(c, nil)
	require.NoError(t, err)
	for range 3 {
		_, err = cs.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
	}
	assert.Nil(t, c.WarningHandlerWithContext, "the caller's config is not modified")
	assert.Equal(t, []string{`webhook says \u202eevil`}, got, "escaped, and once for three answers")
}

// kspm's own request for an API the server calls deprecated (v1 Endpoints, which the listing
// of namespace default reads on purpose) records no warning; the same request unmarked does.
func TestExpectedDeprecationIsNotRecorded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Warning", `299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"`)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"kind":"EndpointsList","apiVersion":"v1","metadata":{},"items":[]}`)
	}))
	t.Cleanup(srv.Close)
	w := &serverWarnings{}
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, WarningHandlerWithContext: w})
	require.NoError(t, err)
	_, err = cs.CoreV1().Endpoints("default").List(expectingDeprecation(t.Context()), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, w.warnings(), "the listing's own request")
	_, err = cs.CoreV1().Endpoints("default").List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, w.warnings(), 1, "any other request's")
}
