package inventory_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	"k8s.io/client-go/rest"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm/inventory"
)

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// clusterObjects returns two objects of every built-in kind, namespaced ones in two
// namespaces, with empty TypeMeta as typed clients return them.
func clusterObjects(t *testing.T) []runtime.Object {
	t.Helper()
	var objs []runtime.Object
	for _, k := range inventory.BuiltinKinds() {
		for i, ns := range []string{"ns1", "ns2"} {
			obj := k.New()
			m, ok := obj.(metav1.Object)
			require.True(t, ok, "%s has no metadata", k.Kind)
			m.SetName(fmt.Sprintf("%s-%d", strings.ToLower(k.Kind), i))
			if k.Namespaced {
				m.SetNamespace(ns)
			}
			objs = append(objs, obj)
		}
	}
	return objs
}

// coreDiscovery is the discovery a fake clientset answers with: the core API and
// admissionregistration.k8s.io/v1 without ValidatingAdmissionPolicies, as on a 1.29 server.
func coreDiscovery() []*metav1.APIResourceList {
	return []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "Pod"}}},
		{GroupVersion: "admissionregistration.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "validatingwebhookconfigurations", Kind: "ValidatingWebhookConfiguration"},
			{Name: "mutatingwebhookconfigurations", Kind: "MutatingWebhookConfiguration"},
		}},
	}
}

func listActions(cs *fake.Clientset) []clienttesting.ListActionImpl {
	var out []clienttesting.ListActionImpl
	for _, a := range cs.Actions() {
		if la, ok := a.(clienttesting.ListActionImpl); ok {
			out = append(out, la)
		}
	}
	return out
}

func TestFromClientsetListsEveryKind(t *testing.T) {
	cs := fake.NewClientset(clusterObjects(t)...)
	inv, err := inventory.FromClientset(t.Context(), cs)
	require.NoError(t, err)

	assert.Equal(t, inventory.ModeCluster, inv.Mode())
	assert.Empty(t, inv.Errors())
	assert.Empty(t, inv.Sources(), "a bare clientset has no known address")
	kinds := inventory.BuiltinKinds()
	assert.Equal(t, 2*len(kinds), inv.Len())
	for _, k := range kinds {
		t.Run(k.Kind, func(t *testing.T) {
			c := inv.Coverage(k.GroupKind())
			assert.Equal(t, inventory.Listed, c.State)
			assert.Equal(t, 2, c.Count)
			assert.True(t, c.Complete())
			for _, o := range inv.ByKind(k.GroupKind()) {
				assert.Equal(t, k.GroupVersionKind, o.GroupVersionKind(), "kind of %s", o)
				assert.Empty(t, o.Source().File)
			}
		})
	}
	actions := listActions(cs)
	require.Len(t, actions, len(kinds), "one list per kind")
	for _, a := range actions {
		assert.Equal(t, int64(500), a.ListOptions.Limit, "default page size for %s", a.GetResource().Resource)
		assert.Empty(t, a.GetNamespace(), "%s is listed across all namespaces", a.GetResource().Resource)
	}
}

// TestBuilderAddInfersKindOfTypedObjects verifies that a typed object with an empty TypeMeta
// (as typed clients return list items) gets its kind from its Go type.
func TestBuilderAddInfersKindOfTypedObjects(t *testing.T) {
	for _, k := range inventory.BuiltinKinds() {
		t.Run(k.Kind, func(t *testing.T) {
			obj := k.New()
			obj.(metav1.Object).SetName("x")
			require.True(t, obj.GetObjectKind().GroupVersionKind().Empty())
			b := inventory.NewBuilder(inventory.ModeCluster)
			require.NoError(t, b.Add(obj, inventory.Source{}))
			inv := b.Build()
			o := inv.Get(k.GroupKind(), "", "x")
			require.NotNil(t, o)
			assert.Equal(t, k.GroupVersionKind, o.GroupVersionKind())
		})
	}
}

