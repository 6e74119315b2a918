package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/printable"
	"github.com/kspm-dev/kspm/inventory"
)

// TextOptions configures WriteText.
type TextOptions struct {
	// Color adds ANSI colour escapes; leave it false when writing to a file or a pipe.
	Color bool
	// Verbose also lists passing results, and adds each result's field path and each
	// object's source file and line.
	Verbose bool
	// Remediation adds, after the table, the remediation of every check that failed.
	Remediation bool
}

// SectionSummary is the compliance of one benchmark section, counted by check (control), not
// by result. A check's verdict is fail when any of its results failed; otherwise not evaluated
// when any result is notEvaluated or error; otherwise excepted when any is excepted (its
// failures are all set aside by exceptions); otherwise manual when any is manual; otherwise
// pass when any passed; otherwise (all notApplicable) not applicable.
type SectionSummary struct {
	// Section is the section as the checks name it, e.g. "5.1 RBAC and Service Accounts".
	Section string `json:"section"`
	// Checks is the number of checks in the section that have results.
	Checks int `json:"checks"`
	// Passed counts the checks evaluated that passed.
	Passed int `json:"passed"`
	// Failed counts the checks evaluated that failed.
	Failed int `json:"failed"`
	// NotEvaluated counts checks that could not be evaluated (or whose evaluation failed).
	NotEvaluated int `json:"notEvaluated"`
	// Manual counts checks that need a person's judgement.
	Manual int `json:"manual"`
	// Excepted counts checks whose failures exceptions all set aside: neither passed nor
	// failed, and not in Evaluated.
	Excepted int `json:"excepted,omitempty"`
	// NotApplicable counts checks that do not apply.
	NotApplicable int `json:"notApplicable"`
}

// Evaluated returns the number of checks with a verdict: passed plus failed.
func (s SectionSummary) Evaluated() int { return s.Passed + s.Failed }

// Compliance returns the section's compliance line: "passed/evaluated passed (N not
// evaluated)", followed by the excepted, manual and not-applicable counts when there are any,
// e.g. "3/5 passed (1 not evaluated, 1 excepted, 2 manual)".
func (s SectionSummary) Compliance() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d passed (%d not evaluated", s.Passed, s.Evaluated(), s.NotEvaluated)
	if s.Excepted > 0 {
		fmt.Fprintf(&b, ", %d excepted", s.Excepted)
	}
	if s.Manual > 0 {
		fmt.Fprintf(&b, ", %d manual", s.Manual)
	}
	if s.NotApplicable > 0 {
		fmt.Fprintf(&b, ", %d not applicable", s.NotApplicable)
	}
	b.WriteByte(')')
	return b.String()
}

func (s *SectionSummary) add(v check.Status) {
	s.Checks++
	switch v {
	case check.StatusPass:
		s.Passed++
	case check.StatusFail:
		s.Failed++
	case check.StatusNotEvaluated:
		s.NotEvaluated++
	case check.StatusManual:
		s.Manual++
	case check.StatusExcepted:
		s.Excepted++
	default:
		s.NotApplicable++
	}
}

// checkVerdict folds the statuses of one check's results into the check's verdict: fail,
// notEvaluated (for notEvaluated and error), excepted, manual, pass or notApplicable.
func checkVerdict(statuses map[check.Status]bool) check.Status {
	switch {
	case statuses[check.StatusFail]:
		return check.StatusFail
	case statuses[check.StatusError], statuses[check.StatusNotEvaluated]:
		return check.StatusNotEvaluated
	case statuses[check.StatusExcepted]:
		return check.StatusExcepted
	case statuses[check.StatusManual]:
		return check.StatusManual
	case statuses[check.StatusPass]:
		return check.StatusPass
	}
	return check.StatusNotApplicable
}

type checkTally struct {
	id, section string
	statuses    map[check.Status]bool
}

// tallyChecks returns each check's statuses, in order of the check's first result.
func tallyChecks(results []check.Result) []*checkTally {
	var out []*checkTally
	byID := make(map[string]*checkTally)
	for _, r := range results {
		t := byID[r.CheckID]
		if t == nil {
			t = &checkTally{id: r.CheckID, section: r.Section, statuses: make(map[check.Status]bool)}
			byID[r.CheckID] = t
			out = append(out, t)
		}
		t.statuses[r.Status] = true
	}
	return out
}

