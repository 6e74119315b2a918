package cis

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// BenchmarkV112 runs every control over a cluster of 100,000 pods in 1,000
// namespaces with a kubeadm control plane: go test -run - -bench V112 -benchtime 1x
func BenchmarkV112(b *testing.B) {
	bld := inventory.NewBuilder(inventory.ModeCluster)
	for comp, args := range kubeadmDefaults {
		_ = bld.Add(staticPod(comp, "cp1", args...), inventory.Source{})
	}
	for i := 0; i < 1000; i++ {
		ns := fmt.Sprintf("ns-%d", i)
		_ = bld.Add(namespace(ns, nil), inventory.Source{})
		for j := 0; j < 100; j++ {
			_ = bld.Add(&corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p-%d", j), Namespace: ns},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "app:1",
					Command: []string{"/app", "--port=8080"}}}}}, inventory.Source{})
		}
	}
	for _, k := range inventory.BuiltinKinds() {
		bld.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	inv := bld.Build()
	checks := V112().Checks
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for _, c := range checks {
			if c.Meta().Manual {
				continue
			}
			pass := check.NewPass(inv, c.Meta(), nil, func(check.Finding) { n++ })
			if err := c.Run(context.Background(), pass); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "results/op")
	}
}