// podPager serves pods in pages through a reactor, as a real server does (the fake ignores
// Limit). A token is the offset of the next page. expire says whether to answer a request
// for the given token, on the given list attempt, with 410 Expired.
type podPager struct {
	t        *testing.T
	pods     []corev1.Pod
	limit    int64
	expire   func(attempt int, cont string) bool
	attempt  int
	requests []string // continue token of each request
}

func (p *podPager) react(a clienttesting.Action) (bool, runtime.Object, error) {
	opts := a.(clienttesting.ListActionImpl).ListOptions
	assert.Equal(p.t, p.limit, opts.Limit, "page size passed to the server")
	p.requests = append(p.requests, opts.Continue)
	start := 0
	if opts.Continue == "" {
		p.attempt++
	} else {
		n, err := strconv.Atoi(opts.Continue)
		if err != nil {
			return true, nil, apierrors.NewBadRequest("bad continue token " + opts.Continue)
		}
		start = n
	}
	if p.expire != nil && p.expire(p.attempt, opts.Continue) {
		return true, nil, apierrors.NewResourceExpired("the provided continue parameter is too old")
	}
	end := min(start+int(p.limit), len(p.pods))
	list := &corev1.PodList{Items: append([]corev1.Pod(nil), p.pods[start:end]...)}
	if end < len(p.pods) {
		list.Continue = strconv.Itoa(end)
	}
	return true, list, nil
}

func TestFromClientsetPaginates(t *testing.T) {
	pods := make([]corev1.Pod, 5)
	for i := range pods {
		pods[i].Name, pods[i].Namespace = fmt.Sprintf("p%d", i), "ns"
	}
	tests := []struct {
		name     string
		expire   func(attempt int, cont string) bool
		requests []string
		state    inventory.State
		count    int
	}{
		{
			name:     "follows continue tokens",
			requests: []string{"", "2", "4"},
			state:    inventory.Listed,
			count:    5,
		},
		{
			name:     "restarts from the beginning after an expired token",
			expire:   func(attempt int, cont string) bool { return attempt == 1 && cont == "4" },
			requests: []string{"", "2", "4", "", "2", "4"},
			state:    inventory.Listed,
			count:    5,
		},
		{
			name:     "gives up after three expired lists",
			expire:   func(_ int, cont string) bool { return cont == "2" },
			requests: []string{"", "2", "", "2", "", "2"},
			state:    inventory.Failed,
			count:    0, // a partial list is not kept
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns"}})
			p := &podPager{t: t, pods: pods, limit: 2, expire: tt.expire}
			cs.PrependReactor("list", "pods", p.react)

			inv, err := inventory.FromClientset(t.Context(), cs, inventory.WithPageSize(2))
			require.NoError(t, err)

			assert.Equal(t, tt.requests, p.requests)
			c := inv.Coverage(inventory.KindPod)
			assert.Equal(t, tt.state, c.State)
			assert.Equal(t, tt.count, c.Count)
			assert.Len(t, inv.Pods(), tt.count)
			assert.Equal(t, inventory.Listed, inv.Coverage(inventory.KindNamespace).State)
			if tt.state == inventory.Listed {
				assert.Empty(t, inv.Errors())
				return
			}
			assert.Contains(t, c.Reason, "continue token")
			require.Len(t, inv.Errors(), 1)
			var le *inventory.ListError
			require.ErrorAs(t, inv.Errors()[0], &le)
			assert.Equal(t, inventory.KindPod, le.Kind)
			assert.True(t, apierrors.IsResourceExpired(le), "the server's error stays inspectable")
		})
	}
}

