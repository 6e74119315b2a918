package report_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/report"
)

// TestEveryFormatSaysWhatExceptionsAndBaselineDid: a reader of SARIF, JUnit, Markdown or
// HTML learns, as a reader of text does and in its words, that an exception expired, that
// one set nothing aside, that annotations set failures aside, and how the findings compare
// with the baseline.
func TestEveryFormatSaysWhatExceptionsAndBaselineDid(t *testing.T) {
	r := exceptedReport(t)
	var text strings.Builder
	require.NoError(t, report.WriteText(&text, r, report.TextOptions{}))
	// The lines of the text report every other format must carry, as text words them.
	want := []string{
		"Exceptions (exceptions.yaml): 1 failure set aside by 1 exception",
		`exceptions.yaml:12 workloads:*, owner shop-team\x1b]0;x\a, expires 2026-01-31: 2 matching failures count again`,
		"exceptions.yaml:20 (old) rbac:*, owner sec, expires 2026-12-31: matched no result",
		"Annotation exemptions: allowed; 1 failure set aside by annotations on 1 object (owner: annotation on the object)",
		"Deployment shop/web: kspm.dev/exempt without kspm.dev/exempt-reason",
		"Baseline (old.json, generated 2026-02-25T05:06:07Z): 2 new, 1 still present, 1 resolved, 1 unconfirmed",
		`the baseline ran other benchmarks (["cis-1.12"]), not ["cis-1.12","kspm"]`,
	}
	for _, w := range want {
		require.Contains(t, text.String(), w, "the text report")
	}
	for _, tt := range []struct {
		format report.Format
		// decode turns the document into the text a reader sees.
		decode func(t *testing.T, doc []byte) string
	}{
		{report.FormatSARIF, sarifGovernance},
		{report.FormatJUnit, htmlUnescape},
		{report.FormatMarkdown, func(_ *testing.T, doc []byte) string { return strings.ReplaceAll(string(doc), `\`, "") }},
		{report.FormatHTML, htmlUnescape},
	} {
		t.Run(string(tt.format), func(t *testing.T) {
			got := tt.decode(t, write(t, r, tt.format, report.Options{}))
			for _, w := range want {
				if tt.format == report.FormatMarkdown {
					w = strings.ReplaceAll(w, `\`, "")
				}
				assert.Contains(t, got, w)
			}
		})
	}
	t.Run("junit counts", func(t *testing.T) {
		doc := string(write(t, r, report.FormatJUnit, report.Options{}))
		for _, p := range []string{`name="exceptions.expired" value="1"`, `name="exceptions.unused" value="1"`,
			`name="exceptions.exceptedResults" value="1"`, `name="baseline.new" value="2"`, `name="baseline.resolved" value="1"`} {
			assert.Contains(t, doc, p)
		}
	})
	t.Run("none without exceptions or a baseline", func(t *testing.T) {
		plain := *r
		plain.Exceptions, plain.Baseline = nil, nil
		for _, f := range []report.Format{report.FormatSARIF, report.FormatJUnit, report.FormatMarkdown, report.FormatHTML} {
			doc := string(write(t, &plain, f, report.Options{}))
			assert.NotContains(t, doc, "count again", f)
			assert.NotContains(t, doc, "still present", f)
		}
	})
}

// sarifGovernance returns the notifications of a SARIF log and its run's exceptions and
// baseline properties, one a line.
func sarifGovernance(t *testing.T, doc []byte) string {
	var log struct {
		Runs []struct {
			Invocations []struct {
				ToolExecutionNotifications []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(doc, &log))
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	var lines []string
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		lines = append(lines, n.Level+" "+report.Escape(n.Message.Text)) // SARIF leaves the escaping to JSON
		if strings.Contains(n.Message.Text, "count again") {
			assert.Equal(t, "warning", n.Level, "an expired exception is a warning")
		}
	}
	assert.JSONEq(t, `{"applied": 1, "expired": 1, "unused": 1, "exceptedResults": 1, "annotationExceptedResults": 1, "annotationsNotApplied": 1}`,
		string(run.Properties["kspm/exceptions"]))
	assert.JSONEq(t, `{"new": 2, "present": 1, "resolved": 1, "unconfirmed": 1}`, string(run.Properties["kspm/baseline"]))
	return strings.Join(lines, "\n")
}

// htmlUnescape returns an XML or HTML document with its character references resolved.
func htmlUnescape(_ *testing.T, doc []byte) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&#xA;", "\n").Replace(string(doc))
}

// TestSARIFJustificationWordedAsText: a suppressed SARIF result's justification is the
// exception as the text report words it.
func TestSARIFJustificationWordedAsText(t *testing.T) {
	r := exceptedReport(t)
	doc := string(write(t, r, report.FormatSARIF, report.Options{}))
	assert.Contains(t, doc, `"justification": "excepted from fail by platform-team until 2026-06-30 (exceptions.yaml:4): break-glass binding\u001b[2J, reviewed quarterly"`)
}
