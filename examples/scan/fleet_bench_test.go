package main

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kspm-dev/kspm/internal/synth"
)

// fleetBenchObjects is the number of objects of each synthetic cluster of
// BenchmarkFleetPeakHeap: KSPM_FLEET_BENCH_OBJECTS, else 10,000.
func fleetBenchObjects(b *testing.B) int {
	if s := os.Getenv("KSPM_FLEET_BENCH_OBJECTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("KSPM_FLEET_BENCH_OBJECTS=%q: want a positive number", s)
		}
		return n
	}
	return 10_000
}

// peakHeap samples the heap every millisecond while f runs, and returns the most it held
// (its objects, garbage not yet collected included) and the most the garbage collector found
// live, each less the live heap before f.
func peakHeap(f func()) (heap, live uint64) {
	runtime.GC()
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	read := func() (uint64, uint64) {
		metrics.Read(samples)
		return samples[0].Value.Uint64(), samples[1].Value.Uint64()
	}
	_, base := read()
	var (
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	sample := func() {
		h, l := read()
		heap, live = max(heap, h), max(live, l)
	}
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	sample()
	return heap - min(heap, base), live - min(live, base)
}

// BenchmarkFleetPeakHeap measures the peak heap of the scanner over three synthetic clusters
// (served by fake API servers in this process, their lists encoded before the measure) against
// one of them: alone (--context), as a fleet of one (--all-contexts), and as a fleet of three
// with the default --cluster-parallelism (4: the three are held at once) and with 1 (one
// cluster held at a time). The reports go to io.Discard. peak-MB is the most heap held over
// what was live before the run, garbage included; peak-live-MB the most the garbage
// collector found live (read at each collection: a lower bound); x-one and live-x-one are
// their ratios to the scan of one cluster alone.
//
//	go test ./examples/scan -run '^$' -bench FleetPeakHeap -benchtime 1x
func BenchmarkFleetPeakHeap(b *testing.B) {
	b.Setenv("KUBERNETES_SERVICE_HOST", "")
	n := fleetBenchObjects(b)
	var contexts []kubeContext
	for i := range 3 {
		c := newFakeCluster(b, fakeOptions{token: "t"}, synth.Generate(uint64(i+1), n)...)
		contexts = append(contexts, kubeContext{"c" + strconv.Itoa(i), c, ""})
	}
	one := writeFleetKubeconfig(b, contexts[0])
	three := writeFleetKubeconfig(b, contexts...)
	cases := []struct {
		name string
		args []string
	}{
		{"one", []string{"--kubeconfig", three, "--context", "c0"}},
		{"fleet-of-one", []string{"--kubeconfig", one, "--all-contexts"}},
		{"three", []string{"--kubeconfig", three, "--all-contexts"}},
		{"three-one-at-a-time", []string{"--kubeconfig", three, "--all-contexts", "--cluster-parallelism", "1"}},
	}
	for _, format := range []string{"json", "table"} {
		var baseHeap, baseLive float64
		for _, tc := range cases {
			b.Run(format+"/"+tc.name, func(b *testing.B) {
				var heapMB, liveMB float64
				for range b.N {
					var code int
					heap, live := peakHeap(func() {
						code = run(context.Background(), append(tc.args, "-o", format), strings.NewReader(""), io.Discard, io.Discard)
					})
					if code != exitOK {
						b.Fatalf("exit %d", code)
					}
					heapMB, liveMB = float64(heap)/(1<<20), float64(live)/(1<<20)
				}
				b.ReportMetric(heapMB, "peak-MB")
				b.ReportMetric(liveMB, "peak-live-MB")
				if tc.name == "one" {
					baseHeap, baseLive = heapMB, liveMB
				} else if baseHeap > 0 && baseLive > 0 {
					b.ReportMetric(heapMB/baseHeap, "x-one")
					b.ReportMetric(liveMB/baseLive, "live-x-one")
				}
			})
		}
	}
}