func TestFromClientsetListFailures(t *testing.T) {
	vapGR := schema.GroupResource{Group: "admissionregistration.k8s.io", Resource: "validatingadmissionpolicies"}
	notFound := func(resource string) clienttesting.ReactionFunc {
		return func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: resource}, "")
		}
	}
	tests := []struct {
		name      string
		resource  string // the resource whose list fails
		react     clienttesting.ReactionFunc
		discovery []*metav1.APIResourceList
		kind      schema.GroupKind
		state     inventory.State
		reason    string // a substring of the coverage reason
		recorded  bool   // whether Errors reports it
	}{
		{
			name:     "forbidden",
			resource: "secrets",
			react: func(clienttesting.Action) (bool, runtime.Object, error) {
				return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "",
					errors.New(`User "viewer" cannot list resource "secrets"`))
			},
			kind:     inventory.KindSecret,
			state:    inventory.Forbidden,
			reason:   `User "viewer" cannot list resource "secrets"`,
			recorded: true,
		},
		{
			name:      "not served in any version",
			resource:  "validatingadmissionpolicies",
			react:     notFound("validatingadmissionpolicies"),
			discovery: coreDiscovery(),
			kind:      inventory.KindValidatingAdmissionPolicy,
			state:     inventory.NotServed,
			reason:    "does not serve validatingadmissionpolicies.admissionregistration.k8s.io in any version",
		},
		{
			name:      "group not served",
			resource:  "networkpolicies",
			react:     notFound("networkpolicies"),
			discovery: coreDiscovery(),
			kind:      inventory.KindNetworkPolicy,
			state:     inventory.NotServed,
			reason:    "does not serve the API group networking.k8s.io",
		},
		{
			name:     "served only at another version",
			resource: "validatingadmissionpolicies",
			react:    notFound("validatingadmissionpolicies"),
			discovery: append(coreDiscovery(), &metav1.APIResourceList{
				GroupVersion: "admissionregistration.k8s.io/v1beta1",
				APIResources: []metav1.APIResource{{Name: vapGR.Resource, Kind: "ValidatingAdmissionPolicy"}},
			}),
			kind:     inventory.KindValidatingAdmissionPolicy,
			state:    inventory.Failed,
			reason:   "served only at version v1beta1",
			recorded: true,
		},
		{
			name:     "404 that discovery cannot confirm",
			resource: "deployments",
			react:    notFound("deployments"),
			// No discovery: this is not an API server, so a 404 proves nothing.
			kind:     inventory.KindDeployment,
			state:    inventory.Failed,
			reason:   "discovery does not list the core API",
			recorded: true,
		},
		{
			name:     "server error",
			resource: "configmaps",
			react: func(clienttesting.Action) (bool, runtime.Object, error) {
				return true, nil, apierrors.NewInternalError(errors.New("etcdserver: request timed out"))
			},
			kind:     inventory.KindConfigMap,
			state:    inventory.Failed,
			reason:   "etcdserver: request timed out",
			recorded: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset(
				&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}},
				&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop"}},
			)
			cs.Resources = tt.discovery
			cs.PrependReactor("list", tt.resource, tt.react)

			inv, err := inventory.FromClientset(t.Context(), cs)
			require.NoError(t, err, "one failing kind does not stop the load")

			c := inv.Coverage(tt.kind)
			assert.Equal(t, tt.state, c.State)
			assert.Contains(t, c.Reason, tt.reason)
			assert.Zero(t, c.Count)
			assert.Empty(t, inv.ByKind(tt.kind))

			var listErrs []*inventory.ListError
			for _, e := range inv.Errors() {
				var le *inventory.ListError
				require.ErrorAs(t, e, &le)
				listErrs = append(listErrs, le)
			}
			if tt.recorded {
				require.Len(t, listErrs, 1)
				assert.Equal(t, tt.kind, listErrs[0].Kind)
				assert.Equal(t, tt.state, listErrs[0].State)
				assert.Contains(t, listErrs[0].Error(), tt.resource)
			} else {
				assert.Empty(t, listErrs)
			}
			// The rest was loaded.
			for _, k := range inventory.BuiltinKinds() {
				if k.GroupKind() != tt.kind {
					assert.Equal(t, inventory.Listed, inv.Coverage(k.GroupKind()).State, k.Kind)
				}
			}
			if tt.kind != inventory.KindPod {
				assert.Len(t, inv.Pods(), 1)
			}
		})
	}
}

