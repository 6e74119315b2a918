package monitor

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// defaultNSChecks are the checks that read the listing of namespace default's other resources.
var defaultNSChecks = []string{"workloads:default-namespace", "cis:5.6.4"}

// listedCluster is a fake cluster whose discovery serves PersistentVolumeClaims, and a
// metadata client through which they are listed, whose lists of them can be forbidden.
type listedCluster struct {
	*cluster
	mc     *metadatafake.FakeMetadataClient
	forbid atomic.Bool
}

var pvcs = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"}

func newListedCluster(t *testing.T, objs ...runtime.Object) *listedCluster {
	t.Helper()
	c := &listedCluster{cluster: newCluster(namespace("default"), namespace("shop"))}
	verbs := metav1.Verbs{"create", "list", "watch"}
	c.cs.Resources = []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "pods", Namespaced: true, Kind: "Pod", Verbs: verbs},
		{Name: "persistentvolumeclaims", Namespaced: true, Kind: "PersistentVolumeClaim", Verbs: verbs}}}}
	scheme := metadatafake.NewTestScheme()
	require.NoError(t, metav1.AddMetaToScheme(scheme))
	c.mc = metadatafake.NewSimpleMetadataClient(scheme, objs...)
	c.mc.PrependReactor("list", "persistentvolumeclaims", func(clienttesting.Action) (bool, runtime.Object, error) {
		if c.forbid.Load() {
			return true, nil, apierrors.NewForbidden(pvcs.GroupResource(), "", nil)
		}
		return false, nil, nil
	})
	return c
}

func pvc(ns, name string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("u-" + name)}}
}

func (c *listedCluster) start(t *testing.T, opts ...Option) *running {
	t.Helper()
	return start(t, c.cluster, bench(t, "workloads", "cis-1.12"), append([]Option{WithClusterOptions(
		inventory.WithMetadataClient(c.mc), inventory.WithDefaultNamespaceListing(),
		inventory.WithDefaultNamespaceRefresh(20*time.Millisecond))}, opts...)...)
}

// aboutDefault returns the results of the checks of namespace default in the monitor's report,
// by check: status, object and message.
func aboutDefault(t *testing.T, m *Monitor) map[string][]string {
	t.Helper()
	rep, err := m.Report()
	require.NoError(t, err)
	return defaultBriefs(rep.Results)
}

// defaultBriefs sums up, by check, the results of the checks of namespace default: status,
// object and message.
func defaultBriefs(results []check.Result) map[string][]string {
	out := map[string][]string{}
	for _, r := range results {
		if r.CheckID != defaultNSChecks[0] && r.CheckID != defaultNSChecks[1] {
			continue
		}
		obj := "-"
		if r.Object != nil {
			obj = r.Object.Kind + " " + r.Object.Namespace + "/" + r.Object.Name
		}
		out[r.CheckID] = append(out[r.CheckID], string(r.Status)+" "+obj+": "+r.Message)
	}
	return out
}

// defaultDeltas waits for an update with deltas of the checks of namespace default and
// returns them, by check; it fails on a delta of another check.
func (r *running) defaultDeltas() (map[string][]Delta, Update) {
	r.t.Helper()
	for {
		u := r.next()
		out := map[string][]Delta{}
		for _, d := range u.Deltas {
			require.Contains(r.t, defaultNSChecks, d.Key.CheckID, "only the checks that read the listing change: %+v", d.Key)
			out[d.Key.CheckID] = append(out[d.Key.CheckID], d)
		}
		if len(out) > 0 {
			return out, u
		}
	}
}

// scanWithListing is what kspm.Scan says of the two checks over a one-shot load of c with
// the listing.
func scanWithListing(t *testing.T, c *listedCluster) map[string][]string {
	t.Helper()
	inv, err := inventory.FromClientset(t.Context(), c.cs, inventory.WithMetadataClient(c.mc),
		inventory.WithDefaultNamespaceListing())
	require.NoError(t, err)
	rep, err := kspm.Scan(t.Context(), inv, bench(t, "workloads", "cis-1.12"))
	require.NoError(t, err)
	return defaultBriefs(rep.Results)
}

