package inventory_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/inventory"
)

// listedInDefault names the objects of a listing of namespace default, and the states of
// its resources.
func listedInDefault(t *testing.T, inv *inventory.Inventory) ([]string, map[string]inventory.State) {
	t.Helper()
	l := inv.DefaultNamespaceListing()
	require.NotNil(t, l)
	var names []string
	for _, o := range l.Objects() {
		names = append(names, o.String())
	}
	states := map[string]inventory.State{}
	for _, r := range l.Resources() {
		states[r.String()] = r.State
	}
	return names, states
}

func TestWatchDefaultNamespaceListing(t *testing.T) {
	cs := fake.NewClientset()
	cs.Resources = defaultNSDiscovery()
	mc := metadataClient(t, partial("v1", "PersistentVolumeClaim", "default", "data"))
	var forbid atomic.Bool
	mc.PrependReactor("list", "persistentvolumeclaims", func(clienttesting.Action) (bool, runtime.Object, error) {
		if forbid.Load() {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "persistentvolumeclaims"}, "", nil)
		}
		return false, nil, nil
	})
	w, inv := startWatch(t, cs, inventory.WithMetadataClient(mc), inventory.WithDefaultNamespaceListing(),
		inventory.WithDefaultNamespaceRefresh(20*time.Millisecond))
	names, states := listedInDefault(t, inv)
	assert.Equal(t, []string{"PersistentVolumeClaim default/data"}, names, "listed before the first inventory")
	assert.Equal(t, inventory.Listed, states["persistentvolumeclaims"])
	// At least the first: the refresh (20ms) may have listed again already on a busy machine.
	assert.GreaterOrEqual(t, w.Stats().DefaultNamespaceListings, 1)

	// Created: the next listing is a new snapshot, with no Change.
	require.NoError(t, mc.Tracker().Add(partial("v1", "PersistentVolumeClaim", "default", "more")))
	inv2, changes, err := next(t, w, inv)
	require.NoError(t, err)
	assert.Empty(t, changes)
	names, _ = listedInDefault(t, inv2)
	assert.Equal(t, []string{"PersistentVolumeClaim default/data", "PersistentVolumeClaim default/more"}, names)
	before, _ := listedInDefault(t, inv)
	assert.Len(t, before, 1, "the snapshot before is unchanged")

	// Unchanged: listings go on, no snapshot.
	n := w.Stats().DefaultNamespaceListings
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, _, err = w.Next(ctx, inv2)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a listing that says nothing new makes no snapshot")
	assert.Greater(t, w.Stats().DefaultNamespaceListings, n)

	// Deleted.
	require.NoError(t, mc.Tracker().Delete(schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"},
		"default", "data", metav1.DeleteOptions{}))
	inv3, _, err := next(t, w, inv2)
	require.NoError(t, err)
	names, _ = listedInDefault(t, inv3)
	assert.Equal(t, []string{"PersistentVolumeClaim default/more"}, names)

	// Forbidden: its objects are gone and the resource says why.
	forbid.Store(true)
	inv4, _, err := next(t, w, inv3)
	require.NoError(t, err)
	names, states = listedInDefault(t, inv4)
	assert.Empty(t, names)
	assert.Equal(t, inventory.Forbidden, states["persistentvolumeclaims"])
	assert.Equal(t, inventory.Listed, states["leases.coordination.k8s.io"])
}

func TestWatchWithoutDefaultNamespaceListing(t *testing.T) {
	cs := fake.NewClientset()
	cs.Resources = defaultNSDiscovery()
	w, inv := startWatch(t, cs, inventory.WithMetadataClient(metadataClient(t)))
	assert.Nil(t, inv.DefaultNamespaceListing())
	assert.Zero(t, w.Stats().DefaultNamespaceListings)
}
