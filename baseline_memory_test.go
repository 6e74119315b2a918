package kspm_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// TestBaselineDiffMemory measures the memory of comparing a scan's JSON report with itself as
// a baseline (report.ReadBaseline, then each result of the report read as it streams and
// marked), against the memory of loading the report once (report.ReadJSON): peak heap while
// reading, and the heap still held afterwards. The report is of a scan of a generated
// cluster: 3,000 objects, or 100,000 with KSPM_BENCH_LARGE=1 (about a million results; see
// docs/PERFORMANCE.md for the figures).
func TestBaselineDiffMemory(t *testing.T) {
	n := 3_000
	if ok, _ := strconv.ParseBool(os.Getenv("KSPM_BENCH_LARGE")); ok {
		n = 100_000
	} else if testing.Short() {
		t.Skip("short")
	}
	path := filepath.Join(t.TempDir(), "report.json")
	func() {
		inv, err := inventory.New(synth.Generate(1, n)...)
		require.NoError(t, err)
		bms, err := kspm.SelectBenchmarks(kspm.DefaultBenchmarkNames())
		require.NoError(t, err)
		f, err := os.Create(path)
		require.NoError(t, err)
		defer f.Close()
		_, err = kspm.ScanJSON(context.Background(), f, inv, bms)
		require.NoError(t, err)
	}()
	fi, err := os.Stat(path)
	require.NoError(t, err)

	var results int
	loadPeak, loadHeld, loadTime := measureHeap(t, func() any {
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		rep, err := report.ReadJSON(f)
		require.NoError(t, err)
		results = len(rep.Results)
		return rep
	})
	var sum *report.BaselineSummary
	diffPeak, diffHeld, diffTime := measureHeap(t, func() any {
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		b, err := report.ReadBaseline(f, path, 0)
		require.NoError(t, err)
		g, err := os.Open(path)
		require.NoError(t, err)
		defer g.Close()
		c := b.Compare()
		head, err := report.ReadJSONStream(g, 0, func(r *check.Result) error {
			c.Mark(r)
			return nil
		})
		require.NoError(t, err)
		sum = c.Summary(head)
		return b
	})
	require.Zero(t, sum.New)
	require.Zero(t, sum.Resolved)
	require.Positive(t, sum.Present)
	t.Logf("%d objects: report of %d results, %.0f MB, %d findings", n, results, float64(fi.Size())/1e6, sum.Present)
	t.Logf("load once (ReadJSON):  peak heap %.0f MB, held %.0f MB, %s", mb(loadPeak), mb(loadHeld), loadTime.Round(time.Millisecond))
	t.Logf("diff (ReadBaseline + streamed compare): peak heap %.0f MB (%.2f× the load), held %.0f MB (%.2f×), %s (%.2f×)",
		mb(diffPeak), float64(diffPeak)/float64(loadPeak), mb(diffHeld), float64(diffHeld)/float64(loadHeld),
		diffTime.Round(time.Millisecond), float64(diffTime)/float64(loadTime))
	require.Less(t, diffPeak, loadPeak, "a diff holds less than the report it reads")
}

func mb(b uint64) float64 { return float64(b) / 1e6 }

// measureHeap runs f and returns the peak of the heap's live and unswept objects while it ran
// and the heap still held after a collection with f's result alive, both above the heap
// before, and the time f took.
func measureHeap(t *testing.T, f func() any) (peak, held uint64, took time.Duration) {
	t.Helper()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var (
		mu   sync.Mutex
		max  uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if v := read(); v > base {
					mu.Lock()
					max = maxOf(max, v-base)
					mu.Unlock()
				}
			}
		}
	})
	start := time.Now()
	keep := f()
	took = time.Since(start)
	close(done)
	wg.Wait()
	runtime.GC()
	if v := read(); v > base {
		held = v - base
	}
	runtime.KeepAlive(keep)
	return max, held, took
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
