package kspm_test

// Benchmarks of kspm at scale, on synthetic inventories of realistic manifests
// (internal/synth). Run them with
//
//	go test -bench . -benchmem -run '^$' .
//
// Sizes are 1,000 and 10,000 objects; set KSPM_BENCH_LARGE=1 to add 50,000 and 100,000
// (several minutes, and a few GB of memory for the corpora). Every benchmark that reads
// YAML reports x-floor: its time per operation divided by the time, measured in the same
// run, that merely decoding the same YAML with sigs.k8s.io/yaml into map[string]any takes on
// one core (the floor, see BenchmarkDecodeFloor). docs/PERFORMANCE.md has the targets and
// the figures.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/cputime"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
	"github.com/kspm-dev/kspm/report"
)

// benchSeed seeds every generated corpus.
const benchSeed = 1

// benchSizes returns the corpus sizes to run, smallest first.
func benchSizes(small ...int) []int {
	if ok, _ := strconv.ParseBool(os.Getenv("KSPM_BENCH_LARGE")); ok {
		return append(small, 50_000, 100_000)
	}
	return small
}

// benchCorpus is one generated corpus, shared by the benchmarks of a run.
type benchCorpus struct {
	objs []k8sruntime.Object
	yaml []byte   // every object, as one multi-document YAML file
	docs [][]byte // the documents of yaml

	floorOnce sync.Once
	floor     time.Duration
}

var (
	corporaMu sync.Mutex
	corpora   = map[int]*benchCorpus{}
)

// corpus returns the corpus of about n objects, generating it on first use.
func corpus(b *testing.B, n int) *benchCorpus {
	b.Helper()
	corporaMu.Lock()
	defer corporaMu.Unlock()
	if c, ok := corpora[n]; ok {
		return c
	}
	objs := synth.Generate(benchSeed, n)
	var buf bytes.Buffer
	for _, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			b.Fatal(err)
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	c := &benchCorpus{objs: objs, yaml: buf.Bytes()}
	c.docs = splitDocuments(c.yaml)
	corpora[n] = c
	return c
}

// splitDocuments cuts a YAML stream at its "---" lines, without looking at the content.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	start := 0
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(data)
		}
		if bytes.Equal(bytes.TrimRight(data[pos:end], " \t\r"), []byte("---")) {
			if len(bytes.TrimSpace(data[start:pos])) > 0 {
				docs = append(docs, data[start:pos])
			}
			start = next
		}
		pos = next
	}
	if len(bytes.TrimSpace(data[start:])) > 0 {
		docs = append(docs, data[start:])
	}
	return docs
}

