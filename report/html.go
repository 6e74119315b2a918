package report

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/check"
)

var (
	//go:embed html/report.html.tmpl
	htmlPageText string
	//go:embed html/report.css
	htmlCSS string
	//go:embed html/report.js
	htmlJS string

	htmlPage = template.Must(template.New("report").Parse(htmlPageText))
	// htmlCSP allows the page's own style and script, by hash, and nothing else: no request
	// leaves the page when it is viewed.
	htmlCSP = "default-src 'none'; style-src '" + cspHash(htmlCSS) + "'; script-src '" + cspHash(htmlJS) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
)

// cspHash returns the CSP source expression of an inline style or script.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// WriteHTML writes r as one self-contained HTML page, to share with people who do not run
// the scanner (an auditor, a team's lead): it loads nothing when viewed (its style, script
// and charts are inline, and a Content-Security-Policy forbids every other load). It shows:
//
//   - the tool, time and inventory, and the results per status and failures per severity;
//   - the compliance of each benchmark and of each of its sections (see BenchmarkSummary:
//     passed / evaluated checks, with what was not evaluated beside it);
//   - charts, drawn as inline SVG: checks passed, failed and not evaluated by benchmark
//     section, and results by severity;
//   - a table of every result (at most opts.HTMLMaxRows, default 20,000, those that most
//     need attention kept: a page of a million rows opens in no browser), sortable by each
//     column and filtered by text, status,
//     severity and benchmark (results that did not pass shown at first), by a small script;
//     the page's address may set them: report.html#status=fail&severity=critical&sort=2;
//   - the remediation of every check that failed;
//   - coverage: the kinds not completely seen, the load errors and warnings.
//
// Every value is escaped by html/template, after the escaping of Escape.
func WriteHTML(w io.Writer, r *Report, opts Options) error {
	if r == nil {
		return errors.New("write HTML report: nil report")
	}
	bw := bufio.NewWriter(w)
	if err := htmlPage.Execute(bw, buildHTML(r, opts)); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// The data of the HTML template.
type (
	htmlData struct {
		CSP        string
		CSS        template.CSS
		JS         template.JS
		Title      string
		About      string
		Inventory  string
		Statuses   []htmlCount
		Severities []htmlCount
		Benchmarks []htmlBenchmark
		Charts     []svgChart
		Findings   []htmlFinding
		// Total is the number of results; LeftOut, of those not in Findings.
		Total, LeftOut int
		// Filter options: statuses, severities and benchmarks present.
		FilterStatuses, FilterSeverities, FilterBenchmarks []string
		Remediations                                       []htmlRemediation
		Gaps                                               []htmlGap
		Absent                                             string
		Governance                                         []htmlNote
		Sources, Errors, Warnings                          []string
	}
	htmlGap struct {
		Names, State, Reason string
	}
	// htmlNote is a line of what the exceptions and baseline did (governanceNote).
	htmlNote struct {
		Label, Text string
	}
	htmlCount struct {
		Name  string
		Count int
	}
	htmlBenchmark struct {
		Name, Title string
		Total       htmlCompliance
		Sections    []htmlCompliance
	}
	htmlCompliance struct {
		Name                                        string
		Percent, Compliance                         string
		Checks, Passed, Failed, NotEvaluated, Other int
		Bar                                         []svgSeg
	}
	htmlFinding struct {
		I                              int
		Status                         string
		StatusRank                     int
		Severity                       string
		SeverityRank                   int
		Benchmarks, BenchmarkList      string
		Check, Title, Section          string
		Object, Source, Field, Message string
	}
	htmlRemediation struct {
		Check, Title, Severity, Remediation string
		Failed                              int
		References                          []htmlReference
	}
	htmlReference struct {
		Text string
		URL  string // set for an https URL only
	}
	svgChart struct {
		Caption       string
		Width, Height int
		Rows          []svgRow
		Legend        []htmlCount // Name: the legend's class suffix; Count unused
	}
	svgRow struct {
		Y, TextY int
		LabelX   int
		Label    string
		Full     string
		Heading  bool
		Segs     []svgSeg
		Note     string
		NoteX    int
	}
	svgSeg struct {
		X, W  int
		Class string
		Title string
	}
)

// Chart geometry, in pixels.
const (
	chartLabelWidth = 290
	chartBarWidth   = 360
	chartRowHeight  = 20
	chartLabelRunes = 44
)

// buildHTML returns the template data of r, every value from the input escaped as Escape
// does before html/template escapes it for HTML.
func buildHTML(r *Report, opts Options) *htmlData {
	c := newCatalog(r, opts)
	results := byCheck(r.Results)
	summaries := c.summaries(results)
	tool := cmp.Or(r.Tool.Name, "kspm")
	d := &htmlData{CSP: htmlCSP, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS),
		Title: Escape(tool + " report")}
	about := Escape(strings.TrimSpace(tool + " " + r.Tool.Version))
	if !r.GeneratedAt.IsZero() {
		about += ", generated " + r.GeneratedAt.UTC().Format("2006-01-02 15:04:05Z")
	}
	d.About = about
	inv := r.Inventory
	d.Inventory = fmt.Sprintf("%s, %d %s", cmp.Or(string(inv.Mode), "unknown mode"), inv.Objects, plural(inv.Objects, "object", "objects"))
	if len(inv.Sources) > 0 {
		d.Inventory += " from " + Escape(sourcesLabel(inv.Sources))
	}
	if inv.ServerVersion != "" {
		d.Inventory += " (Kubernetes " + Escape(inv.ServerVersion) + ")"
	}

	counts := make(map[check.Status]int)
	failedSev := make(map[check.Severity]int)
	for i := range r.Results {
		counts[r.Results[i].Status]++
		if r.Results[i].Status == check.StatusFail {
			failedSev[r.Results[i].Severity]++
		}
	}
	statuses := statusesOf(r.Results)
	for _, s := range statuses {
		d.Statuses = append(d.Statuses, htmlCount{Name: Escape(string(s)), Count: counts[s]})
		if counts[s] > 0 {
			d.FilterStatuses = append(d.FilterStatuses, Escape(string(s)))
		}
	}
	sevs := check.Severities()
	for _, res := range r.Results {
		if !slices.Contains(sevs, res.Severity) {
			sevs = append(sevs, res.Severity)
		}
	}
	for _, s := range sevs {
		if s.Valid() {
			d.Severities = append(d.Severities, htmlCount{Name: string(s), Count: failedSev[s]})
		}
	}

	for _, b := range summaries {
		hb := htmlBenchmark{Name: Escape(b.Name), Title: Escape(oneLine(b.Title)), Total: htmlComplianceOf(b.Total)}
		for _, s := range b.Sections {
			hb.Sections = append(hb.Sections, htmlComplianceOf(s))
		}
		d.Benchmarks = append(d.Benchmarks, hb)
		d.FilterBenchmarks = append(d.FilterBenchmarks, Escape(b.Name))
	}
	d.Charts = []svgChart{severityChart(r.Results, sevs), sectionChart(summaries)}

	paths := newSourcePaths(opts.BaseDir)
	shown := htmlRows(r.Results, opts.HTMLMaxRows)
	d.Total = len(r.Results)
	d.LeftOut = len(r.Results) - len(shown)
	for _, i := range shown {
		res := &r.Results[i]
		bs := c.benchmarks[res.CheckID]
		escBs := make([]string, len(bs))
		for j, b := range bs {
			escBs[j] = Escape(b)
		}
		msg := resultMessage(res) + admissionNote(res.Admission)
		d.Findings = append(d.Findings, htmlFinding{
			I: i, Status: Escape(string(res.Status)), StatusRank: attentionRank(res.Status)*100 + statusRank(res.Status),
			Severity: Escape(string(res.Severity)), SeverityRank: res.Severity.Rank(),
			Benchmarks: strings.Join(escBs, "\n"), BenchmarkList: strings.Join(escBs, ", "),
			Check: Escape(res.CheckID), Title: Escape(oneLine(res.Title)), Section: Escape(res.Section),
			Object: Escape(objectLabel(res)), Source: Escape(paths.label(res)), Field: Escape(res.Field),
			Message: Escape(msg),
		})
	}
	for _, s := range sevs {
		if failedSev[s] > 0 {
			d.FilterSeverities = append(d.FilterSeverities, Escape(string(s)))
		}
	}

	for _, id := range c.order {
		failed := 0
		for _, res := range results[id] {
			if res.Status == check.StatusFail {
				failed++
			}
		}
		if failed == 0 {
			continue
		}
		m := c.meta[id]
		rem := htmlRemediation{Check: Escape(id), Title: Escape(oneLine(m.Title)), Severity: Escape(string(m.Severity)),
			Remediation: Escape(oneLine(cmp.Or(m.Remediation, "No remediation given."))), Failed: failed}
		for _, ref := range m.References {
			hr := htmlReference{Text: Escape(ref)}
			if u, err := url.Parse(ref); err == nil && u.Scheme == "https" && u.Host != "" && ref == hr.Text {
				hr.URL = u.String()
			}
			rem.References = append(rem.References, hr)
		}
		d.Remediations = append(d.Remediations, rem)
	}

	for _, g := range governanceNotes(r) {
		d.Governance = append(d.Governance, htmlNote{Label: Escape(g.Label), Text: Escape(oneLine(g.Text))})
	}
	gaps, absent := coverageGaps(inv.Coverage)
	for _, g := range gaps {
		d.Gaps = append(d.Gaps, htmlGap{Names: Escape(g.kinds(len(inv.Coverage))), State: Escape(g.State),
			Reason: Escape(oneLine(g.Reason))})
	}
	d.Absent = Escape(strings.Join(absent, ", "))
	for _, s := range inv.Sources {
		d.Sources = append(d.Sources, Escape(s))
	}
	for _, e := range inv.Errors {
		d.Errors = append(d.Errors, Escape(e))
	}
	for _, w := range inv.Warnings {
		d.Warnings = append(d.Warnings, Escape(w))
	}
	return d
}

