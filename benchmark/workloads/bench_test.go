package workloads_test

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/cputime"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
)

// benchObjects is the size of the synthetic cluster the benchmarks scan, the bar of
// docs/PERFORMANCE.md.
const benchObjects = 50_000

// floorTimes are the decode floor's wall and CPU time.
type floorTimes struct{ wall, cpu time.Duration }

// benchCluster is the synthetic cluster, built once, with the time it takes to merely decode
// its YAML on one core (the decode floor), measured in the same run: wall time, and CPU time,
// which other processes competing for the cores do not inflate.
var benchCluster = sync.OnceValues(func() (*inventory.Inventory, floorTimes) {
	objs := synth.Generate(1, benchObjects)
	docs := make([][]byte, len(objs))
	for i, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			panic(err)
		}
		docs[i] = y
	}
	prev := runtime.GOMAXPROCS(1)
	runtime.GC()
	start, startCPU := time.Now(), cputime.Process()
	for _, d := range docs {
		var m map[string]any
		if err := yaml.Unmarshal(bytes.Clone(d), &m); err != nil {
			panic(err)
		}
	}
	floor := floorTimes{wall: time.Since(start), cpu: cputime.Process() - startCPU}
	runtime.GOMAXPROCS(prev)
	inv, err := inventory.New(append([]k8sruntime.Object(nil), objs...)...)
	if err != nil {
		panic(err)
	}
	return inv, floor
})

// BenchmarkWorkloads runs the whole benchmark over a synthetic 50,000-object cluster, as the
// runner does (concurrently); x-floor is its wall time against the decode floor's, x-floor-cpu
// its CPU time against the floor's.
func BenchmarkWorkloads(b *testing.B) {
	inv, floor := benchCluster()
	checks := workloads.Workloads().Checks
	b.ReportAllocs()
	b.ResetTimer()
	var results int
	startCPU := cputime.Process()
	for b.Loop() {
		rs, err := kspm.Run(context.Background(), inv, checks)
		if err != nil {
			b.Fatal(err)
		}
		results = len(rs)
	}
	cpu := cputime.Process() - startCPU
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(floor.wall), "x-floor")
	b.ReportMetric(float64(cpu)/float64(b.N)/float64(floor.cpu), "x-floor-cpu")
	b.ReportMetric(float64(floor.cpu.Milliseconds()), "floor-cpu-ms")
	b.ReportMetric(float64(results), "results/op")
}

// BenchmarkChecks times each control alone over the same cluster.
func BenchmarkChecks(b *testing.B) {
	inv, floor := benchCluster()
	for _, c := range workloads.Workloads().Checks {
		b.Run(c.Meta().ID, func(b *testing.B) {
			b.ReportAllocs()
			params, err := check.ResolveParams(c, nil)
			if err != nil {
				b.Fatal(err)
			}
			startCPU := cputime.Process()
			for b.Loop() {
				p := check.NewPass(inv, c.Meta(), params, func(check.Finding) {})
				if err := c.Run(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-startCPU)/float64(b.N)/float64(floor.cpu), "x-floor-cpu")
		})
	}
}
