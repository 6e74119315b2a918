package report

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Format names a document format of Write.
type Format string

// The formats of Write. WriteJSON and WriteText write the report's own JSON form and the
// terminal view.
const (
	// FormatSARIF is SARIF 2.1.0, for code scanning (see WriteSARIF).
	FormatSARIF Format = "sarif"
	// FormatJUnit is JUnit XML, for CI test reports (see WriteJUnit).
	FormatJUnit Format = "junit"
	// FormatMarkdown is Markdown, for a pull request comment (see WriteMarkdown).
	FormatMarkdown Format = "markdown"
	// FormatHTML is a self-contained HTML page (see WriteHTML).
	FormatHTML Format = "html"
	// FormatCSV is CSV, one row per result, for spreadsheets (see WriteCSV).
	FormatCSV Format = "csv"
)

// Formats returns the formats of Write.
func Formats() []Format {
	return []Format{FormatSARIF, FormatJUnit, FormatMarkdown, FormatHTML, FormatCSV}
}

// ErrUnknownFormat is wrapped by the error Write returns for a format it does not write.
var ErrUnknownFormat = errors.New("unknown report format")

// Write writes r to w in format f (see the writer of each format).
func Write(w io.Writer, r *Report, f Format, opts Options) error {
	switch f {
	case FormatSARIF:
		return WriteSARIF(w, r, opts)
	case FormatJUnit:
		return WriteJUnit(w, r, opts)
	case FormatMarkdown:
		return WriteMarkdown(w, r, opts)
	case FormatHTML:
		return WriteHTML(w, r, opts)
	case FormatCSV:
		return WriteCSV(w, r, opts)
	}
	return fmt.Errorf("%w %q", ErrUnknownFormat, f)
}

// Options configures the writers of Write. The zero value is ready to use.
type Options struct {
	// Benchmarks describes the benchmarks the report's checks belong to (see Benchmark):
	// the writers group results and count compliance per benchmark with it, and SARIF takes
	// its rules' descriptions from it. Without it, every check is in one group named for
	// the report's Benchmarks. A check of the report that none of them holds is put in a
	// group of its own, "other checks".
	Benchmarks []Benchmark
	// BaseDir is the directory that source file paths are written relative to, e.g. the
	// root of the repository the manifests are in: GitHub code scanning takes SARIF paths
	// as relative to the repository's root. Relative source paths are taken as relative
	// to the working directory. A file outside BaseDir keeps an absolute path (a file://
	// URI in SARIF). Empty: paths are written as the inventory recorded them.
	BaseDir string
	// SARIFCategory, when set, is the SARIF run's automationDetails.id prefix: GitHub code
	// scanning keeps the results of each category apart, so two scans of one repository
	// (two clusters, two directories) do not close each other's alerts.
	SARIFCategory string
	// SARIFMaxResults bounds the results of a SARIF run, most severe kept first, with a
	// notification saying how many were left out: GitHub code scanning rejects a run of more
	// than 25,000 results. 0 means DefaultSARIFMaxResults; negative, no bound.
	SARIFMaxResults int
	// MarkdownMaxBytes bounds the size of the Markdown document: results that do not fit
	// are left out, and a closing line says how many and how to see them. 0 means
	// DefaultMarkdownMaxBytes; negative, no bound.
	MarkdownMaxBytes int
	// HTMLMaxRows bounds the rows of the HTML report's table of results: past it, the
	// results that most need attention are kept (failures, the most severe first; passes
	// last) and the page says how many were left out. Counts and charts cover every result.
	// 0 means DefaultHTMLMaxRows; negative, no bound.
	HTMLMaxRows int
	// FullReport says, in the Markdown document's closing line, where every result can be
	// read when some were left out, e.g. a link to the CI job's artifacts. Empty: it names
	// the other formats.
	FullReport string
}

// DefaultSARIFMaxResults is the bound on a SARIF run's results: GitHub code scanning's
// limit.
const DefaultSARIFMaxResults = 25000

// DefaultMarkdownMaxBytes is the bound on a Markdown document: a GitHub comment holds at
// most 65,536 characters, and a few are left for what a bot adds around it.
const DefaultMarkdownMaxBytes = 65000

// DefaultHTMLMaxRows is the bound on the rows of the HTML report's table: a page of 20,000
// rows is about 12 MB and opens in a browser in seconds.
const DefaultHTMLMaxRows = 20000

// Benchmark describes one benchmark of a scan for the writers (Options.Benchmarks): its
// name, title and the metadata of its checks, in benchmark order. A program that runs
// benchmark.Benchmark values fills it from them (see the scanner, examples/scan).
type Benchmark struct {
	// Name is the benchmark's name, e.g. "cis-1.12".
	Name string
	// Title is a one-line description.
	Title string
	// Checks are the metadata of the benchmark's checks (check.Check.Meta).
	Checks []check.Meta
}

