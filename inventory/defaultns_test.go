package inventory_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apitypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/inventory"
)

var allVerbs = metav1.Verbs{"create", "delete", "get", "list", "patch", "update", "watch"}

// defaultNSDiscovery is a server's discovery with namespaced resources of every sort the
// listing of namespace default tells apart.
func defaultNSDiscovery() []*metav1.APIResourceList {
	return []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", Namespaced: true, Kind: "Pod", Verbs: allVerbs},
			{Name: "pods/log", Namespaced: true, Kind: "Pod", Verbs: metav1.Verbs{"get"}},
			{Name: "configmaps", Namespaced: true, Kind: "ConfigMap", Verbs: allVerbs},
			{Name: "persistentvolumeclaims", Namespaced: true, Kind: "PersistentVolumeClaim", Verbs: allVerbs},
			{Name: "endpoints", Namespaced: true, Kind: "Endpoints", Verbs: allVerbs},
			{Name: "events", Namespaced: true, Kind: "Event", Verbs: allVerbs},
			{Name: "bindings", Namespaced: true, Kind: "Binding", Verbs: metav1.Verbs{"create"}},
			{Name: "nodes", Kind: "Node", Verbs: allVerbs},
		}},
		{GroupVersion: "discovery.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "endpointslices", Namespaced: true, Kind: "EndpointSlice", Verbs: allVerbs}}},
		{GroupVersion: "events.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "events", Namespaced: true, Kind: "Event", Verbs: allVerbs}}},
		{GroupVersion: "coordination.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "leases", Namespaced: true, Kind: "Lease", Verbs: allVerbs}}},
		{GroupVersion: "metrics.k8s.io/v1beta1", APIResources: []metav1.APIResource{
			{Name: "pods", Namespaced: true, Kind: "PodMetrics", Verbs: metav1.Verbs{"get", "list"}}}},
		{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{
			{Name: "widgets", Namespaced: true, Kind: "Widget", Verbs: allVerbs}}},
	}
}

func partial(apiVersion, kind, ns, name string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: "u-" + apitypes.UID(name),
			Labels:      map[string]string{"app": name},
			Annotations: map[string]string{lastApplied: `{"secret":"x"}`}}}
}

func metadataClient(t *testing.T, objs ...runtime.Object) *metadatafake.FakeMetadataClient {
	t.Helper()
	scheme := metadatafake.NewTestScheme()
	require.NoError(t, metav1.AddMetaToScheme(scheme))
	return metadatafake.NewSimpleMetadataClient(scheme, objs...)
}

func TestDefaultNamespaceListing(t *testing.T) {
	cs := fake.NewClientset(
		&corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes"},
			Subsets: []corev1.EndpointSubset{{Ports: []corev1.EndpointPort{{Name: "https", Port: 6443}}}}},
		&corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}},
		&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes"}},
	)
	cs.Resources = defaultNSDiscovery()
	mc := metadataClient(t,
		partial("v1", "PersistentVolumeClaim", "default", "data"),
		partial("v1", "PersistentVolumeClaim", "shop", "other"),
		partial("example.com/v1", "Widget", "default", "w"),
	)
	mc.PrependReactor("list", "leases", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "coordination.k8s.io", Resource: "leases"},
			"", errors.New("no"))
	})

	inv, err := inventory.FromClientset(t.Context(), cs, inventory.WithMetadataClient(mc),
		inventory.WithDefaultNamespaceListing())
	require.NoError(t, err)
	l := inv.DefaultNamespaceListing()
	require.NotNil(t, l)

	var got []string
	for _, r := range l.Resources() {
		got = append(got, r.String()+" "+string(r.State))
	}
	// Built-in kinds, Events, subresources, create-only and uncreatable resources, and
	// cluster-scoped ones are not listed.
	assert.Equal(t, []string{"endpoints listed", "persistentvolumeclaims listed", "leases.coordination.k8s.io forbidden",
		"endpointslices.discovery.k8s.io listed", "widgets.example.com listed"}, got)
	require.Len(t, l.Unseen(), 1)
	assert.Equal(t, "leases", l.Unseen()[0].Resource)
	assert.Contains(t, l.Unseen()[0].Reason, "forbidden")

	var names []string
	for _, o := range l.Objects() {
		assert.Equal(t, "default", o.Namespace(), "%s", o)
		names = append(names, o.String())
		u, ok := o.Object().(*unstructured.Unstructured)
		require.True(t, ok, "%s is %T", o, o.Object())
		switch o.Kind() {
		case "Endpoints":
			// Read whole: the API server's own are told by their ports.
			ports, _, _ := unstructured.NestedSlice(u.Object, "subsets")
			assert.Len(t, ports, 1)
		case "PersistentVolumeClaim", "Widget":
			assert.Equal(t, map[string]string{"app": o.Name()}, u.GetLabels())
			assert.Empty(t, u.GetAnnotations(), "no annotation is kept from the metadata")
			assert.NotEmpty(t, o.Meta().GetUID())
			assert.Equal(t, []string{"apiVersion", "kind", "metadata"}, keys(u.Object))
		}
	}
	assert.Len(t, names, 4)
	assert.Nil(t, inv.ByKind(schema.GroupKind{Kind: "PersistentVolumeClaim"}), "the listing is not in the inventory's indexes")

	for _, a := range mc.Actions() {
		if la, ok := a.(clienttesting.ListActionImpl); ok && la.GetResource().Resource != "secrets" {
			assert.Equal(t, "default", la.GetNamespace(), "%s listed in namespace default only", la.GetResource())
		}
	}

	// An edited snapshot keeps the listing.
	next, err := inv.With()
	require.NoError(t, err)
	assert.Same(t, l, next.DefaultNamespaceListing())
}