// htmlRows returns the indexes of the results of the table, in report order: all of them,
// or when there are more than limit (0: DefaultHTMLMaxRows; negative: no limit), the limit
// of them that most need attention (failures first, the most severe first; passes last).
func htmlRows(results []check.Result, limit int) []int {
	if limit == 0 {
		limit = DefaultHTMLMaxRows
	}
	idx := make([]int, len(results))
	for i := range idx {
		idx[i] = i
	}
	if limit < 0 || len(results) <= limit {
		return idx
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ra, rb := &results[a], &results[b]
		return cmp.Or(cmp.Compare(attentionRank(ra.Status), attentionRank(rb.Status)),
			cmp.Compare(rb.Severity.Rank(), ra.Severity.Rank()))
	})
	idx = idx[:limit]
	slices.Sort(idx)
	return idx
}

func htmlComplianceOf(s SectionSummary) htmlCompliance {
	hc := htmlCompliance{Name: Escape(s.Section), Percent: s.Percent(), Compliance: Escape(s.Compliance()),
		Checks: s.Checks, Passed: s.Passed, Failed: s.Failed, NotEvaluated: s.NotEvaluated,
		Other: s.Checks - s.Passed - s.Failed - s.NotEvaluated}
	hc.Bar = segments(120, s.Checks, []int{s.Passed, s.Failed, s.NotEvaluated, hc.Other},
		[]string{"passed", "failed", "not evaluated", "manual or not applicable"})
	return hc
}

