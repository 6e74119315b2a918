package report_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// demoDir is the demo inventory, examples/demo.
const demoDir = "../examples/demo"

var demoInventory = sync.OnceValues(func() (*inventory.Inventory, error) {
	// Every file of the demo but its Helm chart, which would need the Helm renderer: the
	// report tests do not link Helm. Rendered sources are tested on their own.
	entries, err := os.ReadDir(demoDir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".json")) {
			paths = append(paths, filepath.Join(demoDir, e.Name()))
		}
	}
	return inventory.LoadManifests(context.Background(), paths)
})

// demoReport scans the demo inventory with the named bundled benchmarks, each holding only
// the checks keep keeps (nil: all of them), at fixtureTime, and returns the report and the
// writers' options for it: its benchmarks, and paths relative to the repository's root.
func demoReport(t testing.TB, names []string, keep func(check.Meta) bool) (*report.Report, report.Options) {
	t.Helper()
	inv, err := demoInventory()
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	bms, err := kspm.SelectBenchmarks(names)
	require.NoError(t, err)
	if keep != nil {
		for i, b := range bms {
			var checks []check.Check
			for _, c := range b.Checks {
				if keep(c.Meta()) {
					checks = append(checks, c)
				}
			}
			bms[i].Checks = checks
		}
	}
	r, err := kspm.Scan(context.Background(), inv, bms, kspm.WithClock(func() time.Time { return fixtureTime }),
		kspm.WithTool("kspm", "1.2.3"))
	require.NoError(t, err)
	opts := report.Options{BaseDir: ".."}
	for _, b := range bms {
		opts.Benchmarks = append(opts.Benchmarks, report.NewBenchmark(b.Name, b.Title, b.Checks))
	}
	return r, opts
}

// goldenReport is the demo scan of the golden files: a few checks of four benchmarks, as
//
//	kspm-scan -f examples/demo -b pss-baseline,pss-restricted,network,cis-1.12 \
//	  --check pss:privileged,pss:hostNamespaces,pss:runAsNonRoot,network:namespace-default-deny,network:exposed-services,cis:1.4.1,...
//
// would run them: checks two benchmarks share (pss-baseline's in pss-restricted), CIS sections,
// and results of every status but error.
func goldenReport(t testing.TB) (*report.Report, report.Options) {
	return scanned(t, "golden", func() (*report.Report, report.Options) { return goldenScan(t) })
}

// fullDemoReport is the demo scan of every default benchmark.
func fullDemoReport(t testing.TB) (*report.Report, report.Options) {
	return scanned(t, "full", func() (*report.Report, report.Options) {
		return demoReport(t, kspm.DefaultBenchmarkNames(), nil)
	})
}

// scans holds the demo scans made, by name: the writers do not modify a report, so the
// tests share them.
var scans = struct {
	sync.Mutex
	m map[string]scan
}{m: make(map[string]scan)}

type scan struct {
	r    *report.Report
	opts report.Options
}

// scanned returns the scan named name, made by build the first time.
func scanned(t testing.TB, name string, build func() (*report.Report, report.Options)) (*report.Report, report.Options) {
	t.Helper()
	scans.Lock()
	defer scans.Unlock()
	s, ok := scans.m[name]
	if !ok {
		s.r, s.opts = build()
		scans.m[name] = s
	}
	return s.r, s.opts
}

func goldenScan(t testing.TB) (*report.Report, report.Options) {
	return demoReport(t, []string{"pss-baseline", "pss-restricted", "network", "cis-1.12"}, func(m check.Meta) bool {
		switch m.ID {
		case "pss:privileged", "pss:hostNamespaces", "pss:runAsNonRoot", "network:namespace-default-deny",
			"network:exposed-services":
			return true
		}
		switch m.Section {
		case "1.4 Scheduler", "3.2 Logging", "4.2 Kubelet", "5.3 Network Policies and CNI":
			return true
		}
		return false
	})
}