func TestDefaultNamespaceListingOpensAndResolves(t *testing.T) {
	c := newListedCluster(t)
	r := c.start(t)
	for _, id := range defaultNSChecks {
		got := aboutDefault(t, r.m)[id]
		require.Len(t, got, 1, id)
		assert.Contains(t, got[0], "pass -: no object but the control plane's own", "listed at the start: evaluated")
	}

	require.NoError(t, c.mc.Tracker().Add(pvc("default", "data")))
	ds, u := r.defaultDeltas()
	assert.Zero(t, u.Objects, "the listing is no object change")
	assert.ElementsMatch(t, defaultNSChecks, u.Whole, "a new listing re-runs exactly the checks that read it")
	for _, id := range defaultNSChecks {
		var opened []string
		for _, d := range ds[id] {
			if d.Kind == Opened {
				opened = append(opened, d.Key.Kind+" "+d.Key.Namespace+"/"+d.Key.Name+" "+string(d.After.Status))
			}
		}
		assert.Equal(t, []string{"PersistentVolumeClaim default/data fail"}, opened, id)
	}
	assert.Equal(t, scanWithListing(t, c), aboutDefault(t, r.m))
	r.quiet(150 * time.Millisecond) // listings that say nothing new re-run nothing

	require.NoError(t, c.mc.Tracker().Delete(pvcs, "default", "data", metav1.DeleteOptions{}))
	ds, _ = r.defaultDeltas()
	for _, id := range defaultNSChecks {
		var resolved []string
		for _, d := range ds[id] {
			if d.Kind == Resolved {
				resolved = append(resolved, d.Key.Kind+" "+d.Key.Namespace+"/"+d.Key.Name)
			}
		}
		assert.Equal(t, []string{"PersistentVolumeClaim default/data"}, resolved, id)
	}
	assert.Equal(t, scanWithListing(t, c), aboutDefault(t, r.m))
}

func TestDefaultNamespaceListingForbidden(t *testing.T) {
	t.Run("from the start", func(t *testing.T) {
		c := newListedCluster(t, pvc("default", "data"))
		c.forbid.Store(true)
		r := c.start(t)
		for _, id := range defaultNSChecks {
			got := aboutDefault(t, r.m)[id]
			require.Len(t, got, 1, id)
			assert.Contains(t, got[0], "notEvaluated -: ", id)
			assert.Contains(t, got[0], "forbidden: persistentvolumeclaims", id)
		}
		r.quiet(100 * time.Millisecond) // still forbidden: nothing new
	})
	t.Run("later, and allowed again", func(t *testing.T) {
		c := newListedCluster(t, pvc("default", "data"))
		r := c.start(t)
		for _, id := range defaultNSChecks {
			got := aboutDefault(t, r.m)[id]
			require.Len(t, got, 1, id)
			assert.Contains(t, got[0], "fail PersistentVolumeClaim default/data: ", id)
		}

		c.forbid.Store(true)
		ds, _ := r.defaultDeltas()
		for _, id := range defaultNSChecks {
			kinds := map[string]string{}
			for _, d := range ds[id] {
				assert.NotEqual(t, Resolved, d.Kind, "a finding no longer seen is not resolved: %+v", d.Key)
				kinds[d.Key.Kind+" "+d.Key.Name] = string(d.Kind)
				if d.Key.Kind == "PersistentVolumeClaim" {
					assert.Equal(t, check.StatusFail, d.Before.Status)
					assert.Equal(t, check.StatusNotEvaluated, d.After.Status)
				}
			}
			assert.Equal(t, "changed", kinds["PersistentVolumeClaim data"], id)
			got := aboutDefault(t, r.m)[id]
			require.Len(t, got, 1, id)
			assert.Contains(t, got[0], "forbidden: persistentvolumeclaims", id)
		}

		c.forbid.Store(false)
		ds, _ = r.defaultDeltas()
		for _, id := range defaultNSChecks {
			for _, d := range ds[id] {
				assert.NotEqual(t, Opened, d.Kind, "a finding seen again is not opened: %+v", d.Key)
				if d.Key.Kind == "PersistentVolumeClaim" {
					assert.Equal(t, Changed, d.Kind)
					assert.Equal(t, check.StatusNotEvaluated, d.Before.Status)
					assert.Equal(t, check.StatusFail, d.After.Status)
				}
			}
		}
		assert.Equal(t, scanWithListing(t, c), aboutDefault(t, r.m))
	})
}
