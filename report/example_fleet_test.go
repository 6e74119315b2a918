package report_test

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// A fleet document is written one cluster at a time: each report is written (here by
// WriteJSON; by kspm.ScanJSON in a scanner) while the document is, and is not held after.
func ExampleFleetWriter() {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	prod := report.New(inventory.NewBuilder(inventory.ModeCluster).Build(), []string{"workloads"}, []check.Result{
		{CheckID: "workloads:privileged", Title: "Containers do not run privileged", Severity: check.Critical,
			Status: check.StatusFail, Message: `container "app" runs privileged`,
			Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "web"}},
	}, report.Tool{Name: "kspm", Version: "1.0.0"}, at)

	fw := report.NewFleetWriter(io.Discard, report.Tool{Name: "kspm", Version: "1.0.0"}) // os.Stdout, a file...
	_ = fw.Scanned("prod", "https://prod.example:6443", 0, func(w io.Writer) (report.Summary, error) {
		return prod.Summary, report.WriteJSON(w, prod)
	})
	_ = fw.NotScanned("edge", "https://10.0.0.9:6443", errors.New("cannot reach the API server"))
	sum, err := fw.Close(at)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d clusters, %d not scanned; worst failure: %s\n", sum.Clusters, sum.NotScanned, sum.Total.MaxFailedSeverity())
	for _, c := range sum.ByCluster {
		fmt.Printf("%s: critical %d, error %q\n", c.Context, c.Counts.FailedBySeverity[check.Critical], c.Error)
	}
	// Output:
	// 2 clusters, 1 not scanned; worst failure: critical
	// prod: critical 1, error ""
	// edge: critical 0, error "cannot reach the API server"
}