// decodeFloor decodes every document with sigs.k8s.io/yaml into map[string]any, as
// kubectl reads manifests, and nothing else.
func decodeFloor(b *testing.B, docs [][]byte) {
	for _, d := range docs {
		var m map[string]any
		if err := yaml.Unmarshal(d, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// floorTime returns how long decodeFloor takes over c on one core: the best of a few runs,
// measured once per corpus and run.
func (c *benchCorpus) floorTime(b *testing.B) time.Duration {
	c.floorOnce.Do(func() {
		prev := runtime.GOMAXPROCS(1)
		defer runtime.GOMAXPROCS(prev)
		runs := 3
		if len(c.objs) >= 50_000 {
			runs = 1
		}
		for range runs {
			runtime.GC()
			start := time.Now()
			decodeFloor(b, c.docs)
			if d := time.Since(start); c.floor == 0 || d < c.floor {
				c.floor = d
			}
		}
	})
	return c.floor
}

// defaultBenchmarks returns what the scanner runs when no -b is given: every bundled
// benchmark but aliases.
func defaultBenchmarks(b *testing.B) []benchmark.Benchmark {
	b.Helper()
	bms, err := kspm.SelectBenchmarks(kspm.DefaultBenchmarkNames())
	if err != nil {
		b.Fatal(err)
	}
	return bms
}

// reportFloorRatio reports the time per operation as a multiple of the corpus's floor.
func reportFloorRatio(b *testing.B, c *benchCorpus) {
	b.Helper()
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perOp)/float64(c.floorTime(b)), "x-floor")
}

func reportObjectRate(b *testing.B, objects int) {
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// writeOneFile writes c's YAML as one file under a fresh temporary folder.
func writeOneFile(b *testing.B, c *benchCorpus) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "all.yaml")
	if err := os.WriteFile(p, c.yaml, 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// writeManyFiles writes c's documents five to a file, as charts and kustomize output are
// laid out (10,000 objects make 2,000 files).
func writeManyFiles(b *testing.B, c *benchCorpus) string {
	b.Helper()
	dir := b.TempDir()
	const perFile = 5
	for i := 0; i < len(c.docs); i += perFile {
		sub := filepath.Join(dir, fmt.Sprintf("part-%03d", i/perFile/1000))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		for _, d := range c.docs[i:min(i+perFile, len(c.docs))] {
			buf.WriteString("---\n")
			buf.Write(d)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("m-%06d.yaml", i/perFile)), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkDecodeFloor is the floor itself: sigs.k8s.io/yaml decoding every document into
// map[string]any on one goroutine (GOMAXPROCS stays as set; floorTime pins it to 1).
func BenchmarkDecodeFloor(b *testing.B) {
	for _, n := range benchSizes(1_000, 10_000) {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			c := corpus(b, n)
			b.SetBytes(int64(len(c.yaml)))
			b.ResetTimer()
			for b.Loop() {
				decodeFloor(b, c.docs)
			}
			reportObjectRate(b, len(c.objs))
		})
	}
}

// BenchmarkLoadManifests loads the corpus with inventory.LoadManifests, as one file and as
// many small files.
func BenchmarkLoadManifests(b *testing.B) {
	for _, layout := range []string{"one-file", "many-files"} {
		for _, n := range benchSizes(1_000, 10_000) {
			b.Run(fmt.Sprintf("%s/objects=%d", layout, n), func(b *testing.B) {
				c := corpus(b, n)
				path := writeOneFile(b, c)
				if layout == "many-files" {
					path = writeManyFiles(b, c)
				}
				c.floorTime(b)
				b.SetBytes(int64(len(c.yaml)))
				b.ResetTimer()
				for b.Loop() {
					inv, err := inventory.LoadManifests(context.Background(), []string{path})
					if err != nil || inv.Len() != len(c.objs) || len(inv.Errors()) > 0 {
						b.Fatalf("loaded %d of %d objects, errors %v, %v", inv.Len(), len(c.objs), inv.Errors(), err)
					}
				}
				reportFloorRatio(b, c)
				reportObjectRate(b, len(c.objs))
			})
		}
	}
}

// BenchmarkLoadCluster loads the corpus from a fake clientset with inventory.FromClientset.
// Much of the time is the fake's own: it deep-copies every object it lists.
func BenchmarkLoadCluster(b *testing.B) {
	for _, n := range benchSizes(1_000, 10_000) {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			c := corpus(b, n)
			cs := fake.NewClientset(c.objs...)
			c.floorTime(b)
			b.ResetTimer()
			for b.Loop() {
				inv, err := inventory.FromClientset(context.Background(), cs)
				if err != nil || inv.Len() != len(c.objs) {
					b.Fatalf("listed %d of %d objects: %v", inv.Len(), len(c.objs), err)
				}
			}
			reportFloorRatio(b, c)
			reportObjectRate(b, len(c.objs))
		})
	}
}

// BenchmarkScan runs the scanner's default benchmarks (every bundled one but aliases) over
// an in-memory inventory of the corpus. x-floor is against decoding the same objects' YAML:
// the target is below 0.5.
func BenchmarkScan(b *testing.B) {
	for _, n := range benchSizes(10_000) {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			c := corpus(b, n)
			inv, err := inventory.New(c.objs...)
			if err != nil {
				b.Fatal(err)
			}
			bms := defaultBenchmarks(b)
			c.floorTime(b)
			var results int
			b.ResetTimer()
			for b.Loop() {
				rep, err := kspm.Scan(context.Background(), inv, bms)
				if err != nil {
					b.Fatal(err)
				}
				results = len(rep.Results)
			}
			reportFloorRatio(b, c)
			b.ReportMetric(float64(results), "results/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(c.objs)), "ns/object")
		})
	}
}