// SectionSummaries returns the compliance of each section the results name, in order of the
// section's first result. Results with no section are left out; for results that name no
// section at all it returns nil.
func SectionSummaries(results []check.Result) []SectionSummary {
	var out []SectionSummary
	index := make(map[string]int)
	for _, t := range tallyChecks(results) {
		if t.section == "" {
			continue
		}
		i, ok := index[t.section]
		if !ok {
			i = len(out)
			index[t.section] = i
			out = append(out, SectionSummary{Section: t.section})
		}
		out[i].add(checkVerdict(t.statuses))
	}
	return out
}

// ANSI escapes.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiBoldRed = "\x1b[1;31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiBlue    = "\x1b[34m"
	ansiMagenta = "\x1b[35m"
	ansiCyan    = "\x1b[36m"
)

func statusColor(s check.Status) string {
	switch s {
	case check.StatusFail:
		return ansiRed
	case check.StatusError:
		return ansiMagenta
	case check.StatusNotEvaluated:
		return ansiYellow
	case check.StatusManual:
		return ansiCyan
	case check.StatusExcepted:
		return ansiBlue
	case check.StatusPass:
		return ansiGreen
	}
	return ansiDim
}

func severityColor(s check.Severity) string {
	switch s {
	case check.Critical:
		return ansiBoldRed
	case check.High:
		return ansiRed
	case check.Medium:
		return ansiYellow
	case check.Low:
		return ansiBlue
	}
	return ansiDim
}

// statusOrder ranks statuses as check.Statuses orders them: fail first, pass last.
var statusOrder = func() map[check.Status]int {
	m := make(map[check.Status]int)
	for i, s := range check.Statuses() {
		m[s] = i
	}
	return m
}()

func statusRank(s check.Status) int {
	if i, ok := statusOrder[s]; ok {
		return i
	}
	return len(statusOrder)
}

type textWriter struct {
	w    *bufio.Writer
	opts TextOptions
	// ambiguous are the objects named alike in results read from more than one source (the
	// definitions of an object the input defines in several places): their rows show the
	// source even when not verbose.
	ambiguous map[objectName]bool
}

// objectName is an object as a result row names it.
type objectName struct{ kind, namespace, name string }

// ambiguousObjects returns the objects of results that results name with more than one
// source.
func ambiguousObjects(results []check.Result) map[objectName]bool {
	var (
		first map[objectName]inventory.Source
		out   map[objectName]bool
	)
	for _, r := range results {
		o := r.Object
		if o == nil || o.Source == nil {
			continue
		}
		if first == nil {
			first = make(map[objectName]inventory.Source)
		}
		k := objectName{o.Kind, o.Namespace, o.Name}
		if s, ok := first[k]; !ok {
			first[k] = *o.Source
		} else if s != *o.Source {
			if out == nil {
				out = make(map[objectName]bool)
			}
			out[k] = true
		}
	}
	return out
}

// paint returns s escaped (see Escape) and, with Color, in color: text ready to write.
func (tw *textWriter) paint(s, color string) printable.Raw {
	s = printable.Escape(s)
	if !tw.opts.Color || color == "" || s == "" {
		return printable.Raw(s)
	}
	return printable.Raw(color + s + ansiReset)
}

// printf writes a line of the report. Every argument but a painted one is escaped: this is
// where values from the input are made safe to show, whatever part of the report holds them.
func (tw *textWriter) printf(format string, args ...any) {
	_, _ = printable.Fprintf(tw.w, format, args...)
}

// cell is one table cell: its text and its colour.
type cell struct{ text, color string }

