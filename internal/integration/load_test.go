//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kspm-dev/kspm/internal/faultproxy"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
)

const (
	loadObjects  = 3000
	loadPageSize = 100
	loadWorkers  = 16
)

// renamespace moves synth's objects into namespaces with a fresh prefix (and renames its
// cluster-scoped objects), so that the test never meets objects of an earlier run.
func renamespace(objs []runtime.Object, prefix string) {
	for _, o := range objs {
		m, err := meta.Accessor(o)
		if err != nil {
			panic(err)
		}
		switch {
		case m.GetNamespace() != "":
			m.SetNamespace(prefix + m.GetNamespace())
		default:
			m.SetName(prefix + m.GetName())
		}
		switch o := o.(type) {
		case *rbacv1.RoleBinding:
			for i := range o.Subjects {
				if o.Subjects[i].Namespace != "" {
					o.Subjects[i].Namespace = prefix + o.Subjects[i].Namespace
				}
			}
		case *rbacv1.ClusterRoleBinding:
			o.RoleRef.Name = prefix + o.RoleRef.Name
			for i := range o.Subjects {
				if o.Subjects[i].Namespace != "" {
					o.Subjects[i].Namespace = prefix + o.Subjects[i].Namespace
				}
			}
		}
	}
}

// createAll creates objs with a bounded pool: namespaces first, then service accounts (pods
// need theirs), then the rest. It returns the objects the server refused because of the Pod
// Security admission of their namespace (synth labels some namespaces "enforce: restricted"
// and puts privileged debug pods in them); any other refusal fails the test.
func createAll(t *testing.T, dyn dynamic.Interface, objs []runtime.Object) (refused []string) {
	t.Helper()
	rank := func(o runtime.Object) int {
		switch o.(type) {
		case *corev1.Namespace:
			return 0
		case *corev1.ServiceAccount:
			return 1
		}
		return 2
	}
	var mu sync.Mutex
	for stage := range 3 {
		g, ctx := errgroup.WithContext(t.Context())
		g.SetLimit(loadWorkers)
		for _, o := range objs {
			if rank(o) != stage {
				continue
			}
			g.Go(func() error {
				gvk := o.GetObjectKind().GroupVersionKind()
				k, ok := inventory.LookupKind(gvk.GroupKind())
				if !ok {
					return fmt.Errorf("synth made a %s, which is not built in", gvk)
				}
				u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
				if err != nil {
					return err
				}
				obj := &unstructured.Unstructured{Object: u}
				_, err = dyn.Resource(k.GroupVersionResource()).Namespace(obj.GetNamespace()).
					Create(ctx, obj, metav1.CreateOptions{})
				if apierrors.IsForbidden(err) && strings.Contains(err.Error(), "violates PodSecurity") {
					mu.Lock()
					refused = append(refused, objectKey(gvk.GroupKind(), obj.GetNamespace(), obj.GetName()))
					mu.Unlock()
					return nil
				}
				if err != nil {
					return fmt.Errorf("create %s %s/%s: %w", gvk.Kind, obj.GetNamespace(), obj.GetName(), err)
				}
				return nil
			})
		}
		require.NoError(t, g.Wait())
	}
	return refused
}

func objectKey(gk schema.GroupKind, ns, name string) string {
	return gk.String() + " " + ns + "/" + name
}

// pageCounter counts list requests per resource.
type pageCounter struct {
	next  http.RoundTripper
	mu    sync.Mutex
	pages map[string]int
}

func (c *pageCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet {
		if res := faultproxy.ResourceOf(req.URL.Path); res != "" {
			c.mu.Lock()
			c.pages[res]++
			c.mu.Unlock()
		}
	}
	return c.next.RoundTrip(req)
}

