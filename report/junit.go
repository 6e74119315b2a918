package report

import (
	"bufio"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/kspm-dev/kspm/check"
)

// WriteJUnit writes r as JUnit XML, for the test report views of CI systems (GitLab, Jenkins,
// GitHub Actions test reporters, Azure Pipelines):
//
//   - a testsuite per benchmark, or, for a benchmark whose checks name sections (CIS), per
//     benchmark section ("cis-1.12 / 5.1 RBAC and Service Accounts", with the benchmark and
//     section as properties and the section's compliance); a check several benchmarks hold is
//     reported in the first one only, as it runs once;
//   - a testcase per check × object: classname is the check ID, name the object ("Kind
//     namespace/name", with its file when objects of that name come from several files;
//     "(no object)" for results about none), so that CI views group an object's results by
//     check and keep a test's history across runs (the line is an attribute, not part of the
//     name);
//   - a testcase's status is that of its results that most need attention: a fail becomes
//     <failure>, an error <error>, a pass a plain testcase, and every other status
//     (notEvaluated, notApplicable, manual, and any status added later) <skipped> with the
//     status and reason as its message. The text of a failure or error lists each of the
//     testcase's results that did not pass, with the check's remediation.
//
// Values from the input are escaped (see Escape) before XML escaping, so that the document is
// well-formed XML 1.0, which forbids most control characters even as character references,
// and shows no hidden text.
func WriteJUnit(w io.Writer, r *Report, opts Options) error {
	if r == nil {
		return errors.New("write JUnit report: nil report")
	}
	doc := buildJUnit(r, opts)
	bw := bufio.NewWriter(w)
	_, _ = bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	_ = bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	return nil
}

