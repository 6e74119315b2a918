package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// goldenName is the golden file of each format's demo report.
var goldenName = map[report.Format]string{
	report.FormatSARIF:    "demo.sarif",
	report.FormatJUnit:    "demo.junit.xml",
	report.FormatMarkdown: "demo.md",
	report.FormatHTML:     "demo.html",
	report.FormatCSV:      "demo.csv",
}

// write writes r in format f, failing the test on an error.
func write(t *testing.T, r *report.Report, f report.Format, opts report.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, r, f, opts))
	return buf.Bytes()
}

// TestWriteGolden: each format of the demo scan (goldenReport), against its golden file.
func TestWriteGolden(t *testing.T) {
	r, opts := goldenReport(t)
	abs, err := filepath.Abs("..")
	require.NoError(t, err)
	for _, f := range report.Formats() {
		t.Run(string(f), func(t *testing.T) {
			out := write(t, r, f, opts)
			// The absolute path of the checkout (SARIF's base URI) differs between machines.
			out = bytes.ReplaceAll(out, []byte("file://"+filepath.ToSlash(abs)+"/"), []byte("file:///REPO/"))
			golden(t, goldenName[f], out)
			// The same report written again gives the same bytes.
			again := bytes.ReplaceAll(write(t, r, f, opts), []byte("file://"+filepath.ToSlash(abs)+"/"), []byte("file:///REPO/"))
			assert.Equal(t, string(out), string(again))
		})
	}
	require.Len(t, goldenName, len(report.Formats()), "a format without a golden file")
}

func TestWriteUnknownFormat(t *testing.T) {
	err := report.Write(&bytes.Buffer{}, fixtureReport(t), "yaml", report.Options{})
	assert.ErrorIs(t, err, report.ErrUnknownFormat)
	for _, f := range report.Formats() {
		assert.Error(t, report.Write(&bytes.Buffer{}, nil, f, report.Options{}), "%s of a nil report", f)
	}
}

// futureStatus stands for a status added after the writers were written: the writers show it
// without a change, as they show the others.
const futureStatus check.Status = "reviewLater"

// statusReport is a report with one result of every status of check.Statuses, and one of
// futureStatus, each about an object of its own, its message naming its status.
func statusReport() *report.Report {
	var results []check.Result
	for i, s := range append(check.Statuses(), futureStatus) {
		results = append(results, check.Result{CheckID: "kspm:" + string(s), Title: "Check " + string(s),
			Severity: check.Severities()[i%len(check.Severities())], Status: s, Message: "reason of " + string(s),
			Remediation: "fix " + string(s),
			Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "ns", Name: "pod-" + string(s),
				Source: &inventory.Source{File: "pods.yaml", Line: i + 1}}})
	}
	return report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), []string{"statuses"}, results,
		report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
}

