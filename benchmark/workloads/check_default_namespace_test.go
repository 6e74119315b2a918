package workloads_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func TestDefaultNamespaceFixtures(t *testing.T) {
	runFixtures(t, workloads.DefaultNamespace())
}

// A kind not seen completely leaves "nothing in default" not evaluated; failures stand beside
// one notEvaluated result about no object.
func TestDefaultNamespaceUnseen(t *testing.T) {
	c := workloads.DefaultNamespace()
	gaps := []inventory.Coverage{{Kind: "Secret", State: inventory.Forbidden, Reason: "no list"}}
	inv := clusterInventory(t, gaps, &corev1.ConfigMap{ObjectMeta: meta("shop", "x")})
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "no object but the control plane's own in namespace default, but some kinds were not completely seen: secrets forbidden: no list"),
	})
	inv = clusterInventory(t, gaps, &corev1.ConfigMap{ObjectMeta: meta("default", "x")})
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "secrets forbidden: no list"),
		fail("ConfigMap default/x", "metadata.namespace", "ConfigMap default/x is in namespace default"),
	})
}

// From a cluster read as metadata only, Secrets have no type: the default ServiceAccount's
// legacy token is still recognised by its name and annotation, and nothing else is.
func TestDefaultNamespaceMetadataOnlySecrets(t *testing.T) {
	c := workloads.DefaultNamespace()
	token := &corev1.Secret{ObjectMeta: meta("default", "default-token-x7k2p")}
	token.Annotations = map[string]string{corev1.ServiceAccountNameKey: "default"}
	other := &corev1.Secret{ObjectMeta: meta("default", "default-token-lookalike")}
	inv := clusterInventory(t, nil, token, other)
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		// The other resources of default were not listed.
		notEvaluated("", "inventory.WithDefaultNamespaceListing"),
		fail("Secret default/default-token-lookalike", "metadata.namespace", "is in namespace default"),
	})
}

// An object is left to its controller only when the inventory holds that controller: an
// owner reference with a UID names that object, not another of the same name.
func TestDefaultNamespaceController(t *testing.T) {
	c := workloads.DefaultNamespace()
	owner := deployment("default", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})
	owner.UID = "uid-now"
	child := func(uid string) *corev1.Pod {
		p := pod("default", "web-1", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})
		controller := true
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: types.UID(uid), Controller: &controller}}
		return p
	}
	assertVerdicts(t, c, run(t, c, newInventory(t, owner, child("uid-now"))), []verdict{
		fail("Deployment default/web", "metadata.namespace", "Deployment default/web is in namespace default"),
	})
	assertVerdicts(t, c, run(t, c, newInventory(t, owner, child("uid-before"))), []verdict{
		fail("Pod default/web-1", "metadata.namespace", "Pod default/web-1 is in namespace default"),
		fail("Deployment default/web", "metadata.namespace", "Deployment default/web is in namespace default"),
	})
}

// An object that names itself its controller is not left to anyone: it fails.
func TestDefaultNamespaceSelfController(t *testing.T) {
	c := workloads.DefaultNamespace()
	self := deployment("default", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})
	self.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Controller: ptr(true)}}
	assertVerdicts(t, c, run(t, c, newInventory(t, self)), []verdict{
		fail("Deployment default/web", "metadata.namespace", "Deployment default/web is in namespace default"),
	})
}

// liveVerbs are the verbs of a resource one can list and create.
var liveVerbs = metav1.Verbs{"create", "delete", "get", "list", "watch"}

// liveDiscovery is a cluster's discovery: the core resources the tests use, EndpointSlices,
// Leases and a custom resource, besides Events.
func liveDiscovery() []*metav1.APIResourceList {
	res := func(name, kind string) metav1.APIResource {
		return metav1.APIResource{Name: name, Kind: kind, Namespaced: true, Verbs: liveVerbs}
	}
	return []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{res("services", "Service"), res("configmaps", "ConfigMap"),
			res("serviceaccounts", "ServiceAccount"), res("endpoints", "Endpoints"), res("events", "Event"),
			res("persistentvolumeclaims", "PersistentVolumeClaim")}},
		{GroupVersion: "discovery.k8s.io/v1", APIResources: []metav1.APIResource{res("endpointslices", "EndpointSlice")}},
		{GroupVersion: "coordination.k8s.io/v1", APIResources: []metav1.APIResource{res("leases", "Lease")}},
		{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{res("widgets", "Widget")}},
	}
}

