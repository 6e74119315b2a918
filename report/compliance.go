package report

import (
	"fmt"

	"github.com/kspm-dev/kspm/check"
)

// The compliance score, written by the text, Markdown and HTML reports, is defined here and
// in SectionSummary, once:
//
//   - it counts checks (controls), not results: a check passes when all of its results that
//     judged something passed, and fails when any of them failed (see SectionSummary for the
//     verdict of a check whose results differ);
//   - score = passed / evaluated, where evaluated = passed + failed;
//   - checks not evaluated (what they need could not be seen, or the check itself failed) are
//     counted beside the score and never inside it, in either direction: they do not lower
//     it as failures would, and they do not raise it as passes would. Manual and
//     not-applicable checks are counted beside it too;
//   - a group with no evaluated check has no score ("n/a"), not 0% or 100%.

// Score returns s's compliance score, passed / evaluated, and false when no check was
// evaluated.
func (s SectionSummary) Score() (float64, bool) {
	if s.Evaluated() == 0 {
		return 0, false
	}
	return float64(s.Passed) / float64(s.Evaluated()), true
}

// Percent returns s's score as a whole percentage rounded down, e.g. "66%", so that 100% is
// shown only when every evaluated check passed; "n/a" when none was evaluated.
func (s SectionSummary) Percent() string {
	if s.Evaluated() == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d%%", s.Passed*100/s.Evaluated())
}

// BenchmarkSummary is the compliance of one benchmark: over all of its checks that have
// results, and per section.
type BenchmarkSummary struct {
	// Name is the benchmark's name (Benchmark.Name).
	Name string `json:"name"`
	// Title is the benchmark's title.
	Title string `json:"title,omitempty"`
	// Total is the compliance over all of the benchmark's checks; its Section is Name.
	Total SectionSummary `json:"total"`
	// Sections is the compliance of each section, in the order of its first check; empty
	// when the benchmark's checks name no section, or all name the same one (it would say
	// what Total says). Checks with no section are left out.
	Sections []SectionSummary `json:"sections,omitempty"`
}

// BenchmarkSummaries returns the compliance of each benchmark of r: the benchmarks of
// benchmarks that hold a check of r, in order, then one named "other checks" for the checks
// none of them holds. A check several benchmarks hold counts in each. With no benchmarks,
// there is one, named for r.Benchmarks, holding every check.
func BenchmarkSummaries(r *Report, benchmarks []Benchmark) []BenchmarkSummary {
	c := newCatalog(r, Options{Benchmarks: benchmarks})
	return c.summaries(byCheck(r.Results))
}

// summaries returns the compliance of each of c's groups.
func (c *catalog) summaries(results map[string][]*check.Result) []BenchmarkSummary {
	verdicts := make(map[string]check.Status, len(c.order))
	for _, id := range c.order {
		statuses := make(map[check.Status]bool)
		for _, res := range results[id] {
			statuses[res.Status] = true
		}
		verdicts[id] = checkVerdict(statuses)
	}
	out := make([]BenchmarkSummary, 0, len(c.groups))
	for _, g := range c.groups {
		b := BenchmarkSummary{Name: g.name, Title: g.title, Total: SectionSummary{Section: g.name}}
		index := make(map[string]int)
		for _, id := range g.checks {
			v := verdicts[id]
			b.Total.add(v)
			sec := c.meta[id].Section
			if sec == "" {
				continue
			}
			i, ok := index[sec]
			if !ok {
				i = len(b.Sections)
				index[sec] = i
				b.Sections = append(b.Sections, SectionSummary{Section: sec})
			}
			b.Sections[i].add(v)
		}
		if len(b.Sections) == 1 && b.Sections[0].Checks == b.Total.Checks {
			b.Sections = nil
		}
		out = append(out, b)
	}
	return out
}