func TestFromClientsetFailsWhenNothingCanBeListed(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		msg   string
		lists int // list requests made before giving up
	}{
		{
			name:  "unreachable",
			err:   &url.Error{Op: "Get", URL: "https://10.0.0.1:6443/api/v1/namespaces", Err: errors.New("connect: connection refused")},
			msg:   "cannot reach",
			lists: 1,
		},
		{
			name:  "credentials rejected",
			err:   apierrors.NewUnauthorized("Unauthorized"),
			msg:   "rejected the credentials",
			lists: 1,
		},
		{
			name:  "every kind fails",
			err:   apierrors.NewServiceUnavailable("the server is shutting down"),
			msg:   "no kind could be listed",
			lists: len(inventory.BuiltinKinds()),
		},
		{
			name:  "not an API server",
			err:   apierrors.NewNotFound(schema.GroupResource{}, ""),
			msg:   "no kind could be listed",
			lists: len(inventory.BuiltinKinds()),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset()
			cs.PrependReactor("list", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
				return true, nil, tt.err
			})
			inv, err := inventory.FromClientset(t.Context(), cs)
			require.Error(t, err)
			assert.Nil(t, inv)
			assert.Contains(t, err.Error(), tt.msg)
			assert.ErrorIs(t, err, tt.err)
			assert.Len(t, listActions(cs), tt.lists)
		})
	}
}

func TestFromClientsetCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	inv, err := inventory.FromClientset(ctx, fake.NewClientset(clusterObjects(t)...))
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, inv)
}

func TestFromClientsetSecretsCarryNoValues(t *testing.T) {
	const value = "s3cr3t-value"
	meta := metav1.ObjectMeta{
		Name: "db", Namespace: "shop", UID: "u-db",
		Annotations: map[string]string{
			lastApplied: `{"apiVersion":"v1","kind":"Secret","stringData":{"password":"` + value + `"}}`,
			"team":      "payments",
		},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}},
	}
	typedSecret := &corev1.Secret{
		ObjectMeta: *meta.DeepCopy(),
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"password": []byte(value)},
		StringData: map[string]string{"token": value},
	}
	tests := []struct {
		name     string
		metadata bool
		wantType corev1.SecretType
	}{
		{name: "typed client", wantType: corev1.SecretTypeOpaque},
		{name: "metadata client", metadata: true, wantType: ""}, // the metadata API has no type
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset(typedSecret.DeepCopy())
			var opts []inventory.ClusterOption
			var mc *metadatafake.FakeMetadataClient
			if tt.metadata {
				scheme := metadatafake.NewTestScheme()
				require.NoError(t, metav1.AddMetaToScheme(scheme))
				mc = metadatafake.NewSimpleMetadataClient(scheme, &metav1.PartialObjectMetadata{
					TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
					ObjectMeta: *meta.DeepCopy(),
				})
				opts = append(opts, inventory.WithMetadataClient(mc))
			}
			inv, err := inventory.FromClientset(t.Context(), cs, opts...)
			require.NoError(t, err)
			require.Empty(t, inv.Errors())

			secrets := inv.Secrets()
			require.Len(t, secrets, 1)
			s := secrets[0]
			assert.Equal(t, "db", s.Name)
			assert.Equal(t, types.UID("u-db"), s.UID)
			assert.Nil(t, s.Data)
			assert.Nil(t, s.StringData)
			assert.Nil(t, s.ManagedFields)
			assert.Equal(t, map[string]string{"team": "payments"}, s.Annotations)
			assert.Equal(t, tt.wantType, s.Type)
			assert.Equal(t, inventory.Coverage{Kind: "Secret", State: inventory.Listed, Count: 1},
				inv.Coverage(inventory.KindSecret))

			// The value appears nowhere in what the inventory holds.
			for _, o := range inv.Objects() {
				m, err := o.Map()
				require.NoError(t, err)
				raw, err := json.Marshal(m)
				require.NoError(t, err)
				assert.NotContains(t, string(raw), value, "%s", o)
			}

			typedSecretLists := 0
			for _, a := range listActions(cs) {
				if a.GetResource().Resource == "secrets" {
					typedSecretLists++
				}
			}
			if tt.metadata {
				assert.Zero(t, typedSecretLists, "with a metadata client, Secrets are never listed typed")
				var metaLists []string
				for _, a := range mc.Actions() {
					if a.GetVerb() == "list" {
						metaLists = append(metaLists, a.GetResource().Resource)
					}
				}
				assert.Equal(t, []string{"secrets"}, metaLists)
			} else {
				assert.Equal(t, 1, typedSecretLists)
			}
		})
	}
}

