package report

import (
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// SchemaVersion identifies the JSON report format. It changes when a field is renamed or
// removed or its meaning changes; new fields may be added within a version.
const SchemaVersion = "kspm.dev/report/v1"

// Report is the outcome of one scan.
type Report struct {
	// SchemaVersion is SchemaVersion.
	SchemaVersion string `json:"schemaVersion"`
	// Tool names the program and version that produced the report.
	Tool Tool `json:"tool"`
	// GeneratedAt is when the scan finished.
	GeneratedAt time.Time `json:"generatedAt"`
	// Benchmarks are the names of the benchmarks run.
	Benchmarks []string `json:"benchmarks,omitempty"`
	// Inventory summarises what was scanned and how completely.
	Inventory InventorySummary `json:"inventory"`
	// Results are the verdicts, grouped by check in benchmark order, then by object.
	Results []check.Result `json:"results"`
	// Summary counts the results.
	Summary Summary `json:"summary"`
}

// Tool names the program that produced a report.
type Tool struct {
	// Name is the program's name, e.g. "kspm" (see kspm.WithTool).
	Name string `json:"name"`
	// Version is the program's version, e.g. "0.1.0-dev".
	Version string `json:"version"`
}

// InventorySummary says what a scan saw.
type InventorySummary struct {
	// Mode is "cluster" or "manifests".
	Mode inventory.Mode `json:"mode"`
	// Sources are the manifest paths or the cluster address.
	Sources []string `json:"sources,omitempty"`
	// ServerVersion is the API server's Kubernetes version (cluster mode), e.g. "v1.37.2".
	ServerVersion string `json:"serverVersion,omitempty"`
	// Objects is the number of objects scanned.
	Objects int `json:"objects"`
	// Coverage says, per kind, whether it was listed, forbidden, not served or absent.
	Coverage []inventory.Coverage `json:"coverage"`
	// Errors are the problems met while loading (each names its file and line or kind).
	Errors []string `json:"errors,omitempty"`
}

// Summary counts results.
type Summary struct {
	// Total is the number of results.
	Total int `json:"total"`
	// ByStatus counts results by status.
	ByStatus map[check.Status]int `json:"byStatus"`
	// FailedBySeverity counts failing results by severity.
	FailedBySeverity map[check.Severity]int `json:"failedBySeverity"`
}

// New assembles a report of results over inv, computing the summary.
func New(inv *inventory.Inventory, benchmarks []string, results []check.Result, tool Tool, at time.Time) *Report {
	r := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          tool,
		GeneratedAt:   at.UTC(),
		Benchmarks:    benchmarks,
		Inventory: InventorySummary{
			Mode:          inv.Mode(),
			Sources:       inv.Sources(),
			ServerVersion: inv.ServerVersion(),
			Objects:       inv.Len(),
			Coverage:      inv.CoverageAll(),
		},
		Results: results,
	}
	if r.Results == nil {
		r.Results = []check.Result{}
	}
	for _, err := range inv.Errors() {
		r.Inventory.Errors = append(r.Inventory.Errors, err.Error())
	}
	r.Summary = Summarize(results)
	return r
}

// Summarize counts results by status and failing results by severity.
func Summarize(results []check.Result) Summary {
	s := Summary{Total: len(results), ByStatus: map[check.Status]int{}, FailedBySeverity: map[check.Severity]int{}}
	for _, r := range results {
		s.ByStatus[r.Status]++
		if r.Status == check.StatusFail {
			s.FailedBySeverity[r.Severity]++
		}
	}
	return s
}

// MaxFailedSeverity returns the most severe severity among failing results, or "" if none
// failed.
func (r *Report) MaxFailedSeverity() check.Severity {
	var max check.Severity
	for _, res := range r.Results {
		if res.Status == check.StatusFail && res.Severity.Rank() > max.Rank() {
			max = res.Severity
		}
	}
	return max
}
