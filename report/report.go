package report

import (
	"runtime"
	"sync"
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
	// Exceptions says which exceptions were applied to the results, and which had expired or
	// set nothing aside (see package exception); nil when none were applied.
	Exceptions *ExceptionsSummary `json:"exceptions,omitempty"`
	// Baseline compares the results with those of an earlier report (see Baseline): how many
	// findings are new, still present, and resolved; nil without a baseline.
	Baseline *BaselineSummary `json:"baseline,omitempty"`
	// Checks lists every check that has results, in the order of its first result, with its
	// count of results per status. The runner gives every check that ran at least one result
	// (see kspm.Run), so this is every check that ran.
	Checks []CheckSummary `json:"checks,omitempty"`
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
	// Errors are the problems met while loading: input that was not read, or not loaded
	// (each names its file and line, its object or its kind).
	Errors []string `json:"errors,omitempty"`
	// Warnings are remarks about input that was read and loaded (each names its file and
	// line, or its object): an unknown field dropped, a key written twice, an API version
	// Kubernetes removed, a document that is no Kubernetes object (a notice). They take
	// nothing from the scan (see inventory.Inventory.Warnings).
	Warnings []string `json:"warnings,omitempty"`
}

// Summary counts results.
type Summary struct {
	// Total is the number of results.
	Total int `json:"total"`
	// ByStatus counts results by status.
	ByStatus map[check.Status]int `json:"byStatus"`
	// FailedBySeverity counts failing results by severity.
	FailedBySeverity map[check.Severity]int `json:"failedBySeverity"`
	// NewFailedBySeverity counts, in a report compared with a baseline (see Baseline), the
	// failing results that are new (check.Result.Baseline) by severity: under a baseline,
	// only these fail a build. Nil when none is.
	NewFailedBySeverity map[check.Severity]int `json:"newFailedBySeverity,omitempty"`
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
	c := newCounter()
	for i := range results {
		c.add(&results[i])
	}
	r.Checks, r.Summary = c.checks, c.summary
	for _, err := range inv.Errors() {
		r.Inventory.Errors = append(r.Inventory.Errors, err.Error())
	}
	for _, err := range inv.Warnings() {
		r.Inventory.Warnings = append(r.Inventory.Warnings, err.Error())
	}
	return r
}

// CheckSummary is one check of a report and the count of its results per status.
type CheckSummary struct {
	// CheckID is the check's ID, e.g. "workloads:privileged".
	CheckID string `json:"checkID"`
	// Title is the check's one-line summary.
	Title string `json:"title"`
	// Severity ranks a failure of the check.
	Severity check.Severity `json:"severity"`
	// Section is the benchmark section the check belongs to, if any.
	Section string `json:"section,omitempty"`
	// Level is the benchmark profile level of the check, if any.
	Level string `json:"level,omitempty"`
	// Results is the number of the check's results.
	Results int `json:"results"`
	// Counts counts the check's results per status, zeros included.
	Counts StatusCounts `json:"counts"`
}

// StatusCounts counts results per status. Every status has its field, so that a count of zero
// is written and read as 0, never as a missing key.
type StatusCounts struct {
	// Fail counts results with check.StatusFail.
	Fail int `json:"fail"`
	// Error counts results with check.StatusError.
	Error int `json:"error"`
	// NotEvaluated counts results with check.StatusNotEvaluated.
	NotEvaluated int `json:"notEvaluated"`
	// Manual counts results with check.StatusManual.
	Manual int `json:"manual"`
	// Excepted counts results with check.StatusExcepted: failures an exception sets aside.
	Excepted int `json:"excepted"`
	// NotApplicable counts results with check.StatusNotApplicable.
	NotApplicable int `json:"notApplicable"`
	// Pass counts results with check.StatusPass.
	Pass int `json:"pass"`
}

// field returns the counter of status s, or nil for an unknown status.
func (c *StatusCounts) field(s check.Status) *int {
	switch s {
	case check.StatusFail:
		return &c.Fail
	case check.StatusError:
		return &c.Error
	case check.StatusNotEvaluated:
		return &c.NotEvaluated
	case check.StatusManual:
		return &c.Manual
	case check.StatusExcepted:
		return &c.Excepted
	case check.StatusNotApplicable:
		return &c.NotApplicable
	case check.StatusPass:
		return &c.Pass
	}
	return nil
}

// Count returns the number of results with status s (0 for an unknown status).
func (c StatusCounts) Count(s check.Status) int {
	if p := c.field(s); p != nil {
		return *p
	}
	return 0
}

// CheckSummaries returns one CheckSummary per check ID in results, in the order of the
// check's first result; nil for no results. Results with a status that is not one of
// check.Statuses count in Results but in none of the Counts.
func CheckSummaries(results []check.Result) []CheckSummary {
	c := newCounter()
	for i := range results {
		c.add(&results[i])
	}
	return c.checks
}

// Summarize counts results by status and failing results by severity.
func Summarize(results []check.Result) Summary {
	c := newCounter()
	for i := range results {
		c.add(&results[i])
	}
	return c.summary
}