func TestFromClientsetWithKinds(t *testing.T) {
	t.Run("lists only the requested kinds", func(t *testing.T) {
		cs := fake.NewClientset(clusterObjects(t)...)
		inv, err := inventory.FromClientset(t.Context(), cs,
			inventory.WithKinds(inventory.KindPod, inventory.KindDeployment, inventory.KindPod))
		require.NoError(t, err)

		var listed []string
		for _, a := range listActions(cs) {
			listed = append(listed, a.GetResource().Resource)
		}
		assert.ElementsMatch(t, []string{"pods", "deployments"}, listed)
		assert.Equal(t, inventory.Coverage{Kind: "Pod", State: inventory.Listed, Count: 2},
			inv.Coverage(inventory.KindPod))
		assert.Len(t, inv.Deployments(), 2)
		assert.Equal(t, 4, inv.Len())
		svc := inv.Coverage(inventory.KindService)
		assert.Equal(t, inventory.Absent, svc.State)
		assert.Equal(t, "not requested", svc.Reason)
		assert.Equal(t, "services absent: not requested", inv.Unseen(inventory.KindService, inventory.KindPod))
		assert.Empty(t, inv.Errors())
	})
	t.Run("rejects a kind that is not built in", func(t *testing.T) {
		cs := fake.NewClientset()
		_, err := inventory.FromClientset(t.Context(), cs,
			inventory.WithKinds(schema.GroupKind{Group: "cert-manager.io", Kind: "Certificate"}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Certificate.cert-manager.io is not a built-in kind")
		assert.Empty(t, cs.Actions(), "nothing is listed")
	})
}

func TestFromClientsetPodTemplatesDeduplicateOwners(t *testing.T) {
	controller := func(kind, name string, uid types.UID) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: new(true)}}
	}
	pod := func(name string, owners []metav1.OwnerReference) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", UID: types.UID("u-" + name),
			OwnerReferences: owners}}
	}
	cs := fake.NewClientset(
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "u-web"}},
		&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-5d9", Namespace: "shop", UID: "u-web-5d9",
			OwnerReferences: controller("Deployment", "web", "u-web")}},
		pod("web-5d9-a", controller("ReplicaSet", "web-5d9", "u-web-5d9")),
		pod("web-5d9-b", controller("ReplicaSet", "web-5d9", "u-web-5d9")),
		pod("debug", nil),
		pod("orphan-x", controller("ReplicaSet", "gone", "u-gone")),
	)
	inv, err := inventory.FromClientset(t.Context(), cs)
	require.NoError(t, err)

	var owners []string
	for _, pt := range inv.PodTemplates() {
		owners = append(owners, pt.Owner.String())
	}
	assert.ElementsMatch(t, []string{"Deployment shop/web", "Pod shop/debug", "Pod shop/orphan-x"}, owners)
	assert.Len(t, inv.Pods(), 4, "controlled pods stay in the inventory")
}

func TestFromKubeconfigWithoutKubeconfig(t *testing.T) {
	dir := t.TempDir()
	// Keep in-cluster detection off and the user's own files out of reach.
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	t.Setenv("HOME", dir)
	missing := filepath.Join(dir, "missing-kubeconfig")
	t.Setenv("KUBECONFIG", missing)

	t.Run("default loading rules", func(t *testing.T) {
		_, err := inventory.FromKubeconfig(t.Context(), "", "")
		require.ErrorIs(t, err, inventory.ErrNoKubeconfig)
		assert.Contains(t, err.Error(), missing, "names where it looked")
		assert.Contains(t, err.Error(), "--kubeconfig")
		assert.NotContains(t, err.Error(), "\n")
	})
	t.Run("explicit path", func(t *testing.T) {
		path := filepath.Join(dir, "nope.yaml")
		_, err := inventory.FromKubeconfig(t.Context(), path, "")
		require.ErrorIs(t, err, inventory.ErrNoKubeconfig)
		assert.Contains(t, err.Error(), path)
	})
	t.Run("unknown context", func(t *testing.T) {
		path := writeKubeconfig(t, "http://127.0.0.1:9", "http://127.0.0.1:9", nil)
		_, err := inventory.FromKubeconfig(t.Context(), path, "staging")
		require.Error(t, err)
		assert.NotErrorIs(t, err, inventory.ErrNoKubeconfig)
		assert.Contains(t, err.Error(), "staging")
	})
}

