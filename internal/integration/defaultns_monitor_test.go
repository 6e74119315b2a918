//go:build integration

package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/monitor"
)

// A monitor that lists namespace default's other resources (inventory.WithDefaultNamespaceListing)
// opens workloads:default-namespace's finding about a PersistentVolumeClaim created there at
// its next listing, and resolves it once the claim is deleted; as a user who may not list
// them, the check stays notEvaluated.
func TestMonitorDefaultNamespaceListing(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	bms, err := kspm.SelectBenchmarks([]string{"workloads"})
	require.NoError(t, err)
	const every = 500 * time.Millisecond
	listing := monitor.WithClusterOptions(inventory.WithDefaultNamespaceListing(), inventory.WithDefaultNamespaceRefresh(every))
	m, updates, _ := runMonitor(t, adminConfig(), bms, listing)
	r := &monitorRun{t: t, m: m, updates: updates}
	id := "workloads:default-namespace"
	result := func(m *monitor.Monitor) []check.Result {
		rep, err := m.Report()
		require.NoError(t, err)
		var out []check.Result
		for _, res := range rep.Results {
			if res.CheckID == id {
				out = append(out, res)
			}
		}
		return out
	}
	for _, res := range result(m) {
		assert.NotEqual(t, check.StatusNotEvaluated, res.Status, "the administrator lists every resource: %s", res.Message)
	}

	name := freshName("kspm-monpvc")
	key := monitor.Key{CheckID: id, Kind: "PersistentVolumeClaim", Namespace: metav1.NamespaceDefault, Name: name}
	awaitKind := func(kind monitor.DeltaKind) time.Duration {
		t.Helper()
		began := time.Now()
		us := r.await(string(kind)+" "+name, func(us []monitor.Update) bool {
			for _, u := range us {
				for _, d := range u.Deltas {
					if d.Key.CheckID == key.CheckID && d.Key.Kind == key.Kind && d.Key.Name == key.Name {
						return true
					}
				}
			}
			return false
		})
		for _, u := range us {
			for _, d := range u.Deltas {
				if d.Key.Kind == key.Kind && d.Key.Name == key.Name {
					assert.Equal(t, kind, d.Kind, "%s", deltaString(d))
				}
			}
		}
		return time.Since(began)
	}
	_, err = cs.CoreV1().PersistentVolumeClaims(metav1.NamespaceDefault).Create(ctx, smallPVC(name), metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.CoreV1().PersistentVolumeClaims(metav1.NamespaceDefault).Delete(ctx, name, metav1.DeleteOptions{})
	})
	opened := awaitKind(monitor.Opened)
	pvcs := cs.CoreV1().PersistentVolumeClaims(metav1.NamespaceDefault)
	require.NoError(t, pvcs.Delete(ctx, name, metav1.DeleteOptions{}))
	// The admission plugin StorageObjectInUseProtection gave the claim a finalizer, which no
	// controller of the test cluster removes: until then the claim is still there.
	_, err = pvcs.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	resolved := awaitKind(monitor.Resolved)
	st := m.Stats()
	t.Logf("PVC opened after %s, resolved after %s (refresh every %s): %.2fx and %.2fx the period; %d listings",
		opened.Round(time.Millisecond), resolved.Round(time.Millisecond), every,
		float64(opened)/float64(every), float64(resolved)/float64(every), st.Watch.DefaultNamespaceListings)

	t.Run("forbidden", func(t *testing.T) {
		low, _, _ := runMonitor(t, lowPrivConfig(), bms, listing)
		rs := result(low)
		require.NotEmpty(t, rs)
		seen := false
		for _, res := range rs {
			assert.NotEqual(t, check.StatusPass, res.Status, "%s", res.Message)
			seen = seen || res.Object == nil && res.Status == check.StatusNotEvaluated
		}
		assert.True(t, seen, "notEvaluated about no object: %v", rs)
	})
}

// smallPVC is a claim of 1Mi named name, in no namespace yet.
func smallPVC(name string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: apiresource.MustParse("1Mi")}}}}
}