// counter counts results as CheckSummaries and Summarize do, one at a time.
type counter struct {
	checks  []CheckSummary
	index   map[string]int // by check ID, the place of its summary in checks
	last    int            // the place of the last result's check: results come grouped by check
	summary Summary
}

func newCounter() *counter {
	return &counter{index: map[string]int{},
		summary: Summary{ByStatus: map[check.Status]int{}, FailedBySeverity: map[check.Severity]int{}}}
}

func (c *counter) add(r *check.Result) {
	i := c.last
	if i >= len(c.checks) || c.checks[i].CheckID != r.CheckID {
		var ok bool
		if i, ok = c.index[r.CheckID]; !ok {
			i = len(c.checks)
			c.index[r.CheckID] = i
			c.checks = append(c.checks, CheckSummary{CheckID: r.CheckID, Title: r.Title, Severity: r.Severity,
				Section: r.Section, Level: r.Level})
		}
		c.last = i
	}
	c.checks[i].Results++
	if p := c.checks[i].Counts.field(r.Status); p != nil {
		*p++
	}
	c.summary.Total++
	c.summary.ByStatus[r.Status]++
	if r.Status == check.StatusFail {
		c.summary.FailedBySeverity[r.Severity]++
		if r.Baseline == check.BaselineNew {
			if c.summary.NewFailedBySeverity == nil {
				c.summary.NewFailedBySeverity = map[check.Severity]int{}
			}
			c.summary.NewFailedBySeverity[r.Severity]++
		}
	}
}

// ResultReader reads the results of a report in ranges, for reports whose results are made
// as they are written rather than held (see NewFromReader): it calls yield with each of the
// results lo to hi-1, in order. It may be called more than once for a range, and from several
// goroutines at once for different ranges. The result yield is given is valid only during
// the call, and must not be modified.
type ResultReader func(lo, hi int, yield func(*check.Result))

// NewFromReader is New for a report whose n results are read from read rather than held
// (kspm.ScanJSON makes them from the checks' findings as they are written): its Results are
// empty, and its Checks and Summary count the results read. WriteJSONFrom writes it with its
// results.
func NewFromReader(inv *inventory.Inventory, benchmarks []string, n int, read ResultReader, tool Tool, at time.Time) *Report {
	r := New(inv, benchmarks, nil, tool, at)
	c := countResults(n, read)
	r.Checks, r.Summary = c.checks, c.summary
	return r
}

// countResults counts the n results of read, in parts on up to GOMAXPROCS goroutines.
func countResults(n int, read ResultReader) *counter {
	parts := min(runtime.GOMAXPROCS(0), n/resultBlock)
	if parts < 2 {
		c := newCounter()
		read(0, n, c.add)
		return c
	}
	counters := make([]*counter, parts)
	var wg sync.WaitGroup
	for i := range counters {
		counters[i] = newCounter()
		wg.Go(func() { read(i*n/parts, (i+1)*n/parts, counters[i].add) })
	}
	wg.Wait()
	for _, c := range counters[1:] {
		counters[0].merge(c)
	}
	return counters[0]
}

// merge adds the counts of o, which counted the results after those c counted.
func (c *counter) merge(o *counter) {
	for _, cs := range o.checks {
		i, ok := c.index[cs.CheckID]
		if !ok { // the check's first result is among o's
			i = len(c.checks)
			c.index[cs.CheckID] = i
			c.checks = append(c.checks, CheckSummary{CheckID: cs.CheckID, Title: cs.Title, Severity: cs.Severity,
				Section: cs.Section, Level: cs.Level})
		}
		to := &c.checks[i]
		to.Results += cs.Results
		for _, s := range check.Statuses() {
			*to.Counts.field(s) += cs.Counts.Count(s)
		}
	}
	c.summary.Total += o.summary.Total
	for s, k := range o.summary.ByStatus {
		c.summary.ByStatus[s] += k
	}
	for s, k := range o.summary.FailedBySeverity {
		c.summary.FailedBySeverity[s] += k
	}
	for s, k := range o.summary.NewFailedBySeverity {
		if c.summary.NewFailedBySeverity == nil {
			c.summary.NewFailedBySeverity = map[check.Severity]int{}
		}
		c.summary.NewFailedBySeverity[s] += k
	}
}

// MaxFailedSeverity returns the most severe severity that s counts failing results of, or ""
// if none failed.
func (s Summary) MaxFailedSeverity() check.Severity {
	var max check.Severity
	for sev, n := range s.FailedBySeverity {
		if n > 0 && sev.Rank() > max.Rank() {
			max = sev
		}
	}
	return max
}

// MaxNewFailedSeverity returns the most severe severity that s counts new failing results of
// (NewFailedBySeverity), or "" if none is new.
func (s Summary) MaxNewFailedSeverity() check.Severity {
	return Summary{FailedBySeverity: s.NewFailedBySeverity}.MaxFailedSeverity()
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