// TestWritersShowEveryStatus: each writer shows the results of every status, from
// check.Statuses, so that a status added there is shown by every format; and one it does
// not know, futureStatus, as a status that is neither pass nor fail.
func TestWritersShowEveryStatus(t *testing.T) {
	r := statusReport()
	statuses := append(check.Statuses(), futureStatus)

	t.Run("junit", func(t *testing.T) {
		var doc junitDoc
		require.NoError(t, xml.Unmarshal(write(t, r, report.FormatJUnit, report.Options{}), &doc))
		cases := doc.cases()
		require.Len(t, cases, len(statuses))
		for _, s := range statuses {
			tc, ok := cases["kspm:"+string(s)]
			require.True(t, ok, "no testcase for %s", s)
			switch s {
			case check.StatusPass:
				assert.Nil(t, tc.Failure)
				assert.Nil(t, tc.Error)
				assert.Nil(t, tc.Skipped)
			case check.StatusFail:
				require.NotNil(t, tc.Failure)
				assert.Contains(t, tc.Failure.Message, "reason of fail")
				assert.Contains(t, tc.Failure.Text, "fix fail")
			case check.StatusError:
				require.NotNil(t, tc.Error)
				assert.Contains(t, tc.Error.Message, "reason of error")
			default: // notEvaluated, manual, notApplicable, and a status added later
				require.NotNil(t, tc.Skipped, "%s", s)
				assert.Equal(t, string(s)+": reason of "+string(s), tc.Skipped.Message)
			}
		}
	})

	t.Run("csv", func(t *testing.T) {
		rows, err := csv.NewReader(bytes.NewReader(write(t, r, report.FormatCSV, report.Options{}))).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, len(statuses)+1)
		for i, s := range statuses {
			assert.Equal(t, string(s), rows[i+1][5])
			assert.Equal(t, "reason of "+string(s), rows[i+1][11])
		}
	})

	t.Run("markdown", func(t *testing.T) {
		out := string(write(t, r, report.FormatMarkdown, report.Options{}))
		head := "| Benchmark | Compliance (checks) |"
		for _, s := range statuses {
			head += " " + string(s) + " |"
		}
		assert.Contains(t, out, head, "a column per status")
		assert.Regexp(t, `\n\| statuses \|[^\n]*\| 1 \| 1 \| 1 \| 1 \| 1 \| 1 \| 1 \| 1 \|\n`, out, "a result of each status")
		for _, s := range statuses {
			switch s {
			case check.StatusPass, check.StatusManual, check.StatusNotApplicable: // counted only
				assert.NotContains(t, out, "reason of "+string(s))
			default: // listed
				assert.Contains(t, out, "reason of "+string(s))
			}
		}
		assert.Contains(t, out, "### excepted (1)")
		assert.Contains(t, out, "### reviewLater (1)")
	})

	t.Run("html", func(t *testing.T) {
		out := string(write(t, r, report.FormatHTML, report.Options{}))
		for _, s := range statuses {
			assert.Contains(t, out, `data-status="`+string(s)+`"`)
			assert.Contains(t, out, "reason of "+string(s))
			assert.Contains(t, out, `<option value="`+string(s)+`">`, "a filter for %s", s)
		}
	})

	t.Run("sarif", func(t *testing.T) {
		var log sarifDoc
		require.NoError(t, json.Unmarshal(write(t, r, report.FormatSARIF, report.Options{}), &log))
		run := log.Runs[0]
		text := make(map[string]string) // where each message went
		for _, res := range run.Results {
			text[res.Message.Text] = "result"
		}
		for _, n := range run.Invocations[0].ToolExecutionNotifications {
			text[n.Message.Text] = "notification " + n.Level
		}
		find := func(s check.Status) string {
			for msg, where := range text {
				if strings.Contains(msg, "reason of "+string(s)+" ") {
					return where
				}
			}
			return ""
		}
		assert.Equal(t, "result", find(check.StatusFail))
		assert.Equal(t, "notification error", find(check.StatusError))
		assert.Equal(t, "notification warning", find(check.StatusNotEvaluated))
		assert.Equal(t, "notification note", find(check.StatusManual))
		assert.Equal(t, "result", find(check.StatusExcepted), "an excepted failure is a result with a suppression")
		for _, res := range run.Results {
			if strings.Contains(res.Message.Text, "reason of excepted ") {
				require.Len(t, res.Suppressions, 1)
				assert.Equal(t, "external", res.Suppressions[0].Kind)
				assert.Equal(t, "accepted", res.Suppressions[0].Status)
			} else {
				assert.Empty(t, res.Suppressions, res.Message.Text)
			}
		}
		assert.Equal(t, "notification warning", find(futureStatus), "a status with no mapping is not dropped")
		byStatus := run.Properties["kspm/resultsByStatus"].(map[string]any)
		for _, s := range statuses {
			assert.EqualValues(t, 1, byStatus[string(s)], "%s counted", s)
		}
	})
}

// junitDoc is the JUnit XML WriteJUnit writes, as a CI system reads it.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []junitTestcase `xml:"testcase"`
	} `xml:"testsuite"`
}

type junitTestcase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	File      string `xml:"file,attr"`
	Line      string `xml:"line,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	} `xml:"error"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
}

// cases returns the testcases by classname (the last one of each).
func (d junitDoc) cases() map[string]junitTestcase {
	out := make(map[string]junitTestcase)
	for _, s := range d.Suites {
		for _, c := range s.Cases {
			out[c.Classname] = c
		}
	}
	return out
}