// controlPlaneDefault is what the control plane keeps in namespace default, as the API
// server serves it.
func controlPlaneDefault() []runtime.Object {
	tcp := corev1.ProtocolTCP
	https := "https"
	port := int32(6443)
	return []runtime.Object{
		&corev1.Service{ObjectMeta: meta("default", "kubernetes"), Spec: corev1.ServiceSpec{
			Ports: []corev1.ServicePort{{Name: "https", Port: 443, Protocol: tcp, TargetPort: intstr.FromInt32(6443)}}}},
		&corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes",
			Labels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}},
			Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}},
				Ports: []corev1.EndpointPort{{Name: "https", Port: 6443, Protocol: tcp}}}}},
		&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes",
			Labels: map[string]string{"kubernetes.io/service-name": "kubernetes"}}, AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.0.0.1"}}},
			Ports:     []discoveryv1.EndpointPort{{Name: &https, Port: &port, Protocol: &tcp}}},
		&corev1.ConfigMap{ObjectMeta: meta("default", "kube-root-ca.crt"), Data: map[string]string{"ca.crt": "---"}},
		&corev1.ServiceAccount{ObjectMeta: meta("default", "default")},
		// Events are records about objects (here the node's), not objects placed in default.
		&corev1.Event{ObjectMeta: meta("default", "node-1.17a"), InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: "node-1"}},
	}
}

// liveInventory loads a fake cluster: typed objects from the clientset, the others (PVCs,
// Leases, custom resources) from the metadata client; forbid are the resources it refuses to
// list. listing says whether the load lists namespace default's other resources.
func liveInventory(t *testing.T, listing bool, typed []runtime.Object, partial []runtime.Object, forbid ...string) *inventory.Inventory {
	t.Helper()
	cs := fake.NewClientset(typed...)
	cs.Resources = liveDiscovery()
	scheme := metadatafake.NewTestScheme()
	require.NoError(t, metav1.AddMetaToScheme(scheme))
	mc := metadatafake.NewSimpleMetadataClient(scheme, partial...)
	for _, r := range forbid {
		mc.PrependReactor("list", r, func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: r}, "", errors.New("scanner may not list "+r))
		})
	}
	opts := []inventory.ClusterOption{inventory.WithMetadataClient(mc)}
	if listing {
		opts = append(opts, inventory.WithDefaultNamespaceListing())
	}
	inv, err := inventory.FromClientset(t.Context(), cs, opts...)
	require.NoError(t, err)
	return inv
}

func partialObject(apiVersion, kind, ns, name string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)}}
}