// The JUnit XML elements WriteJUnit writes, as the common schema (Ant's, which Jenkins and
// GitLab read) names them.
type (
	junitSuites struct {
		XMLName   xml.Name     `xml:"testsuites"`
		Name      string       `xml:"name,attr"`
		Tests     int          `xml:"tests,attr"`
		Failures  int          `xml:"failures,attr"`
		Errors    int          `xml:"errors,attr"`
		Skipped   int          `xml:"skipped,attr"`
		Timestamp string       `xml:"timestamp,attr,omitempty"`
		Suites    []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      string        `xml:"line,attr,omitempty"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// xmlText returns s escaped for XML element text: each line escaped as Escape does (so no
// control character is left but the line feeds between lines), lines kept.
func xmlText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(strings.TrimSuffix(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

func buildJUnit(r *Report, opts Options) junitSuites {
	c := newCatalog(r, opts)
	results := byCheck(r.Results)
	summaries := c.summaries(results)
	ambiguous := ambiguousObjects(r.Results)
	paths := newSourcePaths(opts.BaseDir)
	stamp := ""
	if !r.GeneratedAt.IsZero() {
		stamp = r.GeneratedAt.UTC().Format("2006-01-02T15:04:05")
	}
	doc := junitSuites{Name: Escape(cmp.Or(r.Tool.Name, "kspm") + " " + strings.Join(r.Benchmarks, ", ")), Timestamp: stamp}
	doc.Name = strings.TrimSpace(doc.Name)
	governanceCounts, governanceLines := junitGovernance(r)
	reported := make(map[string]bool)
	for gi, g := range c.groups {
		// The benchmark's checks it reports (each check once), by section when they name
		// more than one.
		var (
			ids       []string
			sections  []string
			bySection = make(map[string][]string)
		)
		for _, id := range g.checks {
			if !reported[id] {
				reported[id] = true
				ids = append(ids, id)
				if sec := c.meta[id].Section; !slices.Contains(sections, sec) {
					sections = append(sections, sec)
				}
			}
		}
		if len(sections) < 2 {
			sections = []string{""}
		}
		for _, id := range ids {
			sec := ""
			if len(sections) > 1 {
				sec = c.meta[id].Section
			}
			bySection[sec] = append(bySection[sec], id)
		}
		for _, sec := range sections {
			suite := junitSuite{Name: Escape(g.name), Time: "0", Timestamp: stamp,
				Properties: []junitProperty{{Name: "benchmark", Value: Escape(g.name)}}}
			if g.title != "" {
				suite.Properties = append(suite.Properties, junitProperty{Name: "benchmark.title", Value: Escape(oneLine(g.title))})
			}
			compliance := summaries[gi].Total
			if sec != "" {
				suite.Name += " / " + Escape(sec)
				suite.Properties = append(suite.Properties, junitProperty{Name: "section", Value: Escape(sec)})
				for _, s := range summaries[gi].Sections {
					if s.Section == sec {
						compliance = s
					}
				}
			}
			suite.Properties = append(suite.Properties, junitProperty{Name: "compliance",
				Value: compliance.Compliance() + ", " + compliance.Percent()})
			suite.Properties = append(suite.Properties, governanceCounts...)
			if len(doc.Suites) == 0 {
				suite.Properties = append(suite.Properties, governanceLines...)
			}
			for _, id := range bySection[sec] {
				for _, tc := range junitCases(c.meta[id], results[id], ambiguous, paths) {
					suite.Tests++
					switch {
					case tc.Failure != nil:
						suite.Failures++
					case tc.Error != nil:
						suite.Errors++
					case tc.Skipped != nil:
						suite.Skipped++
					}
					suite.Cases = append(suite.Cases, tc)
				}
			}
			doc.Tests += suite.Tests
			doc.Failures += suite.Failures
			doc.Errors += suite.Errors
			doc.Skipped += suite.Skipped
			doc.Suites = append(doc.Suites, suite)
		}
	}
	return doc
}

// junitCases returns the testcases of one check: one per object its results are about (and
// one for its results about no object), in the order of each object's first result.
func junitCases(m check.Meta, results []*check.Result, ambiguous map[objectName]bool, paths *sourcePaths) []junitCase {
	type key struct {
		obj objectName
		src string
	}
	var (
		keys  []key
		cases = make(map[key][]*check.Result)
	)
	for _, res := range results {
		var k key
		if o := res.Object; o != nil {
			k.obj = objectName{o.Kind, o.Namespace, o.Name}
			if o.Source != nil {
				k.src = o.Source.File + "\x00" + o.Source.Root
			}
		}
		if _, ok := cases[k]; !ok {
			keys = append(keys, k)
		}
		cases[k] = append(cases[k], res)
	}
	out := make([]junitCase, 0, len(keys))
	for _, k := range keys {
		rs := cases[k]
		first := rs[0]
		tc := junitCase{Classname: Escape(m.ID), Name: "(no object)", Time: "0"}
		if o := first.Object; o != nil {
			tc.Name = o.String()
			if o.Source != nil && o.Source.File != "" {
				file, _ := paths.of(o.Source)
				tc.File = cmp.Or(file, o.Source.File)
				if ambiguous[k.obj] {
					tc.Name += " (" + tc.File + ")"
				}
				if o.Source.Root == "" && o.Source.Line > 0 {
					tc.Line = strconv.Itoa(o.Source.Line)
				}
			}
			tc.Name, tc.File = Escape(tc.Name), Escape(tc.File)
		}
		// The status that most needs attention, then the results of that status first.
		worst := slices.MinFunc(rs, func(a, b *check.Result) int {
			return cmp.Compare(attentionRank(a.Status), attentionRank(b.Status))
		}).Status
		var notPassed []*check.Result
		for _, res := range rs {
			if res.Status != check.StatusPass {
				notPassed = append(notPassed, res)
			}
		}
		slices.SortStableFunc(notPassed, func(a, b *check.Result) int {
			return cmp.Compare(attentionRank(a.Status), attentionRank(b.Status))
		})
		switch worst {
		case check.StatusPass:
		case check.StatusFail:
			tc.Failure = &junitProblem{Message: junitMessage(notPassed), Type: Escape(string(m.Severity)),
				Text: junitDetails(m, notPassed)}
		case check.StatusError:
			tc.Error = &junitProblem{Message: junitMessage(notPassed), Type: "error", Text: junitDetails(m, notPassed)}
		default:
			tc.Skipped = &junitSkipped{Message: junitMessage(notPassed)}
		}
		out = append(out, tc)
	}
	return out
}

// junitMessage returns the one-line message of a testcase: the status and message of its
// first result that did not pass, and how many others there are.
func junitMessage(rs []*check.Result) string {
	if len(rs) == 0 {
		return ""
	}
	msg := string(rs[0].Status) + ": " + resultMessage(rs[0])
	if rs[0].Field != "" {
		msg += " (" + rs[0].Field + ")"
	}
	if len(rs) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(rs)-1)
	}
	return Escape(msg)
}

// junitDetails returns the text of a failure or error: the check, each result that did not
// pass, and the remediation.
func junitDetails(m check.Meta, rs []*check.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (severity %s)\n", m.ID, oneLine(m.Title), m.Severity)
	for _, res := range rs {
		fmt.Fprintf(&b, "- %s: %s", res.Status, resultMessage(res))
		if res.Field != "" {
			fmt.Fprintf(&b, " [%s]", Escape(res.Field))
		}
		b.WriteByte('\n')
	}
	if m.Remediation != "" {
		fmt.Fprintf(&b, "Remediation: %s\n", oneLine(m.Remediation))
	}
	return xmlText(b.String())
}

// junitGovernance returns the properties that say what r's exceptions and baseline did:
// counts, which every suite carries, and the lines of governanceNotes, which the first suite
// carries (named "exceptions", "exception-expired", ...; a warning's value starts with its
// label, "expired:").
func junitGovernance(r *Report) (counts, lines []junitProperty) {
	count := func(name string, n int) { counts = append(counts, junitProperty{Name: name, Value: strconv.Itoa(n)}) }
	if x := r.Exceptions; x != nil {
		count("exceptions.applied", len(x.Applied))
		count("exceptions.expired", len(x.Expired))
		count("exceptions.unused", len(x.Unused))
		count("exceptions.exceptedResults", setAside(x))
		if a := x.Annotations; a != nil {
			count("annotations.exceptedResults", a.Results)
			count("annotations.notApplied", len(a.Ignored))
		}
	}
	if b := r.Baseline; b != nil {
		count("baseline.new", b.New)
		count("baseline.present", b.Present)
		count("baseline.resolved", b.Resolved)
		count("baseline.unconfirmed", b.Unconfirmed)
	}
	for _, g := range governanceNotes(r) {
		lines = append(lines, junitProperty{Name: g.Kind, Value: Escape(oneLine(strings.TrimSpace(g.Label + " " + g.Text)))})
	}
	return counts, lines
}
