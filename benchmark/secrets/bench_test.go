package secrets_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/internal/cputime"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
)

// BenchmarkSecrets runs the whole benchmark over the synthetic cluster of internal/synth
// (50,000 objects: 1,300 namespaces with 7,000 Secrets, 7,000 ConfigMaps, dense RBAC), as
// listed from a cluster (every kind seen, so unreferenced and readers judge), its Secrets
// given creation times and managedFields spread over two years. It reports x-floor: the time
// of a run over the time, measured in the same run on one core, that decoding the same
// objects' YAML with sigs.k8s.io/yaml takes (docs/PERFORMANCE.md). Run it with
//
//	go test -run '^$' -bench . -benchtime 1x -benchmem ./benchmark/secrets
func BenchmarkSecrets(b *testing.B) {
	const n = 50_000
	objs := synth.Generate(1, n)
	asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, o := range objs {
		if s, ok := o.(*corev1.Secret); ok {
			created := metav1.NewTime(asOf.AddDate(0, 0, -(i % 730)))
			written := metav1.NewTime(created.AddDate(0, 0, i%200))
			s.CreationTimestamp = created
			s.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "helm", Operation: metav1.ManagedFieldsOperationUpdate,
				Time: &written, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:data":{},"f:type":{}}`)}}}
		}
	}
	floor, floorCPU := decodeFloor(b, objs)
	bld := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		bld.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, o := range objs {
		if err := bld.Add(o, inventory.Source{}); err != nil {
			b.Fatal(err)
		}
	}
	inv := bld.Build()
	checks := secrets.Secrets().Checks
	opts := []kspm.Option{kspm.WithParams("secrets:rotation-age", map[string]any{"asOf": asOf.Format(time.RFC3339)})}
	results := 0
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		rs, err := kspm.Run(context.Background(), inv, checks, opts...)
		if err != nil {
			b.Fatal(err)
		}
		results = len(rs)
	}
	cpu := cputime.Process() - cpu0
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(floor), "x-floor")
	b.ReportMetric(float64(cpu)/float64(b.N)/float64(floorCPU), "cpu-x-floor")
	b.ReportMetric(float64(floor.Milliseconds()), "floor-ms")
	b.ReportMetric(float64(floorCPU.Milliseconds()), "floor-cpu-ms")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(results), "results/op")
	b.ReportMetric(float64(inv.Len()), "objects")
}

// decodeFloor returns how long decoding every object's YAML into map[string]any takes on one
// core, in wall and CPU time: the best of three runs. (On a busy machine the wall times of
// both sides grow; compare the CPU ratio.)
func decodeFloor(b *testing.B, objs []k8sruntime.Object) (wall, cpu time.Duration) {
	b.Helper()
	docs := make([][]byte, len(objs))
	for i, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = bytes.Clone(y)
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	for range 3 {
		runtime.GC()
		start, cpuStart := time.Now(), cputime.Process()
		for _, d := range docs {
			var m map[string]any
			if err := yaml.Unmarshal(d, &m); err != nil {
				b.Fatal(fmt.Errorf("floor: %w", err))
			}
		}
		if d := time.Since(start); wall == 0 || d < wall {
			wall = d
		}
		if d := cputime.Process() - cpuStart; cpu == 0 || d < cpu {
			cpu = d
		}
	}
	return wall, cpu
}
