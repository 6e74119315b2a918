package monitor

// Benchmarks of the monitor's re-evaluation, on synthetic clusters (internal/synth) with a
// kubeadm control plane, every check of the default benchmarks. Run them with
//
//	go test -bench . -benchmem -run '^$' ./monitor
//
// (10,000 objects; KSPM_BENCH_LARGE=1 adds 100,000, a few minutes and about 2 GB).
// docs/PERFORMANCE.md has the figures.

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/internal/cputime"
	"github.com/kspm-dev/kspm/inventory"
)

func monitorBenchSizes() []int {
	if ok, _ := strconv.ParseBool(os.Getenv("KSPM_BENCH_LARGE")); ok {
		return []int{10_000, 100_000}
	}
	return []int{10_000}
}

// benchCluster is the inventory a watch of a synthetic cluster of about n objects starts with.
func benchCluster(tb testing.TB, n int) *inventory.Inventory {
	tb.Helper()
	return clusterInventory(tb, newModel(1, n))
}

// benchPods returns the pods of inv in namespaces of user workloads (bare pods, in the
// synthetic clusters).
func benchPods(tb testing.TB, inv *inventory.Inventory) []*inventory.Object {
	tb.Helper()
	var out []*inventory.Object
	for _, o := range inv.ByKind(inventory.KindPod) {
		if o.Namespace() != "kube-system" {
			out = append(out, o)
		}
	}
	require.NotEmpty(tb, out)
	return out
}

// changePod derives from inv the inventory where pod o is changed by change, and returns it
// with the change.
func changePod(tb testing.TB, inv *inventory.Inventory, o *inventory.Object, change func(*corev1.Pod)) (*inventory.Inventory, inventory.Change) {
	old := inv.Get(o.GroupKind(), o.Namespace(), o.Name())
	pod := old.Object().(*corev1.Pod).DeepCopy()
	change(pod)
	next, err := inv.With(inventory.Put(pod))
	if err != nil {
		tb.Fatal(err)
	}
	return next, inventory.Change{Old: old, New: next.Get(o.GroupKind(), o.Namespace(), o.Name())}
}

// podChangeTimes keeps the time per change measured at each size in a run, for the ratio.
var (
	podChangeMu    sync.Mutex
	podChangeTimes = map[int]float64{}
)

// BenchmarkPodChange measures the re-evaluation after one pod change: a pod's first
// container turned privileged (or back), each operation another pod, in turn through every
// pod of the cluster's workload namespaces; each operation is one change, derived
// as a watch derives it (inventory.Inventory.With) and evaluated (every check the change can
// affect re-run, for the pod only where the check allows). It reports cpu-ns/op, the
// process's CPU time per change (garbage collection included), which other jobs on the
// machine do not inflate as they do wall time; x-whole, that over the CPU time of re-running
// every check over the whole inventory (what a monitor without dependencies, or a periodic
// re-scan, pays for each change); and at 100,000 objects, x-10k, its CPU time per change over
// the one at 10,000 measured in the same run.
func BenchmarkPodChange(b *testing.B) {
	ctx := context.Background()
	for _, n := range monitorBenchSizes() {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			inv := benchCluster(b, n)
			e, err := newEngine(defaultChecks(b), nil, 0, []kspm.Option{kspm.WithParallelism(runtime.GOMAXPROCS(0))})
			require.NoError(b, err)
			_, _, err = e.step(ctx, inv, nil, true, false)
			require.NoError(b, err)
			// What re-running every check over the whole inventory costs, to compare with.
			runtime.GC()
			cpu := cputime.Process()
			_, _, err = e.step(ctx, inv, nil, true, false)
			require.NoError(b, err)
			whole := float64((cputime.Process() - cpu).Nanoseconds())
			pods := benchPods(b, inv)
			wholes := 0
			b.ReportAllocs()
			runtime.GC()
			b.ResetTimer()
			cpu = cputime.Process()
			for i := range b.N {
				privileged := i/len(pods)%2 == 0
				next, ch := changePod(b, inv, pods[i%len(pods)], func(p *corev1.Pod) {
					p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &privileged}
				})
				_, st, err := e.step(ctx, next, []inventory.Change{ch}, false, false)
				if err != nil {
					b.Fatal(err)
				}
				wholes += len(st.whole)
				inv = next
			}
			perOp := float64((cputime.Process() - cpu).Nanoseconds()) / float64(b.N)
			b.StopTimer()
			b.ReportMetric(perOp, "cpu-ns/op")
			b.ReportMetric(perOp/whole, "x-whole")
			b.ReportMetric(float64(wholes)/float64(b.N), "whole-runs/op")
			podChangeMu.Lock()
			podChangeTimes[n] = perOp
			base, ok := podChangeTimes[10_000]
			podChangeMu.Unlock()
			if ok && n != 10_000 {
				b.ReportMetric(perOp/base, "x-10k")
			}
		})
	}
}

// heapAfterGC returns the live heap after two garbage collections.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMonitorHeap compares what a monitor holds with what a one-shot scan of the same
// cluster holds: the heap the inventory takes, then the heap added by the report of
// kspm.Scan (kept, as a scanner keeps it to write it), and the heap added by the monitor's
// results after its first evaluation and after 1,000 pod changes. Each is reported in MB;
// x-scan is the monitor's results over the report.
func BenchmarkMonitorHeap(b *testing.B) {
	ctx := context.Background()
	for _, n := range monitorBenchSizes() {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				base := heapAfterGC()
				inv := benchCluster(b, n)
				withInv := heapAfterGC()
				bs, err := kspm.Benchmarks(kspm.WithClusterVersion("v1.37"))
				require.NoError(b, err)
				withReport, results := func() (uint64, int) {
					rep, err := kspm.Scan(ctx, inv, bs)
					require.NoError(b, err)
					h := heapAfterGC()
					runtime.KeepAlive(rep)
					return h, len(rep.Results)
				}()
				afterScan := heapAfterGC()
				e, err := newEngine(defaultChecks(b), nil, 0, nil)
				require.NoError(b, err)
				_, _, err = e.step(ctx, inv, nil, true, false)
				require.NoError(b, err)
				withMonitor := heapAfterGC()
				pods := benchPods(b, inv)
				for i := range 1000 {
					next, ch := changePod(b, inv, pods[i%len(pods)], func(p *corev1.Pod) {
						p.Annotations = map[string]string{"rev": fmt.Sprint(i)}
					})
					_, _, err = e.step(ctx, next, []inventory.Change{ch}, false, false)
					require.NoError(b, err)
					inv = next
				}
				afterChanges := heapAfterGC()
				require.Equal(b, results, e.resultCount(), "the monitor holds the scan's results")
				mb := func(x uint64) float64 { return float64(x) / (1 << 20) }
				b.ReportMetric(mb(withInv-base), "inventory-MB")
				b.ReportMetric(mb(withReport-withInv), "scan-report-MB")
				b.ReportMetric(mb(withMonitor-afterScan), "monitor-results-MB")
				b.ReportMetric(mb(afterChanges-afterScan), "monitor-after-1000-changes-MB")
				b.ReportMetric(float64(withMonitor-afterScan)/float64(withReport-withInv), "x-scan")
				b.ReportMetric(float64(results), "results")
				runtime.KeepAlive(e)
				runtime.KeepAlive(inv)
			}
		})
	}
}