// segmentClasses are the chart classes of the segments of a bar, in the order of segments'
// counts: passed, failed, not evaluated, other.
var segmentClasses = []string{"b-pass", "b-fail", "b-ne", "b-other"}

// segments returns the segments of a bar of width px for counts out of total, in order,
// each with its class and a title naming its count.
func segments(width, total int, counts []int, names []string) []svgSeg {
	if total <= 0 {
		return nil
	}
	var out []svgSeg
	x, sum := 0, 0
	for i, n := range counts {
		if n <= 0 {
			continue
		}
		sum += n
		end := sum * width / total // cumulative, so that rounding never overflows the bar
		out = append(out, svgSeg{X: x, W: max(end-x, 1), Class: segmentClasses[i], Title: fmt.Sprintf("%d %s", n, names[i])})
		x = end
	}
	return out
}

// chartLabel returns s cut to fit a chart's label column.
func chartLabel(s string) string { return truncateRunes(s, chartLabelRunes) }

// sectionChart draws the checks passed, failed and not evaluated of each benchmark section
// (each benchmark with no sections as one bar).
func sectionChart(summaries []BenchmarkSummary) svgChart {
	ch := svgChart{Caption: "Checks by benchmark section: passed, failed, not evaluated",
		Legend: []htmlCount{{Name: "pass"}, {Name: "fail"}, {Name: "ne"}, {Name: "other"}}}
	y := 0
	add := func(label string, heading, indent bool, s *SectionSummary) {
		row := svgRow{Y: y, TextY: y + 14, Label: chartLabel(label), Full: label, Heading: heading}
		if indent {
			row.LabelX = 12
		}
		if s != nil {
			row.Segs = segments(chartBarWidth, s.Checks, []int{s.Passed, s.Failed, s.NotEvaluated,
				s.Checks - s.Passed - s.Failed - s.NotEvaluated},
				[]string{"passed", "failed", "not evaluated", "manual or not applicable"})
			for i := range row.Segs {
				row.Segs[i].X += chartLabelWidth
			}
			row.Note = fmt.Sprintf("%d/%d, %d n/e", s.Passed, s.Evaluated(), s.NotEvaluated)
			row.NoteX = chartLabelWidth + chartBarWidth + 8
		}
		ch.Rows = append(ch.Rows, row)
		y += chartRowHeight
	}
	for _, b := range summaries {
		if len(b.Sections) == 0 {
			t := b.Total
			add(Escape(b.Name), false, false, &t)
			continue
		}
		add(Escape(b.Name), true, false, nil)
		for _, s := range b.Sections {
			add(Escape(s.Section), false, true, &s)
		}
	}
	ch.Width, ch.Height = chartLabelWidth+chartBarWidth+110, max(y, chartRowHeight)
	return ch
}

