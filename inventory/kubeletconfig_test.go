package inventory

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
)

func TestFetchKubeletConfigs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/nodes/n1/proxy/configz":
			_, _ = w.Write([]byte(`{"kubeletconfig":{"readOnlyPort":10255,"authentication":{"anonymous":{"enabled":false}}}}`))
		case "/api/v1/nodes/n2/proxy/configz":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"nodes \"n2\" is forbidden"}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	require.NoError(t, err)

	objs, errs := FetchKubeletConfigs(context.Background(), cs, []string{"n1", "n2", "n3"}, 2)
	require.Len(t, objs, 1)
	assert.Equal(t, "n1", objs[0].GetName())
	assert.Equal(t, "KubeletConfiguration", objs[0].GetKind())
	assert.Equal(t, KubeletConfigFromConfigz, objs[0].GetAnnotations()[AnnotationKubeletConfigSource])
	assert.Equal(t, int64(10255), objs[0].Object["readOnlyPort"])
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0].Error(), "node n2")
	assert.Contains(t, errs[1].Error(), "no kubeletconfig")

	inv, err := New(objs[0])
	require.NoError(t, err)
	require.Len(t, inv.ByKind(KindKubeletConfiguration), 1)
}

func TestFetchKubeletConfigsFakeClient(t *testing.T) {
	_, errs := FetchKubeletConfigs(context.Background(), fake.NewClientset(), []string{"n1"}, 1)
	require.Len(t, errs, 1)
	assert.True(t, strings.Contains(errs[0].Error(), "REST client"))
}

func TestFromClientsetWithKubeletConfigz(t *testing.T) {
	forbidN2 := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/nodes":
			_, _ = w.Write([]byte(`{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"n2"}},{"metadata":{"name":"n1"}}]}`))
		case "/api/v1/namespaces":
			_, _ = w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[]}`))
		case "/api/v1/nodes/n1/proxy/configz":
			_, _ = w.Write([]byte(`{"kubeletconfig":{"readOnlyPort":0}}`))
		case "/api/v1/nodes/n2/proxy/configz":
			if forbidN2 {
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"nodes \"n2\" is forbidden: cannot get resource \"nodes/proxy\""}`))
				return
			}
			_, _ = w.Write([]byte(`{"kubeletconfig":{"readOnlyPort":10255}}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	require.NoError(t, err)
	load := func(opts ...ClusterOption) *Inventory {
		inv, err := FromClientset(context.Background(), cs, append([]ClusterOption{WithKinds(KindNode)}, opts...)...)
		require.NoError(t, err)
		return inv
	}

	t.Run("off by default", func(t *testing.T) {
		inv := load()
		assert.Empty(t, inv.ByKind(KindKubeletConfiguration))
		assert.False(t, inv.Coverage(KindKubeletConfiguration).Complete(), "not fetched is not 'there are none'")
	})
	t.Run("a node refuses: forbidden coverage, the others loaded", func(t *testing.T) {
		inv := load(WithKubeletConfigz(2))
		kcs := inv.ByKind(KindKubeletConfiguration)
		require.Len(t, kcs, 1)
		assert.Equal(t, "n1", kcs[0].Name())
		c := inv.Coverage(KindKubeletConfiguration)
		assert.Equal(t, Forbidden, c.State)
		assert.Contains(t, c.Reason, "1 of 2 nodes")
		require.Len(t, inv.Errors(), 1)
		assert.Contains(t, inv.Errors()[0].Error(), "node n2")
	})
	t.Run("every node answers: listed", func(t *testing.T) {
		forbidN2 = false
		defer func() { forbidN2 = true }()
		inv := load(WithKubeletConfigz(0))
		assert.Len(t, inv.ByKind(KindKubeletConfiguration), 2)
		assert.Equal(t, Coverage{Group: KindKubeletConfiguration.Group, Kind: "KubeletConfiguration", State: Listed, Count: 2},
			inv.Coverage(KindKubeletConfiguration))
		assert.Empty(t, inv.Errors())
	})
	t.Run("nodes not listed: not asked", func(t *testing.T) {
		inv := load(WithKinds(KindNamespace), WithKubeletConfigz(1))
		c := inv.Coverage(KindKubeletConfiguration)
		assert.Equal(t, Failed, c.State)
		assert.Contains(t, c.Reason, "nodes could not be listed")
	})
}

// TestFetchKubeletConfigsBounded: a kubelet answers through the API server's proxy, and what
// it answers is read up to MaxConfigzBytes, whatever the status: a larger configuration, or
// error, is an error naming the node, not a configuration (nor a process out of memory).
func TestFetchKubeletConfigsBounded(t *testing.T) {
	big := strings.Repeat("x", MaxConfigzBytes)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/nodes/large/proxy/configz":
			_, _ = w.Write([]byte(`{"kubeletconfig":{"readOnlyPort":0,"padding":"` + big + `"}}`))
		case "/api/v1/nodes/large-error/proxy/configz":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(big + "y"))
		case "/api/v1/nodes/small-error/proxy/configz":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("kubelet \x1b[2J down"))
		default:
			_, _ = w.Write([]byte(`{"kubeletconfig":{"readOnlyPort":0}}`))
		}
	}))
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	require.NoError(t, err)

	objs, errs := FetchKubeletConfigs(context.Background(), cs, []string{"large", "large-error", "small-error", "ok"}, 2)
	require.Len(t, objs, 1)
	assert.Equal(t, "ok", objs[0].GetName())
	require.Len(t, errs, 3)
	for i, node := range []string{"large", "large-error"} {
		assert.Contains(t, errs[i].Error(), "node "+node+": ")
		assert.Contains(t, errs[i].Error(), "larger than")
	}
	assert.Contains(t, errs[2].Error(), "node small-error: ")
	assert.Contains(t, errs[2].Error(), `"kubelet \x1b[2J down"`, "the body, quoted")
}