// hostileNames are object names and messages that try to break or inject into each format:
// markup, table delimiters, spreadsheet formulas, control characters that XML 1.0 forbids,
// bidi overrides and invalid UTF-8.
var hostileNames = []string{
	`<img src=x onerror=alert(1)>`,
	`<img src=x> <b>bold</b><i>it</i>`,
	`</script><script>alert(1)</script>`,
	`a|b|c`,
	"`code` **bold** [link](javascript:alert(1)) ![img](https://evil.example/x.png)",
	"@octocat #1 $x$ ~~strike~~",
	`=HYPERLINK("https://evil.example","click")`,
	`+1+2`,
	`-2+3`,
	`@SUM(A1:A2)`,
	"\tleading tab",
	"\rleading CR",
	"line\nbreak\r\nand CRLF",
	"nul\x00 bell\a esc\x1b[2J vt\v ff\f del\x7f c1\u0085\u009b",
	"bidi\u202egnp.exe and zero\u200bwidth",
	"invalid \xff\xfe utf-8",
	"nonchar \uFFFE\uFFFF",
	`quote " apostrophe ' amp & lt < gt > cdata ]]>`,
	"{{.Title}} ${x} %s",
}

// hostileResults returns a failing, a not-evaluated and a passing result per hostile name,
// the name in the object's name, namespace, field and message.
func hostileResults() []check.Result {
	var out []check.Result
	for i, h := range hostileNames {
		for _, s := range []check.Status{check.StatusFail, check.StatusNotEvaluated, check.StatusPass} {
			out = append(out, check.Result{CheckID: "kspm:hostile", Title: "Hostile " + h, Severity: check.High, Status: s,
				Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "ns-" + h, Name: h,
					Source: &inventory.Source{File: "dir/" + h + ".yaml", Line: i + 1}},
				Message: "message " + h, Field: "spec." + h, Remediation: "fix " + h, Section: "1 " + h})
		}
	}
	return out
}

func hostileFormatsReport() *report.Report {
	b := inventory.NewBuilder(inventory.ModeManifests)
	b.AddSource("<b>src</b>")
	b.AddError(&inventory.SourceError{Source: inventory.Source{File: "<img src=x>.yaml", Line: 3}, Err: errors.New("bad | <i>value</i>")})
	b.AddWarning(&inventory.SourceError{Source: inventory.Source{File: "w\x1b.yaml", Line: 4}, Err: errors.New("=warn")})
	b.SetCoverage(inventory.Coverage{Kind: "Secret", State: inventory.Forbidden, Reason: "<script>alert(1)</script>"})
	return report.New(b.Build(), []string{"bench<x>"}, hostileResults(), report.Tool{Name: "kspm"}, fixtureTime)
}

// TestWritersEmptyReport: a report with no result, no coverage and no benchmark is written
// by every format, and says so.
func TestWritersEmptyReport(t *testing.T) {
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, nil, report.Tool{}, fixtureTime)
	r.Inventory.Coverage = nil
	want := map[report.Format]string{
		report.FormatSARIF:    `"results": []`,
		report.FormatJUnit:    `tests="0"`,
		report.FormatMarkdown: "no failing result",
		report.FormatHTML:     "</b> of 0 results shown",
		report.FormatCSV:      "benchmark,section,check",
	}
	for _, f := range report.Formats() {
		out := string(write(t, r, f, report.Options{}))
		assert.Contains(t, out, want[f], "%s:\n%s", f, out)
	}
}

// TestWritersShowTheException: an excepted result shows, in every format, who set it aside
// and why: a reader never sees an excepted failure without its exception.
func TestWritersShowTheException(t *testing.T) {
	res := check.Result{CheckID: "workloads:privileged", Title: "Privileged", Severity: check.Critical,
		Status: check.StatusExcepted, Message: "container app runs privileged", Remediation: "drop it",
		Object: &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web",
			Source: &inventory.Source{File: "web.yaml", Line: 1}},
		Exception: &check.Exception{From: check.StatusFail, ID: "legacy-web", Reason: "vendor image until Q3",
			Owner: "team-shop", Expires: "2027-01-31", Source: "exceptions.yaml:4"}}
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), []string{"workloads"}, []check.Result{res},
		report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
	for _, f := range report.Formats() {
		out := string(write(t, r, f, report.Options{}))
		for _, want := range []string{"vendor image until Q3", "team-shop", "2027-01-31", "exceptions.yaml:4"} {
			assert.Contains(t, out, want, "%s shows the exception", f)
		}
	}
}