// TestLoadRealisticCluster creates a few thousand objects of a synthetic cluster, loads them
// in pages of 100 and checks that the inventory holds exactly what was created.
func TestLoadRealisticCluster(t *testing.T) {
	prefix := freshName("load") + "-"
	objs := synth.Generate(7, loadObjects)
	renamespace(objs, prefix)
	dyn, err := dynamic.NewForConfig(adminConfig())
	require.NoError(t, err)

	start := time.Now()
	refused := createAll(t, dyn, objs)
	t.Logf("created %d objects in %s (%d pods refused by Pod Security admission)",
		len(objs)-len(refused), time.Since(start).Round(time.Millisecond), len(refused))
	require.Less(t, len(refused), len(objs)/20, "only the odd debug pod is refused")

	counter := &pageCounter{pages: map[string]int{}}
	cfg := adminConfig()
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	start = time.Now()
	inv, err := inventory.FromConfig(t.Context(), cfg, inventory.WithPageSize(loadPageSize))
	require.NoError(t, err)
	t.Logf("loaded %d objects in %s", inv.Len(), time.Since(start).Round(time.Millisecond))
	require.Empty(t, inv.Errors())

	// The objects of the test's namespaces and cluster-scoped names, by kind.
	want := map[schema.GroupKind][]string{}
	refusedSet := map[string]bool{}
	for _, r := range refused {
		refusedSet[r] = true
	}
	byKey := map[string]runtime.Object{}
	for _, o := range objs {
		m, _ := meta.Accessor(o)
		gk := o.GetObjectKind().GroupVersionKind().GroupKind()
		key := objectKey(gk, m.GetNamespace(), m.GetName())
		if !refusedSet[key] {
			want[gk] = append(want[gk], key)
			byKey[key] = o
		}
	}
	got := map[schema.GroupKind][]string{}
	for _, o := range inv.Objects() {
		ns, name := o.Namespace(), o.Name()
		if !strings.HasPrefix(ns, prefix) && !strings.HasPrefix(name, prefix) {
			continue
		}
		got[o.GroupKind()] = append(got[o.GroupKind()], objectKey(o.GroupKind(), ns, name))
	}
	for _, m := range []map[schema.GroupKind][]string{want, got} {
		for _, v := range m {
			slices.Sort(v)
		}
	}
	assert.Equal(t, want, got, "the inventory holds exactly the objects created")

	// Pagination really paged: every kind with more than a page of objects (cluster-wide
	// count, other tests' objects included) was asked for in at least ceil(n/100) pages.
	paged := 0
	for _, c := range inv.CoverageAll() {
		k, ok := inventory.LookupKind(c.GroupKind())
		if !ok || c.Count <= loadPageSize {
			continue
		}
		paged++
		minPages := (c.Count + loadPageSize - 1) / loadPageSize
		counter.mu.Lock()
		n := counter.pages[k.Resource]
		counter.mu.Unlock()
		assert.GreaterOrEqual(t, n, minPages, "%s: %d objects", k.Resource, c.Count)
		assert.LessOrEqual(t, n, minPages+1, "%s: %d objects", k.Resource, c.Count)
	}
	assert.GreaterOrEqual(t, paged, 4, "several kinds span several pages")

	// Spot checks of fields.
	checked := map[string]bool{}
	for key, o := range byKey {
		switch want := o.(type) {
		case *appsv1.Deployment:
			if checked["deploy"] {
				continue
			}
			checked["deploy"] = true
			got := inv.Get(inventory.KindDeployment, want.Namespace, want.Name)
			require.NotNil(t, got, key)
			d, ok := got.Object().(*appsv1.Deployment)
			require.True(t, ok)
			assert.Equal(t, *want.Spec.Replicas, *d.Spec.Replicas, key)
			assert.Equal(t, want.Spec.Template.Spec.Containers[0].Image, d.Spec.Template.Spec.Containers[0].Image, key)
			assert.Equal(t, want.Spec.Template.Spec.HostNetwork, d.Spec.Template.Spec.HostNetwork, key)
			assert.Equal(t, want.Labels, d.Labels, key)
			assert.Empty(t, d.ManagedFields, "managedFields are dropped")
			assert.NotEmpty(t, d.UID, "server fields are kept")
		case *corev1.ConfigMap:
			if checked["cm"] {
				continue
			}
			checked["cm"] = true
			got := inv.Get(inventory.KindConfigMap, want.Namespace, want.Name)
			require.NotNil(t, got, key)
			assert.Equal(t, want.Data, got.Object().(*corev1.ConfigMap).Data, key)
		case *corev1.Secret:
			if checked["secret"] {
				continue
			}
			checked["secret"] = true
			got := inv.Get(inventory.KindSecret, want.Namespace, want.Name)
			require.NotNil(t, got, key)
			s := got.Object().(*corev1.Secret)
			assert.Equal(t, want.Labels, s.Labels, key)
			assert.Equal(t, want.Type, s.Type, "Secrets are listed as a Table of metadata with their type")
			assert.Empty(t, s.Data, "and without their values")
		case *rbacv1.RoleBinding:
			if checked["rb"] {
				continue
			}
			checked["rb"] = true
			got := inv.Get(inventory.KindRoleBinding, want.Namespace, want.Name)
			require.NotNil(t, got, key)
			rb := got.Object().(*rbacv1.RoleBinding)
			assert.Equal(t, want.Subjects, rb.Subjects, key)
			assert.Equal(t, want.RoleRef, rb.RoleRef, key)
		case *networkingv1.NetworkPolicy:
			if checked["netpol"] {
				continue
			}
			checked["netpol"] = true
			got := inv.Get(inventory.KindNetworkPolicy, want.Namespace, want.Name)
			require.NotNil(t, got, key)
			assert.Equal(t, want.Spec.PolicyTypes, got.Object().(*networkingv1.NetworkPolicy).Spec.PolicyTypes, key)
		case *corev1.ServiceAccount:
			if checked["sa"] || want.AutomountServiceAccountToken == nil {
				continue
			}
			checked["sa"] = true
			got := inv.Get(inventory.KindServiceAccount, want.Namespace, want.Name)
			require.NotNil(t, got, key)
			assert.Equal(t, want.AutomountServiceAccountToken, got.Object().(*corev1.ServiceAccount).AutomountServiceAccountToken, key)
		case *corev1.Pod:
			if checked["pod"] {
				continue
			}
			checked["pod"] = true
			got := inv.Get(inventory.KindPod, want.Namespace, want.Name)
			require.NotNil(t, got, key)
			p := got.Object().(*corev1.Pod)
			assert.Equal(t, want.Spec.Containers[0].Image, p.Spec.Containers[0].Image, key)
			assert.Equal(t, want.Spec.Containers[0].SecurityContext, p.Spec.Containers[0].SecurityContext, key)
		}
	}
	assert.Len(t, checked, 7, "every spot check ran: %v", checked)
}