// otherChecks names the group of the checks that no benchmark of Options.Benchmarks holds.
const otherChecks = "other checks"

// catalog is what the writers know of a report's benchmarks and checks.
type catalog struct {
	groups []group
	// meta is each check's metadata: from Options.Benchmarks, or made from its results.
	meta map[string]check.Meta
	// benchmarks are the names of the groups that hold each check.
	benchmarks map[string][]string
	// order is every check ID: the groups' checks in order, each once.
	order []string
}

// group is a benchmark as the writers show it: its checks that have results, in order.
type group struct {
	name, title string
	checks      []string
}

// newCatalog returns the catalog of r under opts.
func newCatalog(r *Report, opts Options) *catalog {
	c := &catalog{meta: make(map[string]check.Meta), benchmarks: make(map[string][]string)}
	seen := make(map[string]bool)
	for _, res := range r.Results { // the results' own description, in case no benchmark has it
		if _, ok := c.meta[res.CheckID]; !ok {
			c.meta[res.CheckID] = check.Meta{ID: res.CheckID, Title: res.Title, Severity: res.Severity,
				Section: res.Section, Level: res.Level, Remediation: res.Remediation}
		} else if m := c.meta[res.CheckID]; m.Remediation == "" && res.Remediation != "" {
			m.Remediation = res.Remediation
			c.meta[res.CheckID] = m
		}
	}
	ran := make(map[string]bool, len(c.meta))
	for id := range c.meta {
		ran[id] = true
	}
	for _, b := range opts.Benchmarks {
		g := group{name: b.Name, title: b.Title}
		for _, m := range b.Checks {
			if !ran[m.ID] || slices.Contains(g.checks, m.ID) {
				continue
			}
			if seen[m.ID] {
				c.benchmarks[m.ID] = append(c.benchmarks[m.ID], b.Name)
			} else {
				seen[m.ID] = true
				c.meta[m.ID] = withResultRemediation(m, c.meta[m.ID])
				c.benchmarks[m.ID] = []string{b.Name}
				c.order = append(c.order, m.ID)
			}
			g.checks = append(g.checks, m.ID)
		}
		if len(g.checks) > 0 {
			c.groups = append(c.groups, g)
		}
	}
	// Checks no benchmark holds, in the order of their first result.
	rest := group{name: otherChecks}
	if len(opts.Benchmarks) == 0 {
		rest.name = cmp.Or(strings.Join(r.Benchmarks, ", "), "checks")
	}
	for _, res := range r.Results {
		if !seen[res.CheckID] {
			seen[res.CheckID] = true
			rest.checks = append(rest.checks, res.CheckID)
			c.benchmarks[res.CheckID] = []string{rest.name}
			c.order = append(c.order, res.CheckID)
		}
	}
	if len(rest.checks) > 0 {
		c.groups = append(c.groups, rest)
	}
	return c
}

// withResultRemediation returns m, with the remediation of the results' metadata when m has
// none.
func withResultRemediation(m, fromResults check.Meta) check.Meta {
	if m.Remediation == "" {
		m.Remediation = fromResults.Remediation
	}
	return m
}

// byCheck returns r's results grouped by check ID.
func byCheck(results []check.Result) map[string][]*check.Result {
	out := make(map[string][]*check.Result)
	for i := range results {
		res := &results[i]
		out[res.CheckID] = append(out[res.CheckID], res)
	}
	return out
}

// statusesOf returns check.Statuses, followed by every other status of results in the order
// of its first result: the writers show each status a report holds, known or not.
func statusesOf(results []check.Result) []check.Status {
	out := check.Statuses()
	for _, res := range results {
		if !slices.Contains(out, res.Status) {
			out = append(out, res.Status)
		}
	}
	return out
}

// attentionRank orders statuses by how much a result needs looking at: fail, then error,
// then every other status but pass, then pass.
func attentionRank(s check.Status) int {
	switch s {
	case check.StatusFail:
		return 0
	case check.StatusError:
		return 1
	case check.StatusPass:
		return 3
	}
	return 2
}

// objectLabel names a result's object as the writers show it: "Kind namespace/name", or ""
// for a result about no object.
func objectLabel(r *check.Result) string {
	if r.Object == nil {
		return ""
	}
	return r.Object.String()
}

// sourcePaths writes the paths of source files as the writers show them (Options.BaseDir).
type sourcePaths struct {
	base    string // Options.BaseDir
	absBase string // base made absolute; "" when there is none
	cwd     string // the working directory, which relative paths are relative to
}

