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
