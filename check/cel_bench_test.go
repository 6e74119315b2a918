package check_test

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// BenchmarkCEL runs one compiled CEL check over 10,000 pods and reports the cost per object.
// The objects' map forms are converted once, before timing, as they are in a scan where
// several checks share them.
func BenchmarkCEL(b *testing.B) {
	const n = 10_000
	objs := make([]runtime.Object, 0, n+n/100)
	for i := range n {
		objs = append(objs, pod(fmt.Sprintf("ns-%d", i%100), fmt.Sprintf("pod-%05d", i), func(p *corev1.Pod) {
			p.Labels = map[string]string{"app": "web", "team": "shop"}
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "sidecar", Image: "ghcr.io/example/proxy:2"})
			if i%10 == 0 {
				p.Spec.HostNetwork = true
			}
		}))
	}
	for i := range 100 {
		objs = append(objs, namespace(fmt.Sprintf("ns-%d", i), map[string]string{"env": "prod"}))
	}
	inv, err := inventory.New(objs...)
	if err != nil {
		b.Fatal(err)
	}
	for _, o := range inv.Objects() {
		if _, err := o.Map(); err != nil {
			b.Fatal(err)
		}
	}
	benches := []struct {
		name string
		spec check.CELSpec
	}{
		{"field", check.CELSpec{
			Expression: "object.spec.?hostNetwork.orValue(false) == false",
			Message:    "'pod ' + object.metadata.name + ' uses the host network'",
		}},
		{"containers", check.CELSpec{
			Expression: "object.spec.containers.all(c, params.registries.exists(r, c.image.startsWith(r + '/')))",
			Params:     map[string]any{"registries": []any{"registry.example.com", "ghcr.io/example"}},
		}},
		{"namespace+lookup", check.CELSpec{
			Expression: "namespaceObject.metadata.labels.env == 'prod' && inventory.list('Pod', object.metadata.namespace).size() > 0",
		}},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			bb.spec.Meta = testMeta("bench:"+bb.name, inventory.KindPod)
			c, err := check.CEL(bb.spec)
			if err != nil {
				b.Fatal(err)
			}
			results := 0
			pass := check.NewPass(inv, c.Meta(), nil, func(check.Finding) { results++ })
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				results = 0
				if err := c.Run(context.Background(), pass); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if results != n {
				b.Fatalf("%d results, want %d", results, n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/object")
		})
	}
}
