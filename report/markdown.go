package report

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/printable"
)

// WriteMarkdown writes r as GitHub-flavoured Markdown for a pull request or chat comment: a
// title line with the number of failing results, a table of compliance per benchmark with
// its count of results per status, the failing results grouped by severity (most severe
// first; check, object, source and message), the results that could not be evaluated or
// failed to run, and what the inventory could not see (coverage gaps, load errors).
//
// The document is at most opts.MarkdownMaxBytes long (default 65,000 bytes: a GitHub comment
// holds 65,536 characters). Results that do not fit are left out, most severe kept, and the
// last line says how many were left out, of which severities, and where to read them all
// (opts.FullReport).
//
// Values from the input cannot break the document or inject into it: they are escaped as
// Escape does, then for Markdown (HTML tags, table pipes, emphasis, links, and @mentions,
// which get a zero-width space after the @).
func WriteMarkdown(w io.Writer, r *Report, opts Options) error {
	if r == nil {
		return errors.New("write Markdown report: nil report")
	}
	limit := opts.MarkdownMaxBytes
	if limit == 0 {
		limit = DefaultMarkdownMaxBytes
	}
	doc := buildMarkdown(r, opts, limit)
	if _, err := io.WriteString(w, doc); err != nil {
		return fmt.Errorf("write Markdown report: %w", err)
	}
	return nil
}