// newSourcePaths returns the sourcePaths of base, reading the working directory once.
func newSourcePaths(base string) *sourcePaths {
	sp := &sourcePaths{base: base}
	if base == "" {
		return sp
	}
	cwd, err := os.Getwd()
	if err != nil {
		return &sourcePaths{} // paths as recorded
	}
	sp.cwd = cwd
	sp.absBase = filepath.Join(cwd, base)
	if filepath.IsAbs(base) {
		sp.absBase = filepath.Clean(base)
	}
	return sp
}

// of returns the path of a source file as the writers show it: relative to the base when
// there is one and the file is inside it, else as recorded (absolute when there is a base).
// The second result is false for a path that is not a file on disk (standard input).
func (sp *sourcePaths) of(s *inventory.Source) (string, bool) {
	if s == nil || s.File == "" || s.File == "-" {
		return "", false
	}
	p := s.File
	if s.Root != "" {
		// A rendered object's file is relative to the parent of the rendered directory
		// ("helm:charts/web" renders "web/templates/deploy.yaml" from charts/).
		_, dir, ok := strings.Cut(s.Root, ":")
		if !ok {
			return "", false
		}
		p = filepath.Join(filepath.Dir(filepath.FromSlash(dir)), filepath.FromSlash(s.File))
	}
	if sp.absBase == "" {
		return filepath.ToSlash(p), true
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(sp.cwd, p)
	}
	rel, err := filepath.Rel(sp.absBase, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(abs), true
	}
	return filepath.ToSlash(rel), true
}

// label returns "path:line" (or "path" when the line is not known, or the object was
// rendered: its line is one of the rendered output) for a result's object, or "".
func (sp *sourcePaths) label(r *check.Result) string {
	if r.Object == nil {
		return ""
	}
	s := r.Object.Source
	p, ok := sp.of(s)
	if !ok {
		if s != nil {
			return s.String() // "-:12", or a root alone
		}
		return ""
	}
	if s.Root == "" && s.Line > 0 {
		return fmt.Sprintf("%s:%d", p, s.Line)
	}
	return p
}

// fileURI returns the URI of a slash-separated path as sourcePaths.of returns it: a relative URI
// reference for a relative path, a file:// URI for an absolute one.
func fileURI(p string) string {
	if path.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	u := (&url.URL{Path: p}).String() // escapes; "a:b" becomes "./a:b", not a scheme
	return u
}

// coverageGap is a set of kinds not completely seen for one reason.
type coverageGap struct {
	Kinds  []string
	State  string
	Reason string
}

// kinds names the kinds of g: "every kind" when they are all total kinds (more than one) of a
// coverage, else the list.
func (g coverageGap) kinds(total int) string {
	if len(g.Kinds) == total && total > 1 {
		return "every kind"
	}
	return strings.Join(g.Kinds, ", ")
}

// coverageGaps returns the kinds of coverage not completely seen, as the reports list them:
// forbidden, failed and incomplete kinds (and kinds absent for another reason than that the
// manifests hold none) grouped by state and reason, and apart, the kinds the manifests hold
// none of (whether the cluster has any cannot be told).
func coverageGaps(coverage []inventory.Coverage) (gaps []coverageGap, absent []string) {
	index := make(map[[2]string]int)
	for _, c := range coverage {
		name := kindName(c)
		switch c.State {
		case inventory.Absent:
			if c.NoneInInput {
				absent = append(absent, name)
				continue
			}
		case inventory.Forbidden, inventory.Failed, inventory.Incomplete:
		default:
			continue
		}
		k := [2]string{string(c.State), c.Reason}
		i, ok := index[k]
		if !ok {
			i = len(gaps)
			index[k] = i
			gaps = append(gaps, coverageGap{State: string(c.State), Reason: c.Reason})
		}
		gaps[i].Kinds = append(gaps[i].Kinds, name)
	}
	return gaps, absent
}

// NewBenchmark returns the Benchmark of a benchmark named name, titled title, holding checks
// (the metadata of each, in order): what a program that runs benchmark.Benchmark values puts
// in Options.Benchmarks for each.
func NewBenchmark(name, title string, checks []check.Check) Benchmark {
	b := Benchmark{Name: name, Title: title, Checks: make([]check.Meta, 0, len(checks))}
	for _, c := range checks {
		if c != nil {
			b.Checks = append(b.Checks, c.Meta())
		}
	}
	return b
}

// maxSourcesShown is the number of inventory sources a report's heading names.
const maxSourcesShown = 3

// sourcesLabel names the sources of an inventory for a heading: the first few, and how many
// more there are.
func sourcesLabel(sources []string) string {
	if len(sources) <= maxSourcesShown {
		return strings.Join(sources, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(sources[:maxSourcesShown], ", "), len(sources)-maxSourcesShown)
}
