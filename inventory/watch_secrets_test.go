package inventory

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	metadatafake "k8s.io/client-go/metadata/fake"
	"k8s.io/client-go/rest"
)

// tableServer answers lists of Secrets (of every namespace, or of one, selected by
// metadata.name) as Tables with each row's metadata and the Type column, as an API server
// does, from secrets; it counts the lists of one namespace. It refuses gets, as the API server
// does for a user allowed to list and watch Secrets only (a monitor's least-privilege role).
type tableServer struct {
	mu      sync.Mutex
	secrets map[string]corev1.SecretType // by namespace/name
	uids    map[string]string
	reads   int
}

func (s *tableServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	table := metav1.Table{TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "Table"},
		ListMeta:          metav1.ListMeta{ResourceVersion: "1"},
		ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Type"}}}
	row := func(key string) {
		ns, name := key[:len("shop")], key[len("shop/"):]
		raw, _ := json.Marshal(metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadata"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: k8stypes.UID(s.uids[key])}})
		table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{name, string(s.secrets[key])}, Object: runtime.RawExtension{Raw: raw}})
	}
	switch r.URL.Path {
	case "/api/v1/secrets":
		for key := range s.secrets {
			row(key)
		}
	case "/api/v1/namespaces/shop/secrets":
		s.reads++
		sel, err := fields.ParseSelector(r.URL.Query().Get("fieldSelector"))
		name, ok := sel.RequiresExactMatch("metadata.name")
		if err != nil || !ok {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if _, ok := s.secrets["shop/"+name]; ok {
			row("shop/" + name)
		}
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status: metav1.StatusFailure, Reason: metav1.StatusReasonForbidden, Code: http.StatusForbidden,
			Message: `secrets is forbidden: User "monitor" cannot get resource "secrets"`})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(table)
}

func TestWatchSecretTypes(t *testing.T) {
	ts := &tableServer{secrets: map[string]corev1.SecretType{"shop/db": corev1.SecretTypeOpaque},
		uids: map[string]string{"shop/db": "u-db", "shop/tls": "u-tls"}}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	rc, err := rest.RESTClientFor(&rest.Config{Host: srv.URL, APIPath: "/api", ContentConfig: rest.ContentConfig{
		GroupVersion: &corev1.SchemeGroupVersion, NegotiatedSerializer: scheme.Codecs.WithoutConversion()}})
	require.NoError(t, err)
	sch := metadatafake.NewTestScheme()
	require.NoError(t, metav1.AddMetaToScheme(sch))
	meta := func(name string) *metav1.PartialObjectMetadata {
		return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", UID: k8stypes.UID(ts.uids["shop/"+name])}}
	}
	mc := metadatafake.NewSimpleMetadataClient(sch, meta("db"))
	w, err := NewWatch(fake.NewClientset(), WithKinds(KindSecret), WithMetadataClient(mc), withSecretTables(rc))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	defer func() { cancel(); <-done }()

	next := func(prev *Inventory) *Inventory {
		t.Helper()
		c, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		inv, _, err := w.Next(c, prev)
		require.NoError(t, err)
		return inv
	}
	inv := next(nil)
	db := inv.Get(KindSecret, "shop", "db").Object().(*corev1.Secret)
	assert.Equal(t, corev1.SecretTypeOpaque, db.Type, "listed as a Table: its type is known")

	// A Secret the watch shows first, as metadata: its type is read once from a Table of it,
	// listed by name (the user may not get Secrets).
	ts.mu.Lock()
	ts.secrets["shop/tls"] = corev1.SecretTypeTLS
	ts.mu.Unlock()
	require.NoError(t, mc.Tracker().Add(meta("tls")))
	for inv.Get(KindSecret, "shop", "tls") == nil {
		inv = next(inv)
	}
	assert.Equal(t, corev1.SecretTypeTLS, inv.Get(KindSecret, "shop", "tls").Object().(*corev1.Secret).Type)
	ts.mu.Lock()
	assert.Equal(t, 1, ts.reads)
	ts.mu.Unlock()
}