// On a cluster, "nothing but the control plane's own in default" needs every namespaced
// resource of default listed, not only the built-in kinds.
func TestDefaultNamespaceLive(t *testing.T) {
	const passMsg = "no object but the control plane's own in namespace default"
	pvc := partialObject("v1", "PersistentVolumeClaim", "default", "data")
	widget := partialObject("example.com/v1", "Widget", "default", "w")
	elsewhere := partialObject("v1", "PersistentVolumeClaim", "shop", "data")
	tests := []struct {
		name    string
		listing bool
		typed   []runtime.Object
		partial []runtime.Object
		forbid  []string
		want    []verdict
	}{
		{name: "control plane only", listing: true, typed: controlPlaneDefault(), partial: []runtime.Object{elsewhere},
			want: []verdict{pass("", passMsg)}},
		{name: "PVC in default", listing: true, typed: controlPlaneDefault(), partial: []runtime.Object{pvc},
			want: []verdict{fail("PersistentVolumeClaim default/data", "metadata.namespace", "is in namespace default")}},
		{name: "custom resource in default", listing: true, typed: controlPlaneDefault(), partial: []runtime.Object{widget},
			want: []verdict{fail("Widget default/w", "metadata.namespace", "is in namespace default")}},
		{name: "forbidden resource", listing: true, typed: controlPlaneDefault(), forbid: []string{"leases"},
			want: []verdict{notEvaluated("", "not completely seen: these resources of namespace default were not listed "+
				"completely: forbidden: leases.coordination.k8s.io")}},
		{name: "forbidden resource beside a failure", listing: true, typed: controlPlaneDefault(),
			partial: []runtime.Object{widget}, forbid: []string{"leases"},
			want: []verdict{
				notEvaluated("", "forbidden: leases.coordination.k8s.io"),
				fail("Widget default/w", "metadata.namespace", "is in namespace default"),
			}},
		{name: "not listed", typed: controlPlaneDefault(),
			want: []verdict{notEvaluated("", "were not listed (the load did not use inventory.WithDefaultNamespaceListing)")}},
		{name: "a Service named kubernetes that selects pods", listing: true,
			typed: append(controlPlaneDefault()[1:], &corev1.Service{ObjectMeta: meta("default", "kubernetes"),
				Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "x"}, Ports: []corev1.ServicePort{{Name: "https", Port: 443}}}}),
			want: []verdict{fail("Service default/kubernetes", "metadata.namespace", "is in namespace default")}},
		{name: "an Endpoints named kubernetes with other ports", listing: true,
			typed: append(controlPlaneDefault()[2:], controlPlaneDefault()[0], &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{
				Namespace: "default", Name: "kubernetes", Labels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}},
				Subsets: []corev1.EndpointSubset{{Ports: []corev1.EndpointPort{{Name: "http", Port: 80}}}}}),
			want: []verdict{fail("Endpoints default/kubernetes", "metadata.namespace", "is in namespace default")}},
	}
	c := workloads.DefaultNamespace()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := liveInventory(t, tt.listing, tt.typed, tt.partial, tt.forbid...)
			assertVerdicts(t, c, run(t, c, inv), tt.want)
		})
	}
}

// A custom resource controlled by another listed in default is left to its controller.
func TestDefaultNamespaceLiveController(t *testing.T) {
	owner := partialObject("example.com/v1", "Widget", "default", "w")
	child := partialObject("example.com/v1", "Widget", "default", "w-part")
	child.OwnerReferences = []metav1.OwnerReference{{APIVersion: "example.com/v1", Kind: "Widget", Name: "w",
		UID: owner.UID, Controller: ptr(true)}}
	c := workloads.DefaultNamespace()
	inv := liveInventory(t, true, controlPlaneDefault(), []runtime.Object{owner, child})
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		fail("Widget default/w", "metadata.namespace", "is in namespace default"),
	})
}

// cutContext is a context that ends after its Err has said nil n times: a run cut short at
// each point it looks.
type cutContext struct {
	context.Context
	n int
}

func (c *cutContext) Err() error {
	if c.n == 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

// A run cut short while reading the listing of namespace default returns the context's error:
// it does not pass on the part it read.
func TestDefaultNamespaceLiveCut(t *testing.T) {
	c := workloads.DefaultNamespace()
	inv := liveInventory(t, true, controlPlaneDefault(), []runtime.Object{partialObject("v1", "PersistentVolumeClaim", "default", "data")})
	statuses := func(n int) ([]check.Status, error) {
		var got []check.Status
		err := c.Run(&cutContext{Context: t.Context(), n: n}, check.NewPass(inv, c.Meta(), nil, func(f check.Finding) {
			got = append(got, f.Status)
		}))
		return got, err
	}
	whole, err := statuses(1 << 20)
	require.NoError(t, err)
	require.Equal(t, []check.Status{check.StatusFail}, whole)
	for n := range 200 {
		got, err := statuses(n)
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			continue
		}
		assert.Equal(t, whole, got, "a run that looked %d times and was not cut short", n)
	}
}