// BenchmarkScanner is what the scanner (examples/scan) does by default, through the public
// API: load the manifests, run the default benchmarks, write the JSON report (discarded) with
// kspm.ScanJSON, which makes each result only to write it (path=scanjson); path=scan+writejson
// is the same with kspm.Scan and report.WriteJSON, which hold every result first. Besides
// x-floor it reports cpu-x-floor, the process's CPU time per operation over the floor (which
// runs on one core): other load on the machine inflates it less than wall time.
func BenchmarkScanner(b *testing.B) {
	for _, layout := range []string{"one-file", "many-files"} {
		for _, n := range benchSizes(10_000) {
			for _, path := range []string{"scanjson", "scan+writejson"} {
				b.Run(fmt.Sprintf("%s/objects=%d/path=%s", layout, n, path), func(b *testing.B) {
					c := corpus(b, n)
					p := writeOneFile(b, c)
					if layout == "many-files" {
						p = writeManyFiles(b, c)
					}
					bms := defaultBenchmarks(b)
					c.floorTime(b)
					runtime.GC()
					b.ResetTimer()
					cpu := cputime.Process()
					for b.Loop() {
						inv, err := inventory.LoadManifests(context.Background(), []string{p})
						if err != nil {
							b.Fatal(err)
						}
						if path == "scanjson" {
							_, err = kspm.ScanJSON(context.Background(), io.Discard, inv, bms)
						} else {
							var rep *report.Report
							if rep, err = kspm.Scan(context.Background(), inv, bms); err == nil {
								err = report.WriteJSON(io.Discard, rep)
							}
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					cpu = cputime.Process() - cpu
					reportFloorRatio(b, c)
					b.ReportMetric(float64(cpu)/float64(b.N)/float64(c.floorTime(b)), "cpu-x-floor")
					reportObjectRate(b, len(c.objs))
				})
			}
		}
	}
}

// BenchmarkCELChecks runs the example CEL checks (examples/cel-checks) over the corpus and
// reports the cost of one evaluation (a check over one object or pod template; each gives one
// result). Cold runs start from a fresh inventory, so they include converting each object to
// the map form CEL reads (once per object, shared by all CEL checks); warm runs reuse it.
func BenchmarkCELChecks(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("examples", "cel-checks", "*.yaml"))
	if err != nil || len(files) == 0 {
		b.Skipf("no CEL check files: %v", err)
	}
	var checks []check.Check
	for _, f := range files {
		cs, err := check.LoadCELFile(f)
		if err != nil {
			b.Fatal(err)
		}
		checks = append(checks, cs...)
	}
	for _, n := range benchSizes(10_000) {
		c := corpus(b, n)
		for _, mode := range []string{"cold", "warm"} {
			b.Run(fmt.Sprintf("%s/objects=%d", mode, n), func(b *testing.B) {
				inv, err := inventory.New(c.objs...)
				if err != nil {
					b.Fatal(err)
				}
				evaluations := 0
				b.ResetTimer()
				for b.Loop() {
					if mode == "cold" {
						b.StopTimer()
						inv, _ = inventory.New(c.objs...)
						b.StartTimer()
					}
					results, err := kspm.Run(context.Background(), inv, checks)
					if err != nil {
						b.Fatal(err)
					}
					evaluations = 0
					for _, r := range results {
						if r.Object != nil {
							evaluations++
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(evaluations), "ns/evaluation")
			})
		}
	}
}

// BenchmarkCheckGrowth runs every check of the default benchmarks alone over the corpus at two
// sizes, four times apart, and reports for each its time per object at both sizes and their
// ratio, measured in the same run: per-object-growth is 1 for a check whose cost grows
// linearly with the cluster, about 4 for one that grows with its square. (Between 10,000 and
// 40,000 objects the inventory outgrows the processor's caches, which alone makes every check
// somewhat dearer per object.) Times are the process's CPU time, which other load on the
// machine does not inflate as it does wall time; garbage collection runs before each run and is
// off during it (with both inventories alive, the larger run would otherwise pay for
// collections the smaller one escapes). Each figure is the least of the runs (-benchtime 5x
// gives five), so that work shared by a benchmark's checks and done by the first run over an
// inventory (building the RBAC engine) is left out; rbac-engine times that work alone.
// KSPM_BENCH_LARGE=1 uses 25,000 and 100,000 objects.
func BenchmarkCheckGrowth(b *testing.B) {
	sizes := []int{10_000, 40_000}
	if ok, _ := strconv.ParseBool(os.Getenv("KSPM_BENCH_LARGE")); ok {
		sizes = []int{25_000, 100_000}
	}
	invs := make([]*inventory.Inventory, len(sizes))
	for i, n := range sizes {
		// Not corpus(): its YAML would swell the heap that every garbage collection scans.
		inv, err := inventory.New(synth.Generate(benchSeed, n)...)
		if err != nil {
			b.Fatal(err)
		}
		invs[i] = inv
	}
	b.Run("rbac-engine", func(b *testing.B) {
		growth(b, invs, func(inv *inventory.Inventory) error { authz.New(inv); return nil })
	})
	for _, bm := range defaultBenchmarks(b) {
		for _, c := range bm.Checks {
			b.Run(bm.Name+"/"+c.Meta().ID, func(b *testing.B) {
				growth(b, invs, func(inv *inventory.Inventory) error {
					return c.Run(context.Background(), check.NewPass(inv, c.Meta(), nil, func(check.Finding) {}))
				})
			})
		}
	}
}

// growth runs f b.N times over each inventory (all runs over one, then over the next: a
// benchmark's shared state is kept for one inventory at a time) and reports the least CPU time
// per object of each and their ratio.
func growth(b *testing.B, invs []*inventory.Inventory, f func(*inventory.Inventory) error) {
	b.Helper()
	spent := make([]time.Duration, len(invs))
	for i, inv := range invs {
		for range b.N {
			runtime.GC()
			gc := debug.SetGCPercent(-1)
			start := cputime.Process()
			err := f(inv)
			d := cputime.Process() - start
			debug.SetGCPercent(gc)
			if err != nil {
				b.Fatal(err)
			}
			if spent[i] == 0 || d < spent[i] {
				spent[i] = d
			}
		}
	}
	perObject := make([]float64, len(invs))
	for i, inv := range invs {
		perObject[i] = float64(spent[i].Nanoseconds()) / float64(inv.Len())
		b.ReportMetric(perObject[i], fmt.Sprintf("cpu-ns/object@%d", inv.Len()))
	}
	b.ReportMetric(perObject[len(invs)-1]/perObject[0], "per-object-growth")
}