// writeKubeconfig writes a kubeconfig with two contexts: "current" (the current one) and
// "test", each pointing at its own server; caPEM, when set, is the test server's CA.
func writeKubeconfig(t *testing.T, currentServer, testServer string, caPEM []byte) string {
	t.Helper()
	ca := ""
	if caPEM != nil {
		ca = ", certificate-authority-data: " + base64.StdEncoding.EncodeToString(caPEM)
	}
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: current
  cluster: {server: %q}
- name: test
  cluster: {server: %q%s}
users:
- name: scanner
  user: {token: scanner-token}
contexts:
- name: current
  context: {cluster: current, user: scanner}
- name: test
  context: {cluster: test, user: scanner}
current-context: current
`, currentServer, testServer, ca)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	return path
}

// apiServer is a minimal API server: it answers the list of every built-in kind, pages pods,
// serves Secrets only as metadata, refuses ClusterRoles, and does not serve
// ValidatingAdmissionPolicies (its discovery confirms it).
type apiServer struct {
	t        *testing.T
	pageSize string
	paths    map[string]inventory.KindInfo

	mu          sync.Mutex
	inFlight    atomic.Int32
	maxInFlight int32
	auth        []string
	secretsSeen []string // Accept headers of the secret lists
	noTables    bool     // answer Table requests with metadata lists, as a server without Tables
	podTokens   []string
}

func newAPIServer(t *testing.T, pageSize int) *apiServer {
	s := &apiServer{t: t, pageSize: strconv.Itoa(pageSize), paths: make(map[string]inventory.KindInfo)}
	for _, k := range inventory.BuiltinKinds() {
		p := "/apis/" + k.GroupVersion().String() + "/" + k.Resource
		if k.Group == "" {
			p = "/api/v1/" + k.Resource
		}
		s.paths[p] = k
	}
	return s
}

func (s *apiServer) writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	assert.NoError(s.t, json.NewEncoder(w).Encode(v))
}

func (s *apiServer) status(w http.ResponseWriter, code int, reason metav1.StatusReason, msg string) {
	s.writeJSON(w, code, metav1.Status{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"},
		Status: metav1.StatusFailure, Code: int32(code), Reason: reason, Message: msg})
}

func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path { // discovery
	case "/api":
		s.writeJSON(w, http.StatusOK, metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"},
			Versions: []string{"v1"}})
		return
	case "/apis":
		s.writeJSON(w, http.StatusOK, metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
			Groups: []metav1.APIGroup{{Name: "admissionregistration.k8s.io",
				Versions:         []metav1.GroupVersionForDiscovery{{GroupVersion: "admissionregistration.k8s.io/v1", Version: "v1"}},
				PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "admissionregistration.k8s.io/v1", Version: "v1"}}}})
		return
	case "/apis/admissionregistration.k8s.io/v1":
		s.writeJSON(w, http.StatusOK, metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
			GroupVersion: "admissionregistration.k8s.io/v1",
			APIResources: []metav1.APIResource{{Name: "validatingwebhookconfigurations", Kind: "ValidatingWebhookConfiguration", Verbs: metav1.Verbs{"list"}}}})
		return
	}
	k, ok := s.paths[r.URL.Path]
	if !ok || r.Method != http.MethodGet {
		s.status(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		return
	}
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	s.mu.Lock()
	s.maxInFlight = max(s.maxInFlight, n)
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.mu.Unlock()
	time.Sleep(15 * time.Millisecond) // let lists overlap, to observe the parallelism bound

	q := r.URL.Query()
	assert.Equal(s.t, s.pageSize, q.Get("limit"), "limit of %s", r.URL.Path)
	switch k.Resource {
	case "clusterroles":
		s.status(w, http.StatusForbidden, metav1.StatusReasonForbidden,
			`clusterroles.rbac.authorization.k8s.io is forbidden: User "scanner" cannot list resource "clusterroles"`)
		return
	case "validatingadmissionpolicies":
		s.status(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		return
	case "secrets":
		s.mu.Lock()
		s.secretsSeen = append(s.secretsSeen, r.Header.Get("Accept"))
		s.mu.Unlock()
		if strings.Contains(r.Header.Get("Accept"), "as=Table") && !s.noTables {
			assert.Equal(s.t, "Metadata", q.Get("includeObject"), "table rows carry metadata, not the object")
			obj, _ := json.Marshal(metav1.PartialObjectMetadata{
				TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadata"},
				ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop",
					Annotations: map[string]string{lastApplied: `{"data":{"password":"c2VjcmV0"}}`}},
			})
			s.writeJSON(w, http.StatusOK, metav1.Table{
				TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "Table"},
				ColumnDefinitions: []metav1.TableColumnDefinition{
					{Name: "Name", Type: "string"}, {Name: "Type", Type: "string"}, {Name: "Data", Type: "string"}, {Name: "Age", Type: "string"}},
				Rows: []metav1.TableRow{{Cells: []any{"db", "kubernetes.io/basic-auth", int64(1), "3d"},
					Object: runtime.RawExtension{Raw: obj}}},
			})
			return
		}
		s.writeJSON(w, http.StatusOK, metav1.PartialObjectMetadataList{
			TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadataList"},
			Items: []metav1.PartialObjectMetadata{{
				TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadata"},
				ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop",
					Annotations: map[string]string{lastApplied: `{"data":{"password":"c2VjcmV0"}}`}},
			}},
		})
		return
	}
	list := map[string]any{
		"apiVersion": k.GroupVersion().String(),
		"kind":       k.Kind + "List",
		"metadata":   map[string]any{},
		"items":      []any{},
	}
	switch k.Resource {
	case "namespaces":
		list["items"] = []any{
			map[string]any{"metadata": map[string]any{"name": "shop"}},
			map[string]any{"metadata": map[string]any{"name": "kube-system"}},
		}
	case "pods": // three pods, in pages of two
		s.mu.Lock()
		s.podTokens = append(s.podTokens, q.Get("continue"))
		s.mu.Unlock()
		pod := func(name string) any {
			return map[string]any{"metadata": map[string]any{"name": name, "namespace": "shop"}}
		}
		if q.Get("continue") == "" {
			list["items"] = []any{pod("a"), pod("b")}
			list["metadata"] = map[string]any{"continue": "next"}
		} else {
			assert.Equal(s.t, "next", q.Get("continue"))
			list["items"] = []any{pod("c")}
		}
	}
	s.writeJSON(w, http.StatusOK, list)
}

func TestFromKubeconfigAgainstHTTPServer(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	api := newAPIServer(t, 2)
	srv := httptest.NewTLSServer(api) // client-go sends credentials over TLS only
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	// A port nothing listens on, for the current context.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	path := writeKubeconfig(t, dead, srv.URL, caPEM)

	t.Run("named context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		inv, err := inventory.FromKubeconfig(ctx, path, "test",
			inventory.WithPageSize(2), inventory.WithListParallelism(3))
		require.NoError(t, err)

		assert.Equal(t, []string{srv.URL}, inv.Sources())
		assert.Equal(t, inventory.ModeCluster, inv.Mode())

		assert.Equal(t, inventory.Coverage{Kind: "Namespace", State: inventory.Listed, Count: 2},
			inv.Coverage(inventory.KindNamespace))
		assert.Equal(t, inventory.Coverage{Kind: "Pod", State: inventory.Listed, Count: 3},
			inv.Coverage(inventory.KindPod))
		assert.Equal(t, []string{"", "next"}, api.podTokens)
		assert.NotNil(t, inv.Get(inventory.KindPod, "shop", "c"))

		cr := inv.Coverage(inventory.KindClusterRole)
		assert.Equal(t, inventory.Forbidden, cr.State)
		assert.Contains(t, cr.Reason, `User "scanner" cannot list resource "clusterroles"`)
		vap := inv.Coverage(inventory.KindValidatingAdmissionPolicy)
		assert.Equal(t, inventory.NotServed, vap.State, vap.Reason)
		assert.Equal(t, inventory.Listed, inv.Coverage(inventory.KindValidatingWebhookConfiguration).State)
		require.Len(t, inv.Errors(), 1)
		assert.Contains(t, inv.Errors()[0].Error(), "list clusterroles")

		secrets := inv.Secrets()
		require.Len(t, secrets, 1)
		assert.Equal(t, "db", secrets[0].Name)
		assert.Empty(t, secrets[0].Annotations)
		assert.Equal(t, corev1.SecretType("kubernetes.io/basic-auth"), secrets[0].Type, "the Table's Type column")
		require.Len(t, api.secretsSeen, 1)
		assert.Contains(t, api.secretsSeen[0], "as=Table", "Secrets are asked for as a Table of metadata")

		api.mu.Lock()
		defer api.mu.Unlock()
		assert.LessOrEqual(t, api.maxInFlight, int32(3), "WithListParallelism bounds concurrent lists")
		assert.GreaterOrEqual(t, api.maxInFlight, int32(2), "kinds are listed concurrently")
		require.NotEmpty(t, api.auth)
		for _, a := range api.auth {
			assert.Equal(t, "Bearer scanner-token", a)
		}
	})
	t.Run("unreachable current context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		start := time.Now()
		_, err := inventory.FromKubeconfig(ctx, path, "")
		require.Error(t, err)
		assert.NotErrorIs(t, err, inventory.ErrNoKubeconfig)
		assert.Contains(t, err.Error(), "cannot reach the API server at "+dead)
		assert.Less(t, time.Since(start), 10*time.Second, "fails fast on the first list")
	})
}

// BenchmarkFromClientsetPods lists 100,000 pods in pages of 500 through a reactor.
func BenchmarkFromClientsetPods(b *testing.B) {
	pods := make([]corev1.Pod, 100_000)
	for i := range pods {
		pods[i] = corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i), Namespace: fmt.Sprintf("ns%d", i%500),
				UID: types.UID(fmt.Sprintf("u%d", i)), Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}},
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		cs := fake.NewClientset()
		cs.PrependReactor("list", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
			opts := a.(clienttesting.ListActionImpl).ListOptions
			start, _ := strconv.Atoi(opts.Continue)
			end := min(start+int(opts.Limit), len(pods))
			list := &corev1.PodList{Items: append([]corev1.Pod(nil), pods[start:end]...)}
			if end < len(pods) {
				list.Continue = strconv.Itoa(end)
			}
			return true, list, nil
		})
		inv, err := inventory.FromClientset(b.Context(), cs, inventory.WithKinds(inventory.KindPod))
		if err != nil || len(inv.Pods()) != len(pods) {
			b.Fatalf("loaded %v pods: %v", inv.Len(), err)
		}
	}
}

// TestFromConfigSecretsWithoutTables: a server that does not answer Table requests gets a
// metadata list instead; the Secrets still carry no value, and their type is unknown.
func TestFromConfigSecretsWithoutTables(t *testing.T) {
	api := newAPIServer(t, 2)
	api.noTables = true
	srv := httptest.NewTLSServer(api)
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	cfg := &rest.Config{Host: srv.URL, BearerToken: "scanner-token", TLSClientConfig: rest.TLSClientConfig{CAData: caPEM}}
	inv, err := inventory.FromConfig(t.Context(), cfg, inventory.WithPageSize(2), inventory.WithKinds(inventory.KindSecret))
	require.NoError(t, err)
	secrets := inv.Secrets()
	require.Len(t, secrets, 1)
	assert.Empty(t, secrets[0].Type, "metadata lists have no type: unknown, not Opaque")
	assert.Empty(t, secrets[0].Annotations)
	require.Len(t, api.secretsSeen, 2)
	assert.Contains(t, api.secretsSeen[0], "as=Table")
	assert.Contains(t, api.secretsSeen[1], "as=PartialObjectMetadataList", "then as metadata")
}
