package inventory_test

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/kubernetes/fake"

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
