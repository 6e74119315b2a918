package inventory

import (
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestSharedRef(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", UID: "u-1"}}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}
	tests := []struct {
		name string
		obj  runtime.Object
		src  Source
		want Ref
	}{
		{"from a file", pod, Source{File: "pods.yaml", Line: 3},
			Ref{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "web", UID: "u-1", Source: &Source{File: "pods.yaml", Line: 3}}},
		{"rendered", pod, Source{File: "templates/pod.yaml", Root: "helm:charts/web"},
			Ref{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "web", UID: "u-1",
				Source: &Source{File: "templates/pod.yaml", Root: "helm:charts/web"}}},
		{"from the API", ns, Source{}, Ref{APIVersion: "v1", Kind: "Namespace", Name: "shop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder(ModeManifests)
			require.NoError(t, b.Add(tt.obj, tt.src))
			inv := b.Build()
			require.Equal(t, 1, inv.Len())
			o := inv.Objects()[0]

			// Concurrent first calls agree on one reference.
			refs := make([]*Ref, 8)
			var wg sync.WaitGroup
			for i := range refs {
				wg.Go(func() { refs[i] = o.SharedRef() })
			}
			wg.Wait()
			for _, r := range refs {
				assert.Same(t, refs[0], r)
			}
			assert.Equal(t, tt.want, *refs[0])
			assert.Equal(t, o.Ref(), *refs[0], "SharedRef and Ref describe the object alike")
			if tt.want.Source != nil {
				assert.NotSame(t, refs[0].Source, o.Ref().Source, "Ref returns a copy")
			}
			assert.Equal(t, tt.want.String(), o.String())
		})
	}
}

// TestSharedRefAfterChangeBeforeBuild: a change made to an object between Add and Build shows
// in its references, as Build reads the metadata again.
func TestSharedRefAfterChangeBeforeBuild(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}}
	b := NewBuilder(ModeManifests)
	require.NoError(t, b.Add(pod, Source{File: "a.yaml", Line: 1}))
	b.objects[0].SharedRef() // made before the change
	pod.Name = "api"
	inv := b.Build()
	assert.Equal(t, "api", inv.Objects()[0].SharedRef().Name)
}

// TestSortObjects: sorting in parts and merging them gives the order of one sort, whatever
// the number of parts, objects defined twice (told apart by source, then by the order of
// Add) included.
func TestSortObjects(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var objs []*Object
	for i := range 20_000 {
		var obj runtime.Object = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
			Namespace: fmt.Sprintf("ns-%d", rng.IntN(5)), Name: fmt.Sprintf("o-%d", rng.IntN(3000))}}
		if rng.IntN(3) == 0 {
			obj = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ns-%d", rng.IntN(3000))}}
		}
		o, err := wrap(obj, Source{File: fmt.Sprintf("f-%d.yaml", rng.IntN(3)), Line: rng.IntN(4)})
		require.NoError(t, err)
		o.seq = int32(i)
		objs = append(objs, o)
	}
	want := slices.Clone(objs)
	slices.SortFunc(want, compareObjects)
	for _, procs := range []int{1, 2, 3, 8} {
		func() {
			defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(procs))
			got := sortObjects(slices.Clone(objs))
			require.Len(t, got, len(want))
			for i := range want {
				require.Same(t, want[i], got[i], "GOMAXPROCS=%d: object %d", procs, i)
			}
		}()
	}
}

// TestCompareObjects: objects of one inventory compare by their places in it exactly as by
// their identities and sources (definitions read from the same place compare equal); objects
// of different inventories, or of none, by identity and source.
func TestCompareObjects(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	build := func() *Inventory {
		b := NewBuilder(ModeManifests)
		for range 3000 {
			var obj runtime.Object = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
				Namespace: fmt.Sprintf("ns-%d", rng.IntN(3)), Name: fmt.Sprintf("o-%d", rng.IntN(200))}}
			if rng.IntN(4) == 0 {
				obj = &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ns-0", Name: fmt.Sprintf("o-%d", rng.IntN(200))}}
			}
			src := Source{File: fmt.Sprintf("f-%d.yaml", rng.IntN(2)), Line: rng.IntN(3)}
			if rng.IntN(3) == 0 { // rendered, no line: definitions from one template tie
				src = Source{File: "templates/cm.yaml", Root: "helm:charts/web"}
			}
			require.NoError(t, b.Add(obj, src))
		}
		return b.Build()
	}
	one, other := build(), build()
	loose, err := wrap(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns-1", Name: "o-7"}}, Source{File: "f-0.yaml"})
	require.NoError(t, err)
	objs := append(slices.Clone(one.Objects()), other.Objects()...)
	objs = append(objs, loose)
	ties := 0
	for range 200_000 {
		a, b := objs[rng.IntN(len(objs))], objs[rng.IntN(len(objs))]
		want := compareIdentities(a, b)
		require.Equal(t, want, CompareObjects(a, b), "%s (%s) and %s (%s)", a, a.source, b, b.source)
		if want == 0 && a != b {
			ties++
		}
	}
	assert.Positive(t, ties, "definitions from one place were compared")
}
