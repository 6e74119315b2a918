package inventory_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/inventory"
)

func TestFromClientsetRetriesTransientFailures(t *testing.T) {
	cmGR := schema.GroupResource{Resource: "configmaps"}
	tests := []struct {
		name   string
		err    error
		times  int // how many lists of configmaps fail; -1: every one
		opts   []inventory.ClusterOption
		state  inventory.State
		lists  int    // lists of configmaps made
		reason string // a substring of the coverage reason
	}{
		{
			name: "503 twice, then an answer", err: apierrors.NewServiceUnavailable("etcd is leaderless"),
			times: 2, opts: []inventory.ClusterOption{inventory.WithRetries(3)},
			state: inventory.Listed, lists: 3,
		},
		{
			name: "429 once", err: apierrors.NewTooManyRequests("slow down", 0),
			times: 1, opts: []inventory.ClusterOption{inventory.WithRetries(3)},
			state: inventory.Listed, lists: 2,
		},
		{
			name: "500 every time", err: apierrors.NewInternalError(errors.New("etcdserver: request timed out")),
			times: -1, opts: []inventory.ClusterOption{inventory.WithRetries(2)},
			state: inventory.Failed, lists: 3, reason: "gave up after 3 attempts",
		},
		{
			name: "no retries unless asked", err: apierrors.NewServiceUnavailable("etcd is leaderless"),
			times: 1, state: inventory.Failed, lists: 1, reason: "etcd is leaderless",
		},
		{
			name: "WithRetries(0)", err: apierrors.NewServiceUnavailable("etcd is leaderless"),
			times: 1, opts: []inventory.ClusterOption{inventory.WithRetries(3), inventory.WithRetries(0)},
			state: inventory.Failed, lists: 1,
		},
		{
			name: "forbidden is not transient", err: apierrors.NewForbidden(cmGR, "", errors.New("no")),
			times: -1, opts: []inventory.ClusterOption{inventory.WithRetries(3)},
			state: inventory.Forbidden, lists: 1,
		},
		{
			name: "not found is not transient", err: apierrors.NewNotFound(cmGR, ""),
			times: -1, opts: []inventory.ClusterOption{inventory.WithRetries(3)},
			state: inventory.Failed, lists: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "shop"}})
			var lists atomic.Int32
			cs.PrependReactor("list", "configmaps", func(clienttesting.Action) (bool, runtime.Object, error) {
				n := int(lists.Add(1))
				if tt.times < 0 || n <= tt.times {
					return true, nil, tt.err
				}
				return false, nil, nil
			})
			inv, err := inventory.FromClientset(t.Context(), cs, tt.opts...)
			require.NoError(t, err)
			c := inv.Coverage(inventory.KindConfigMap)
			assert.Equal(t, tt.state, c.State, c.Reason)
			assert.Contains(t, c.Reason, tt.reason)
			assert.Equal(t, tt.lists, int(lists.Load()))
			if tt.state == inventory.Listed {
				assert.NotNil(t, inv.Get(inventory.KindConfigMap, "shop", "cfg"))
				assert.Empty(t, inv.Errors())
			}
		})
	}
}