// severityChart draws, for each severity, the results passed, failed and not evaluated, on
// one scale.
func severityChart(results []check.Result, sevs []check.Severity) svgChart {
	ch := svgChart{Caption: "Results by severity: passed, failed, not evaluated",
		Legend: []htmlCount{{Name: "pass"}, {Name: "fail"}, {Name: "ne"}, {Name: "other"}}}
	type tally struct{ pass, fail, ne, other int }
	by := make(map[check.Severity]*tally)
	for _, s := range sevs {
		by[s] = &tally{}
	}
	most := 0
	for _, res := range results {
		t := by[res.Severity]
		switch res.Status {
		case check.StatusPass:
			t.pass++
		case check.StatusFail:
			t.fail++
		case check.StatusNotEvaluated, check.StatusError:
			t.ne++
		default:
			t.other++
		}
	}
	for _, t := range by {
		most = max(most, t.pass+t.fail+t.ne+t.other)
	}
	const labelWidth = 90
	y := 0
	for _, s := range sevs {
		t := by[s]
		total := t.pass + t.fail + t.ne + t.other
		if total == 0 {
			continue
		}
		row := svgRow{Y: y, TextY: y + 14, Label: Escape(cmp.Or(string(s), "none")), Full: Escape(string(s))}
		if most > 0 {
			width := total * chartBarWidth / most
			row.Segs = segments(width, total, []int{t.pass, t.fail, t.ne, t.other},
				[]string{"passed", "failed", "not evaluated or error", "manual or not applicable"})
			for i := range row.Segs {
				row.Segs[i].X += labelWidth
			}
			row.NoteX = labelWidth + width + 8
		}
		row.Note = fmt.Sprintf("%d failed of %d", t.fail, total)
		ch.Rows = append(ch.Rows, row)
		y += chartRowHeight
	}
	ch.Width, ch.Height = labelWidth+chartBarWidth+130, max(y, chartRowHeight)
	return ch
}