// WriteText writes r for people to read: a header naming the tool, benchmarks and inventory;
// a table of the results that did not pass (every result with opts.Verbose) giving status,
// severity, check ID, object and message, most severe first; with opts.Verbose, a table of
// every check with its count of results per status (see Report.Checks); and a summary with counts by
// check, status and severity, the kinds that could not be seen completely (forbidden, failed
// or absent, with reasons), the errors met while loading and, apart, the warnings about
// input that loaded.
//
// When results name benchmark sections (as CIS controls do), the table is grouped by section,
// each under a line giving the section's compliance (see SectionSummary.Compliance).
//
// Every value written (names, messages, fields, errors, sources) is escaped as Escape does,
// so that input cannot write control sequences to the terminal.
func WriteText(w io.Writer, r *Report, opts TextOptions) error {
	if r == nil {
		return fmt.Errorf("write text report: nil report")
	}
	tw := &textWriter{w: bufio.NewWriter(w), opts: opts}
	tw.header(r)
	tw.results(r.Results)
	if opts.Verbose {
		tw.checks(r)
	}
	if opts.Remediation {
		tw.remediation(r.Results)
	}
	tw.summary(r)
	if err := tw.w.Flush(); err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

func (tw *textWriter) header(r *Report) {
	tool := cmp.Or(r.Tool.Name, "kspm")
	if r.Tool.Version != "" {
		tool += " " + r.Tool.Version
	}
	tw.printf("%s report", tw.paint(tool, ansiBold))
	if !r.GeneratedAt.IsZero() {
		tw.printf(", generated %s", r.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z07:00"))
	}
	tw.printf("\n")
	if len(r.Benchmarks) > 0 {
		tw.printf("Benchmarks: %s\n", strings.Join(r.Benchmarks, ", "))
	}
	inv := r.Inventory
	tw.printf("Inventory: %s, %d %s", cmp.Or(string(inv.Mode), "unknown mode"), inv.Objects, plural(inv.Objects, "object", "objects"))
	if len(inv.Sources) > 0 {
		tw.printf(" from %s", strings.Join(inv.Sources, ", "))
	}
	if inv.ServerVersion != "" {
		tw.printf(" (Kubernetes %s)", inv.ServerVersion)
	}
	tw.printf("\n\n")
}

// resultGroup is a run of table rows under one heading ("" for none).
type resultGroup struct {
	heading string
	results []check.Result
}

func (tw *textWriter) results(results []check.Result) {
	shown := func(res check.Result) bool { return tw.opts.Verbose || res.Status != check.StatusPass }
	var groups []resultGroup
	if sections := SectionSummaries(results); len(sections) > 0 {
		index := make(map[string]int, len(sections))
		for i, s := range sections {
			index[s.Section] = i
			groups = append(groups, resultGroup{heading: s.Section + ": " + s.Compliance()})
		}
		other := -1
		for _, res := range results {
			i, ok := index[res.Section]
			if !ok {
				if other < 0 {
					other = len(groups)
					groups = append(groups, resultGroup{heading: "Checks in no section"})
				}
				i = other
			}
			if shown(res) {
				groups[i].results = append(groups[i].results, res)
			}
		}
	} else {
		g := resultGroup{}
		for _, res := range results {
			if shown(res) {
				g.results = append(g.results, res)
			}
		}
		groups = []resultGroup{g}
	}

	n := 0
	for _, g := range groups {
		n += len(g.results)
	}
	what := "Results that did not pass"
	if tw.opts.Verbose {
		what = "Results"
	}
	tw.printf("%s (%d of %d):\n", tw.paint(what, ansiBold), n, len(results))
	if n == 0 && len(groups) == 1 && groups[0].heading == "" {
		if len(results) == 0 {
			tw.printf("  (no results)\n\n")
		} else {
			tw.printf("  (none)\n\n")
		}
		return
	}

	head := []cell{{text: "STATUS"}, {text: "SEVERITY"}, {text: "CHECK"}, {text: "OBJECT"}}
	if tw.opts.Verbose {
		head = append(head, cell{text: "FIELD"})
	}
	head = append(head, cell{text: "MESSAGE"})
	rows := make([][][]cell, len(groups))
	widths := make([]int, len(head))
	measure := func(row []cell) {
		for i, c := range row[:len(row)-1] {
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	measure(head)
	if !tw.opts.Verbose {
		tw.ambiguous = ambiguousObjects(results)
	}
	for gi, g := range groups {
		sorted := slices.Clone(g.results)
		slices.SortStableFunc(sorted, func(a, b check.Result) int {
			return cmp.Or(cmp.Compare(statusRank(a.Status), statusRank(b.Status)),
				cmp.Compare(b.Severity.Rank(), a.Severity.Rank()))
		})
		for _, res := range sorted {
			row := tw.row(res)
			measure(row)
			rows[gi] = append(rows[gi], row)
		}
	}
	indent := "  "
	if len(groups) > 1 || groups[0].heading != "" {
		indent = "    "
	}
	if n > 0 {
		tw.printRow(indent, head, widths, ansiBold)
	}
	for gi, g := range groups {
		if g.heading != "" {
			tw.printf("  %s\n", tw.paint(g.heading, ansiBold))
		}
		for _, row := range rows[gi] {
			tw.printRow(indent, row, widths, "")
		}
	}
	tw.printf("\n")
}

// checks writes the table of every check with its count of results per status (verbose).
func (tw *textWriter) checks(r *Report) {
	checks := r.Checks
	if checks == nil {
		checks = CheckSummaries(r.Results)
	}
	tw.printf("%s\n", tw.paint(fmt.Sprintf("Checks (%d):", len(checks)), ansiBold))
	if len(checks) == 0 {
		tw.printf("  (none)\n\n")
		return
	}
	// The excepted column is shown when exceptions set a failure aside.
	statuses := slices.DeleteFunc(check.Statuses(), func(s check.Status) bool {
		return s == check.StatusExcepted && !slices.ContainsFunc(checks, func(c CheckSummary) bool { return c.Counts.Excepted > 0 })
	})
	head := []cell{{text: "CHECK"}, {text: "SEVERITY"}, {text: "RESULTS"}}
	for _, s := range statuses {
		head = append(head, cell{text: strings.ToUpper(string(s))})
	}
	head = append(head, cell{text: "TITLE"})
	rows := [][]cell{head}
	for _, c := range checks {
		row := []cell{{text: Escape(c.CheckID)}, {text: Escape(string(c.Severity)), color: severityColor(c.Severity)},
			{text: fmt.Sprint(c.Results)}}
		for _, s := range statuses {
			n := c.Counts.Count(s)
			color := ansiDim
			if n > 0 {
				color = statusColor(s)
			}
			row = append(row, cell{text: fmt.Sprint(n), color: color})
		}
		rows = append(rows, append(row, cell{text: Escape(oneLine(c.Title))}))
	}
	widths := make([]int, len(head))
	for _, row := range rows {
		for i, c := range row[:len(row)-1] {
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	for i, row := range rows {
		color := ""
		if i == 0 {
			color = ansiBold
		}
		tw.printRow("  ", row, widths, color)
	}
	tw.printf("\n")
}

func (tw *textWriter) row(res check.Result) []cell {
	obj := "-"
	if res.Object != nil {
		obj = res.Object.String()
		o := res.Object
		if o.Source != nil && o.Source.File != "" && (tw.opts.Verbose || tw.ambiguous[objectName{o.Kind, o.Namespace, o.Name}]) {
			obj += " (" + o.Source.String() + ")"
		}
	}
	// Cells hold escaped text, so that widths are measured on what is shown.
	row := []cell{
		{text: Escape(string(res.Status)), color: statusColor(res.Status)},
		{text: Escape(string(res.Severity)), color: severityColor(res.Severity)},
		{text: Escape(res.CheckID)},
		{text: Escape(obj)},
	}
	if tw.opts.Verbose {
		row = append(row, cell{text: Escape(cmp.Or(res.Field, "-")), color: ansiDim})
	}
	msg := res.Message
	if e := res.Exception; e != nil { // who set the failure aside, why, until when
		msg += " [" + exceptionText(e) + "]"
	}
	if res.Baseline == check.BaselineNew {
		msg += " [new since the baseline]"
	}
	msg += admissionNote(res.Admission)
	return append(row, cell{text: Escape(oneLine(msg))})
}

func (tw *textWriter) printRow(indent string, row []cell, widths []int, color string) {
	var b strings.Builder
	b.WriteString(indent)
	for i, c := range row {
		text := c.text
		last := i == len(row)-1
		if !last {
			text += strings.Repeat(" ", widths[i]-utf8.RuneCountInString(text))
		}
		b.WriteString(string(tw.paint(text, cmp.Or(color, c.color))))
		if !last {
			b.WriteString("  ")
		}
	}
	tw.printf("%s\n", printable.Raw(strings.TrimRight(b.String(), " ")))
}

func (tw *textWriter) remediation(results []check.Result) {
	seen := make(map[string]bool)
	var failed []check.Result
	for _, res := range results {
		if res.Status == check.StatusFail && !seen[res.CheckID] {
			seen[res.CheckID] = true
			failed = append(failed, res)
		}
	}
	if len(failed) == 0 {
		return
	}
	tw.printf("%s\n", tw.paint("Remediation:", ansiBold))
	for _, res := range failed {
		tw.printf("  %s  %s\n", tw.paint(res.CheckID, ansiBold), oneLine(res.Title))
		if res.Remediation != "" {
			tw.printf("    %s\n", oneLine(res.Remediation))
		}
	}
	tw.printf("\n")
}

func (tw *textWriter) summary(r *Report) {
	tw.printf("%s\n", tw.paint("Summary:", ansiBold))

	var checks SectionSummary
	for _, t := range tallyChecks(r.Results) {
		checks.add(checkVerdict(t.statuses))
	}
	var parts []printable.Raw
	for _, p := range []struct {
		n      int
		label  string
		status check.Status
	}{
		{checks.Failed, "failed", check.StatusFail},
		{checks.NotEvaluated, "not evaluated", check.StatusNotEvaluated},
		{checks.Manual, "manual", check.StatusManual},
		{checks.Excepted, "excepted", check.StatusExcepted},
		{checks.NotApplicable, "not applicable", check.StatusNotApplicable},
		{checks.Passed, "passed", check.StatusPass},
	} {
		if p.n > 0 {
			parts = append(parts, tw.paint(fmt.Sprintf("%d %s", p.n, p.label), statusColor(p.status)))
		}
	}
	tw.printf("  Checks:   %d%s\n", checks.Checks, listSuffix(parts))

	byStatus := r.Summary.ByStatus
	if byStatus == nil {
		byStatus = Summarize(r.Results).ByStatus
	}
	total := 0
	parts = parts[:0]
	for _, s := range check.Statuses() {
		if n := byStatus[s]; n > 0 {
			total += n
			parts = append(parts, tw.paint(fmt.Sprintf("%d %s", n, s), statusColor(s)))
		}
	}
	tw.printf("  Results:  %d%s\n", total, listSuffix(parts))

	bySeverity := r.Summary.FailedBySeverity
	if bySeverity == nil {
		bySeverity = Summarize(r.Results).FailedBySeverity
	}
	tw.printf("  Failures by severity: %s\n", tw.severityCounts(bySeverity))

	tw.exceptions(r.Exceptions)
	tw.baseline(r.Baseline, r.Summary.NewFailedBySeverity, r.Results)
	tw.coverageGaps(r.Inventory.Coverage)

	if errs := r.Inventory.Errors; len(errs) > 0 {
		tw.printf("  %s\n", tw.paint(fmt.Sprintf("Load errors (%d):", len(errs)), ansiYellow))
		for _, e := range errs {
			tw.printf("    %s\n", e) // escaped, not folded: a file name may hold a line break
		}
	}
	if ws := r.Inventory.Warnings; len(ws) > 0 {
		tw.printf("  %s\n", fmt.Sprintf("Load warnings (%d; read and scanned):", len(ws)))
		for _, w := range ws {
			tw.printf("    %s\n", w)
		}
	}
}

// severityCounts writes counts by severity, most severe first ("2 high, 1 low"), or "none".
func (tw *textWriter) severityCounts(counts map[check.Severity]int) printable.Raw {
	var parts []printable.Raw
	for _, s := range check.Severities() {
		if n := counts[s]; n > 0 {
			parts = append(parts, tw.paint(fmt.Sprintf("%d %s", n, s), severityColor(s)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return joinRaw(parts, ", ")
}

// coverageGaps lists the kinds not completely seen: forbidden, failed and incomplete kinds
// with their state and reason, kinds that share both on one line; absent kinds together on
// one line.
func (tw *textWriter) coverageGaps(coverage []inventory.Coverage) {
	gaps, absent := coverageGaps(coverage)
	var lines []printable.Raw
	for _, g := range gaps {
		line := fmt.Sprintf("%s: %s", g.kinds(len(coverage)), g.State)
		if g.Reason != "" {
			line += ": " + g.Reason
		}
		lines = append(lines, tw.paint(line, ansiYellow))
	}
	if len(absent) > 0 {
		lines = append(lines, tw.paint("absent (none in the input; whether the cluster has any cannot be told): "+strings.Join(absent, ", "), ""))
	}
	if len(lines) == 0 {
		tw.printf("  Coverage: every kind completely seen\n")
		return
	}
	tw.printf("  Coverage gaps (checks that need these kinds are not evaluated):\n")
	for _, l := range lines {
		tw.printf("    %s\n", l)
	}
}

// kindName names a kind as the API serves it: "networkpolicies", or "widgets.example.com"
// for a kind that is not built in.
func kindName(c inventory.Coverage) string {
	if k, ok := inventory.LookupKind(c.GroupKind()); ok {
		return k.Resource
	}
	if c.Group == "" {
		return c.Kind
	}
	return c.Kind + "." + c.Group
}

func listSuffix(parts []printable.Raw) printable.Raw {
	if len(parts) == 0 {
		return ""
	}
	return " (" + joinRaw(parts, ", ") + ")"
}

func joinRaw(parts []printable.Raw, sep string) printable.Raw {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(string(p))
	}
	return printable.Raw(b.String())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine folds line breaks and tabs into spaces so that prose a check wrote on several lines
// (a message, title or remediation) fits in one table cell. Values from the input are not
// folded but escaped, so that a line break in a name shows as \n.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// admissionNote says, after a result's message, which binding judged and what it makes the
// API server do: " [binding NAME: Deny,Audit]"; "" for a result of no admission policy.
func admissionNote(a *check.Admission) string {
	if a == nil {
		return ""
	}
	s := " [binding " + a.Binding
	if len(a.ValidationActions) > 0 {
		s += ": " + strings.Join(a.ValidationActions, ",")
	}
	return s + "]"
}

// exceptionText says who set a failure aside, until when, where that is written and why.
func exceptionText(e *check.Exception) string {
	s := "excepted from " + string(e.From) + " by " + e.Owner
	if e.Expires != "" {
		s += " until " + e.Expires
	}
	if e.Source != "" {
		s += " (" + e.Source + ")"
	}
	return s + ": " + e.Reason
}

// exceptions writes what the exceptions applied did: how many results each set aside, and
// the exceptions expired or unused (warnings: an exception nobody needs should go).
func (tw *textWriter) exceptions(x *ExceptionsSummary) {
	if x == nil {
		return
	}
	tw.printf("  %s\n", exceptionsHeadline(x))
	tw.notes("expired:", len(x.Expired), func(i int) string { return expiredText(x.Expired[i]) })
	tw.notes("unused:", len(x.Unused), func(i int) string { return unusedText(x.Unused[i]) })
	if a := x.Annotations; a != nil {
		tw.printf("  %s\n", annotationsHeadline(a))
		tw.notes("not applied:", len(a.Ignored), func(i int) string { return a.Ignored[i] })
	}
}

// notes writes the warnings text(0), ..., text(n-1) under label, at most governanceNotesMax
// of them and then a line that counts the rest, as every other format does: exemptions not
// applied can be one per object of a large cluster.
func (tw *textWriter) notes(label string, n int, text func(i int) string) {
	for i := range min(n, governanceNotesMax) {
		tw.printf("    %s %s\n", tw.paint(label, ansiYellow), text(i))
	}
	if n > governanceNotesMax {
		tw.printf("    %s and %d more (the JSON report lists them all)\n", tw.paint(label, ansiYellow), n-governanceNotesMax)
	}
}

// baselineListMax bounds the findings of each kind the baseline section names.
const baselineListMax = 20

// baseline writes the comparison with a baseline report: counts, the new failures by
// severity, and the findings new (also marked in the table), resolved and unconfirmed.
func (tw *textWriter) baseline(b *BaselineSummary, newFailed map[check.Severity]int, results []check.Result) {
	if b == nil {
		return
	}
	tw.printf("  %s\n", baselineHeadline(b))
	tw.printf("    New failures by severity: %s\n", tw.severityCounts(newFailed))
	list := func(title string, fs []BaselineFinding) {
		if len(fs) == 0 {
			return
		}
		tw.printf("    %s (%d):\n", title, len(fs))
		for i, f := range fs {
			if i == baselineListMax {
				tw.printf("      ... and %d more (the JSON report lists them all)\n", len(fs)-i)
				break
			}
			obj := "-"
			if f.Object != nil {
				obj = f.Object.String()
			}
			line := f.CheckID + "  " + obj
			if f.Field != "" {
				line += "  " + f.Field
			}
			if f.Reason != "" {
				line += ": " + f.Reason
			}
			tw.printf("      %s\n", line)
		}
	}
	var fresh []BaselineFinding
	for i := range results {
		if r := &results[i]; r.Baseline == check.BaselineNew {
			fresh = append(fresh, BaselineFinding{CheckID: r.CheckID, Object: r.Object, Field: r.Field})
		}
	}
	list("New", fresh)
	list("Resolved", b.ResolvedFindings)
	list("Unconfirmed (not in this report, which could not show them)", b.UnconfirmedFindings)
	tw.notes("warning:", len(b.Warnings), func(i int) string { return b.Warnings[i] })
}
