package main

import (
	"cmp"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kspm-dev/kspm/inventory"
)

// fakeCluster is an API server on loopback that serves the lists of the built-in kinds from
// a fixed set of objects (each list in one page), discovery, and its version; enough for the
// scanner's live mode. Lists are encoded once, when the server starts.
type fakeCluster struct {
	fakeOptions
	srv   *httptest.Server
	caPEM []byte
	lists map[string][]byte // list path → encoded list
}

// fakeOptions say how a fakeCluster answers.
type fakeOptions struct {
	token     string        // the bearer token it accepts
	forbidden bool          // refuse every list, as to a user with no permissions
	delay     time.Duration // before each answer to a list
	fleet     *fleetLoad    // records the lists being answered, across a fleet's servers
}

// fleetLoad records, across the servers of a fleet, how many of them were answering lists at
// the same time.
type fleetLoad struct {
	mu     sync.Mutex
	active map[*fakeCluster]int
	most   int
}

func (f *fleetLoad) enter(c *fakeCluster) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active == nil {
		f.active = map[*fakeCluster]int{}
	}
	f.active[c]++
	f.most = max(f.most, len(f.active))
}

func (f *fleetLoad) leave(c *fakeCluster) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active[c]--; f.active[c] == 0 {
		delete(f.active, c)
	}
}

// mostClusters returns the largest number of clusters that were answering lists at once
// since the last call, and starts counting again.
func (f *fleetLoad) mostClusters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	most := f.most
	f.most = len(f.active)
	return most
}

// newFakeCluster starts a fakeCluster serving objs (typed objects of built-in kinds, their
// TypeMeta set) as opts say.
func newFakeCluster(t testing.TB, opts fakeOptions, objs ...runtime.Object) *fakeCluster {
	t.Helper()
	c := &fakeCluster{fakeOptions: opts, lists: map[string][]byte{}}
	items := map[string][]json.RawMessage{}
	path := func(k inventory.KindInfo) string {
		if k.Group == "" {
			return "/api/v1/" + k.Resource
		}
		return "/apis/" + k.GroupVersion().String() + "/" + k.Resource
	}
	for _, o := range objs {
		gvk := o.GetObjectKind().GroupVersionKind()
		k, ok := inventory.LookupKind(gvk.GroupKind())
		require.True(t, ok, "%s is not a built-in kind", gvk)
		data, err := json.Marshal(o)
		require.NoError(t, err)
		items[path(k)] = append(items[path(k)], data)
	}
	for _, k := range inventory.BuiltinKinds() {
		its := items[path(k)]
		if its == nil {
			its = []json.RawMessage{}
		}
		list, err := json.Marshal(map[string]any{"apiVersion": k.GroupVersion().String(), "kind": k.Kind + "List",
			"metadata": map[string]any{"resourceVersion": "1"}, "items": its})
		require.NoError(t, err)
		c.lists[path(k)] = list
	}
	c.srv = httptest.NewTLSServer(c) // client-go sends bearer tokens over TLS only
	t.Cleanup(c.srv.Close)
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.srv.Certificate().Raw})
	return c
}

func (c *fakeCluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+c.token {
		c.status(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
		return
	}
	switch r.URL.Path {
	case "/version":
		c.write(w, http.StatusOK, []byte(`{"major":"1","minor":"37","gitVersion":"v1.37.2"}`))
		return
	case "/api":
		c.write(w, http.StatusOK, []byte(`{"kind":"APIVersions","versions":["v1"]}`))
		return
	case "/apis":
		c.write(w, http.StatusOK, []byte(`{"kind":"APIGroupList","apiVersion":"v1","groups":[]}`))
		return
	}
	list, ok := c.lists[r.URL.Path]
	if !ok || r.Method != http.MethodGet {
		c.status(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
		return
	}
	if c.fleet != nil {
		c.fleet.enter(c)
		defer c.fleet.leave(c)
	}
	time.Sleep(c.delay)
	resource := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch {
	case c.forbidden:
		c.status(w, http.StatusForbidden, "Forbidden",
			resource+` is forbidden: User "nobody" cannot list resource "`+resource+`" at the cluster scope`)
	case resource == "secrets" && strings.Contains(r.Header.Get("Accept"), "as=Table"):
		c.write(w, http.StatusOK, []byte(`{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},`+
			`"columnDefinitions":[{"name":"Name","type":"string"},{"name":"Type","type":"string"}],"rows":[]}`))
	default:
		c.write(w, http.StatusOK, list)
	}
}

func (c *fakeCluster) write(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func (c *fakeCluster) status(w http.ResponseWriter, code int, reason, msg string) {
	body, _ := json.Marshal(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure",
		"code": code, "reason": reason, "message": msg})
	c.write(w, code, body)
}

// kubeContext is a context of a test kubeconfig: its name, the cluster it reaches (nil: a
// port nothing listens on) and, when not the cluster's, its user's token.
type kubeContext struct {
	name    string
	cluster *fakeCluster
	token   string
}

// writeFleetKubeconfig writes a kubeconfig with a context, cluster and user per entry of
// contexts, the first one current, and returns its path.
func writeFleetKubeconfig(t testing.TB, contexts ...kubeContext) string {
	t.Helper()
	dead := httptest.NewServer(nil)
	deadURL := dead.URL
	dead.Close()
	kc := clientcmdapi.NewConfig()
	for i, c := range contexts {
		id := "c" + string(rune('0'+i))
		cl := &clientcmdapi.Cluster{Server: deadURL}
		user := &clientcmdapi.AuthInfo{Token: "none"}
		if c.cluster != nil {
			cl = &clientcmdapi.Cluster{Server: c.cluster.srv.URL, CertificateAuthorityData: c.cluster.caPEM}
			user.Token = cmp.Or(c.token, c.cluster.token)
		}
		kc.Clusters[id] = cl
		kc.AuthInfos[id] = user
		kc.Contexts[c.name] = &clientcmdapi.Context{Cluster: id, AuthInfo: id}
	}
	kc.CurrentContext = contexts[0].name
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*kc, path))
	return path
}

// typed sets the TypeMeta of each object from its Go type, as the API server's lists carry it.
func typed(t testing.TB, objs ...runtime.Object) []runtime.Object {
	t.Helper()
	for _, o := range objs {
		gvks, _, err := scheme.Scheme.ObjectKinds(o)
		require.NoError(t, err)
		o.GetObjectKind().SetGroupVersionKind(gvks[0])
	}
	return objs
}