func keys(m map[string]any) []string {
	var out []string
	for _, k := range []string{"apiVersion", "kind", "metadata", "spec", "status"} {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func TestDefaultNamespaceListingNotAsked(t *testing.T) {
	cs := fake.NewClientset()
	cs.Resources = defaultNSDiscovery()
	inv, err := inventory.FromClientset(t.Context(), cs)
	require.NoError(t, err)
	assert.Nil(t, inv.DefaultNamespaceListing())
}

func TestDefaultNamespaceListingFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*fake.Clientset)
		noMeta  bool
		want    inventory.State
		wantMsg string
	}{
		{name: "discovery of the groups fails",
			setup: func(cs *fake.Clientset) {
				cs.PrependReactor("get", "group", func(clienttesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewServiceUnavailable("down")
				})
			},
			want: inventory.Failed, wantMsg: "discovery of the namespaced resources failed"},
		{name: "discovery of the group versions fails",
			setup: func(cs *fake.Clientset) {
				cs.PrependReactor("get", "resource", func(clienttesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewServiceUnavailable("down")
				})
			},
			want: inventory.Failed, wantMsg: "discovery of the group version failed"},
		{name: "no metadata client", setup: func(*fake.Clientset) {}, noMeta: true,
			want: inventory.Failed, wantMsg: "no metadata client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset()
			cs.Resources = defaultNSDiscovery()
			tt.setup(cs)
			opts := []inventory.ClusterOption{inventory.WithDefaultNamespaceListing()}
			if !tt.noMeta {
				opts = append(opts, inventory.WithMetadataClient(metadataClient(t)))
			}
			inv, err := inventory.FromClientset(t.Context(), cs, opts...)
			require.NoError(t, err)
			l := inv.DefaultNamespaceListing()
			require.NotNil(t, l)
			unseen := l.Unseen()
			require.NotEmpty(t, unseen)
			for _, r := range unseen {
				assert.Equal(t, tt.want, r.State, "%s", r)
				assert.Contains(t, r.Reason, tt.wantMsg, "%s", r)
			}
		})
	}
}

func TestDefaultNamespaceListingBound(t *testing.T) {
	cs := fake.NewClientset()
	cs.Resources = []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "persistentvolumeclaims", Namespaced: true, Kind: "PersistentVolumeClaim", Verbs: allVerbs}}}}
	mc := metadataClient(t)
	calls := 0
	mc.PrependReactor("list", "persistentvolumeclaims", func(clienttesting.Action) (bool, runtime.Object, error) {
		calls++
		if calls > 10 {
			return true, nil, errors.New("listed past the bound")
		}
		// Pages of 4000 (the metadata fake does not pass Limit on to reactors).
		l := &metav1.List{ListMeta: metav1.ListMeta{Continue: fmt.Sprint("page", calls)}}
		for range 4000 {
			l.Items = append(l.Items, runtime.RawExtension{Object: partial("v1", "PersistentVolumeClaim", "default", "p")})
		}
		return true, l, nil
	})
	inv, err := inventory.FromClientset(t.Context(), cs, inventory.WithMetadataClient(mc),
		inventory.WithDefaultNamespaceListing(), inventory.WithPageSize(4000))
	require.NoError(t, err)
	unseen := inv.DefaultNamespaceListing().Unseen()
	require.Len(t, unseen, 1)
	assert.Equal(t, inventory.Incomplete, unseen[0].State)
	assert.Equal(t, 10000, unseen[0].Count)
	assert.Equal(t, 3, calls, "the listing stops past the bound")
}