// mdEscape returns s escaped for Markdown text or a table cell (see WriteMarkdown).
func mdEscape(s string) string {
	s = printable.Escape(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '(', ')', '|', '~', '$', '#', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@':
			b.WriteString("@\u200b") // no @mention
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdBudget is a document being written under a size bound.
type mdBudget struct {
	b     strings.Builder
	limit int // < 0: no bound
	// reserve is kept free for the closing line.
	reserve int
	full    bool
}

// add appends s when it fits, and reports whether it did. Once something did not fit,
// nothing more is added.
func (d *mdBudget) add(s string) bool {
	if d.full {
		return false
	}
	if d.limit >= 0 && d.b.Len()+len(s)+d.reserve > d.limit {
		d.full = true
		return false
	}
	d.b.WriteString(s)
	return true
}

// mdClosingReserve is the room kept for the closing line of a cut document.
const mdClosingReserve = 600

func buildMarkdown(r *Report, opts Options, limit int) string {
	c := newCatalog(r, opts)
	results := byCheck(r.Results)
	paths := newSourcePaths(opts.BaseDir)
	d := &mdBudget{limit: limit, reserve: mdClosingReserve}
	if limit >= 0 && limit < 2*mdClosingReserve {
		d.reserve = limit / 2
	}

	var failed []*check.Result
	for i := range r.Results {
		if r.Results[i].Status == check.StatusFail {
			failed = append(failed, &r.Results[i])
		}
	}
	tool := cmp.Or(r.Tool.Name, "kspm")
	switch len(failed) {
	case 0:
		d.add(fmt.Sprintf("## %s: no failing result\n\n", mdEscape(tool)))
	default:
		d.add(fmt.Sprintf("## %s: %d failing %s\n\n", mdEscape(tool), len(failed), plural(len(failed), "result", "results")))
	}
	var about []string
	if r.Tool.Version != "" {
		about = append(about, mdEscape(tool+" "+r.Tool.Version))
	}
	if !r.GeneratedAt.IsZero() {
		about = append(about, "generated "+r.GeneratedAt.UTC().Format("2006-01-02 15:04:05Z"))
	}
	inv := r.Inventory
	scanned := fmt.Sprintf("%s, %d %s", cmp.Or(string(inv.Mode), "unknown mode"), inv.Objects, plural(inv.Objects, "object", "objects"))
	if len(inv.Sources) > 0 {
		scanned += " from " + sourcesLabel(inv.Sources)
	}
	about = append(about, mdEscape(scanned))
	d.add(strings.Join(about, " · ") + "\n\n")

	// Compliance per benchmark, with the results per status.
	statuses := statusesOf(r.Results)
	head := "| Benchmark | Compliance (checks) |"
	rule := "| --- | --- |"
	for _, s := range statuses {
		head += " " + mdEscape(string(s)) + " |"
		rule += " ---: |"
	}
	d.add(head + "\n" + rule + "\n")
	for i, b := range c.summaries(results) {
		counts := make(map[check.Status]int)
		for _, id := range c.groups[i].checks {
			for _, res := range results[id] {
				counts[res.Status]++
			}
		}
		row := fmt.Sprintf("| %s | %s %s |", mdEscape(b.Name), b.Total.Percent(), mdEscape(b.Total.Compliance()))
		for _, s := range statuses {
			row += fmt.Sprintf(" %d |", counts[s])
		}
		d.add(row + "\n")
	}
	d.add("\nCompliance counts checks: passed / evaluated (passed + failed); checks not evaluated are counted " +
		"beside it, never in it. Status columns count results.\n\n")
	mdGovernance(d, r)
	mdCoverage(d, r.Inventory)

	// Failures by severity, most severe first.
	left := make(map[string]int) // what did not fit, by severity or status
	var leftOrder []string
	leave := func(what string) {
		if left[what] == 0 {
			leftOrder = append(leftOrder, what)
		}
		left[what]++
	}
	bySeverity := make(map[check.Severity][]*check.Result)
	for _, res := range failed {
		bySeverity[res.Severity] = append(bySeverity[res.Severity], res)
	}
	sevs := check.Severities()
	for s := range bySeverity {
		if !slices.Contains(sevs, s) {
			sevs = append(sevs, s)
		}
	}
	if len(failed) > 0 {
		d.add("### Failures by severity\n\n")
	}
	for _, sev := range sevs {
		rs := bySeverity[sev]
		if len(rs) == 0 {
			continue
		}
		d.table(fmt.Sprintf("#### %s (%d)\n\n", mdEscape(cmp.Or(string(sev), "no severity")), len(rs)), rs, paths,
			func() { leave(string(sev)) })
	}

	// The results of every other status but manual and notApplicable (counted above), a
	// table each: error and notEvaluated, which are never passes, and any status added later.
	listed := make(map[check.Status][]*check.Result)
	for i := range r.Results {
		switch res := &r.Results[i]; res.Status {
		case check.StatusPass, check.StatusFail, check.StatusManual, check.StatusNotApplicable:
		default:
			listed[res.Status] = append(listed[res.Status], res)
		}
	}
	others := statusesOf(r.Results)
	slices.SortStableFunc(others, func(a, b check.Status) int { return cmp.Compare(attentionRank(a), attentionRank(b)) })
	for _, s := range others {
		rs := listed[s]
		if len(rs) == 0 {
			continue
		}
		head := fmt.Sprintf("### %s (%d)\n\n", mdEscape(string(s)), len(rs))
		if note := mdStatusNotes[s]; note != "" {
			head += note + "\n\n"
		}
		d.table(head, rs, paths, func() { leave(string(s)) })
	}

	if len(leftOrder) > 0 {
		total := 0
		var parts []string
		for _, what := range leftOrder {
			total += left[what]
			parts = append(parts, fmt.Sprintf("%d %s", left[what], mdEscape(cmp.Or(what, "no severity"))))
		}
		where := opts.FullReport
		if where == "" {
			where = "every result is in the HTML, CSV, SARIF and JSON reports (-o html, csv, sarif, json)"
		} else {
			where = "every result: " + mdEscape(where)
		}
		closing := fmt.Sprintf("\n---\n**%d %s left out** of this comment to keep it under %d bytes (%s); %s.\n",
			total, plural(total, "result", "results"), limit, strings.Join(parts, ", "), where)
		d.b.WriteString(closing) // the room was reserved
	}
	return d.b.String()
}

// table adds a table of results under head, a row each; leave is called for each result
// that does not fit.
func (d *mdBudget) table(head string, rs []*check.Result, paths *sourcePaths, leave func()) {
	if !d.add(head + "| Check | Object | Source | Message |\n| --- | --- | --- | --- |\n") {
		for range rs {
			leave()
		}
		return
	}
	for _, res := range rs {
		if !d.add(mdRow(res, paths)) {
			leave()
		}
	}
	d.add("\n")
}

// mdStatusNotes say what the results of a status listed in a Markdown report mean.
var mdStatusNotes = map[check.Status]string{
	check.StatusError:        "The check failed to run: its verdict is unknown.",
	check.StatusNotEvaluated: "Could not be evaluated, usually because what the check needs could not be seen: never read these as passes.",
}

// mdRow returns the table row of a result.
func mdRow(res *check.Result, paths *sourcePaths) string {
	msg := resultMessage(res)
	if res.Field != "" {
		msg += " (" + res.Field + ")"
	}
	return fmt.Sprintf("| %s | %s | %s | %s |\n", mdEscape(res.CheckID), mdEscape(cmp.Or(objectLabel(res), "-")),
		mdEscape(cmp.Or(paths.label(res), "-")), mdEscape(msg))
}

// mdGovernance adds what the exceptions and the baseline did (governanceNotes): results set
// aside, exceptions expired or unused, the findings new, present and resolved.
func mdGovernance(d *mdBudget, r *Report) {
	notes := governanceNotes(r)
	if len(notes) == 0 {
		return
	}
	d.add("### Exceptions and baseline\n\n")
	for _, g := range notes {
		line := "- "
		if g.Label != "" {
			line += "**" + mdEscape(g.Label) + "** "
		}
		d.add(line + mdEscape(oneLine(g.Text)) + "\n")
	}
	d.add("\n")
}

// mdMaxLoadErrors is the number of load errors a Markdown document lists.
const mdMaxLoadErrors = 20

// mdCoverage adds what the inventory could not see: kinds not completely seen, load errors
// and warnings (counted).
func mdCoverage(d *mdBudget, inv InventorySummary) {
	gaps, _ := coverageGaps(inv.Coverage)
	if len(gaps) == 0 && len(inv.Errors) == 0 && len(inv.Warnings) == 0 {
		return
	}
	d.add("### What could not be seen\n\n")
	if len(gaps) > 0 {
		d.add("Kinds not completely seen (the checks that need them are not evaluated):\n\n")
		for _, g := range gaps {
			line := "- " + mdEscape(g.kinds(len(inv.Coverage))) + ": " + mdEscape(g.State)
			if g.Reason != "" {
				line += ": " + mdEscape(oneLine(g.Reason))
			}
			d.add(line + "\n")
		}
		d.add("\n")
	}
	if len(inv.Errors) > 0 {
		d.add(fmt.Sprintf("Load errors (%d): input that was not read or not loaded.\n\n", len(inv.Errors)))
		for i, e := range inv.Errors {
			if i == mdMaxLoadErrors {
				d.add(fmt.Sprintf("- and %d more\n", len(inv.Errors)-i))
				break
			}
			d.add("- " + mdEscape(e) + "\n")
		}
		d.add("\n")
	}
	if len(inv.Warnings) > 0 {
		d.add(fmt.Sprintf("Load warnings: %d (read and scanned).\n\n", len(inv.Warnings)))
	}
}
