package check_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// UnlistedInDefault: nothing to say for manifests or a complete listing; forbidden resources
// named together, failed ones with their reason, each sort bounded.
func TestUnlistedInDefault(t *testing.T) {
	manifests, err := inventory.New()
	require.NoError(t, err)
	assert.Empty(t, check.UnlistedInDefault(manifests))

	load := func(t *testing.T, listing bool, forbidden, failed int) *inventory.Inventory {
		t.Helper()
		cs := fake.NewClientset()
		var res []metav1.APIResource
		for i := range forbidden + failed + 1 {
			res = append(res, metav1.APIResource{Name: fmt.Sprintf("things%02d", i), Kind: fmt.Sprintf("Thing%02d", i),
				Namespaced: true, Verbs: metav1.Verbs{"create", "list"}})
		}
		cs.Resources = []*metav1.APIResourceList{{GroupVersion: "example.com/v1", APIResources: res}}
		scheme := metadatafake.NewTestScheme()
		require.NoError(t, metav1.AddMetaToScheme(scheme))
		mc := metadatafake.NewSimpleMetadataClient(scheme)
		mc.PrependReactor("list", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
			var i int
			if _, err := fmt.Sscanf(a.GetResource().Resource, "things%02d", &i); err != nil {
				return false, nil, nil
			}
			switch {
			case i < forbidden:
				return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "example.com", Resource: a.GetResource().Resource}, "", fmt.Errorf("no"))
			case i < forbidden+failed:
				return true, nil, fmt.Errorf("connection reset on %s", a.GetResource().Resource)
			}
			return false, nil, nil
		})
		opts := []inventory.ClusterOption{inventory.WithMetadataClient(mc)}
		if listing {
			opts = append(opts, inventory.WithDefaultNamespaceListing())
		}
		inv, err := inventory.FromClientset(t.Context(), cs, opts...)
		require.NoError(t, err)
		return inv
	}
	assert.Contains(t, check.UnlistedInDefault(load(t, false, 0, 0)), "inventory.WithDefaultNamespaceListing")
	assert.Empty(t, check.UnlistedInDefault(load(t, true, 0, 0)))

	got := check.UnlistedInDefault(load(t, true, 2, 1))
	assert.Equal(t, "these resources of namespace default were not listed completely: forbidden: "+
		"things00.example.com, things01.example.com; things02.example.com failed: connection reset on things02", got)

	got = check.UnlistedInDefault(load(t, true, 25, 22))
	assert.Equal(t, 20, strings.Count(got, " failed: "), got)
	assert.Contains(t, got, "forbidden: things00.example.com, ")
	assert.Equal(t, 20, strings.Count(strings.SplitN(got, ";", 2)[0], ".example.com"), "20 forbidden named: %s", got)
	assert.True(t, strings.HasSuffix(got, "; and 7 more"), got)
}
