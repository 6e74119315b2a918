package report_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// xmlChar reports whether r is a character XML 1.0 allows (its Char production).
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

// wellFormed decodes every token of an XML document, failing on any error.
func wellFormed(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		require.NoError(t, err)
	}
}

// TestJUnitHostileNames: names and messages carrying markup, quotes, "]]>", control
// characters XML 1.0 forbids (NUL, ESC, VT, FF), noncharacters and invalid UTF-8 give a
// well-formed document of XML 1.0 characters only, in which each shows as its escape.
func TestJUnitHostileNames(t *testing.T) {
	out := write(t, hostileFormatsReport(), report.FormatJUnit, report.Options{})
	require.True(t, utf8.Valid(out))
	for i, r := range string(out) {
		require.True(t, xmlChar(r), "%U at %d is not an XML 1.0 character", r, i)
		// Character references to forbidden characters are no better than the characters.
		require.False(t, r == '\u202e', "a bidi override at %d", i)
	}
	for _, ref := range []string{"&#x0;", "&#x1B;", "&#x1b;", "&#27;", "&#0;", "&#xB;", "&#xC;"} {
		assert.NotContains(t, string(out), ref)
	}
	wellFormed(t, out)

	var doc junitDoc
	require.NoError(t, xml.Unmarshal(out, &doc))
	var names []string
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			names = append(names, c.Name)
		}
	}
	for _, want := range []string{
		`Pod ns-<img src=x onerror=alert(1)>/<img src=x onerror=alert(1)>`,
		`Pod ns-nul\x00 bell\a esc\x1b[2J vt\v ff\f del\x7f c1\u0085\u009b/nul\x00 bell\a esc\x1b[2J vt\v ff\f del\x7f c1\u0085\u009b`,
		`Pod ns-line\nbreak\r\nand CRLF/line\nbreak\r\nand CRLF`,
		`Pod ns-invalid \xff\xfe utf-8/invalid \xff\xfe utf-8`,
		`Pod ns-nonchar \ufffe\uffff/nonchar \ufffe\uffff`,
		`Pod ns-quote " apostrophe ' amp & lt < gt > cdata ]]>/quote " apostrophe ' amp & lt < gt > cdata ]]>`,
	} {
		assert.Contains(t, names, want, "decoded names")
	}
}

// TestJUnitStructure: suites per benchmark (per section for a benchmark with several),
// testcases per check and object, counts that add up, and a check two benchmarks hold
// reported once.
func TestJUnitStructure(t *testing.T) {
	r, opts := goldenReport(t)
	out := write(t, r, report.FormatJUnit, opts)
	wellFormed(t, out)
	var doc junitDoc
	require.NoError(t, xml.Unmarshal(out, &doc))

	var suites []string
	tests, failures, errs, skipped := 0, 0, 0, 0
	seen := make(map[string]bool) // classname and name
	for _, s := range doc.Suites {
		suites = append(suites, s.Name)
		f, e, k := 0, 0, 0
		for _, c := range s.Cases {
			key := c.Classname + " " + c.Name
			assert.False(t, seen[key], "testcase %s twice", key)
			seen[key] = true
			switch {
			case c.Failure != nil:
				f++
			case c.Error != nil:
				e++
			case c.Skipped != nil:
				k++
			}
		}
		assert.Equal(t, len(s.Cases), s.Tests, s.Name)
		assert.Equal(t, f, s.Failures, s.Name)
		assert.Equal(t, e, s.Errors, s.Name)
		assert.Equal(t, k, s.Skipped, s.Name)
		tests, failures, errs, skipped = tests+s.Tests, failures+s.Failures, errs+s.Errors, skipped+s.Skipped
	}
	assert.Equal(t, []string{"pss-baseline", "pss-restricted", "network", "cis-1.12 / 1.4 Scheduler", "cis-1.12 / 3.2 Logging",
		"cis-1.12 / 4.2 Kubelet", "cis-1.12 / 5.3 Network Policies and CNI"}, suites)
	assert.Equal(t, []int{tests, failures, errs, skipped}, []int{doc.Tests, doc.Failures, doc.Errors, doc.Skipped})

	// pss:privileged and pss:hostNamespaces are pss-baseline's, reported there only.
	classes := func(suite string) map[string]bool {
		out := make(map[string]bool)
		for _, s := range doc.Suites {
			if s.Name == suite {
				for _, c := range s.Cases {
					out[c.Classname] = true
				}
			}
		}
		return out
	}
	assert.Equal(t, map[string]bool{"pss:privileged": true, "pss:hostNamespaces": true}, classes("pss-baseline"))
	assert.Equal(t, map[string]bool{"pss:runAsNonRoot": true}, classes("pss-restricted"))

	// One testcase per check and object: the number of distinct objects of each check.
	objects := make(map[string]bool)
	for _, res := range r.Results {
		name := "(no object)"
		if res.Object != nil {
			name = res.Object.String()
		}
		objects[res.CheckID+" "+name] = true
	}
	assert.Len(t, seen, len(objects))

	// The failures of a testcase are all its results that failed, with the remediation.
	for _, s := range doc.Suites {
		for _, tc := range s.Cases {
			if tc.Classname == "pss:privileged" && tc.Name == "Pod default/netshoot" {
				require.NotNil(t, tc.Failure)
				assert.Equal(t, "critical", tc.Failure.Type)
				assert.Contains(t, tc.Failure.Text, "Remediation: ")
				assert.Equal(t, "examples/demo/default.yaml", tc.File)
				assert.Equal(t, "32", tc.Line)
			}
		}
	}
}

// TestJUnitWorstStatus: a testcase whose results differ (one container passes, one fails)
// takes the status that needs attention most: fail, then error, then any other but pass.
func TestJUnitWorstStatus(t *testing.T) {
	obj := &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "ns", Name: "p"}
	tests := []struct {
		name     string
		statuses []check.Status
		want     string
	}{
		{"fail beats pass", []check.Status{check.StatusPass, check.StatusFail}, "failure"},
		{"fail beats error", []check.Status{check.StatusError, check.StatusFail}, "failure"},
		{"error beats notEvaluated", []check.Status{check.StatusNotEvaluated, check.StatusError}, "error"},
		{"notEvaluated beats pass", []check.Status{check.StatusPass, check.StatusNotEvaluated}, "skipped"},
		{"a new status beats pass", []check.Status{check.StatusPass, futureStatus}, "skipped"},
		{"all pass", []check.Status{check.StatusPass, check.StatusPass}, "pass"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var results []check.Result
			for i, s := range tt.statuses {
				results = append(results, check.Result{CheckID: "kspm:c", Title: "C", Severity: check.High, Status: s,
					Object: obj, Field: "spec.containers[" + string(rune('0'+i)) + "]", Message: "m" + string(s)})
			}
			r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, results, report.Tool{}, fixtureTime)
			var doc junitDoc
			require.NoError(t, xml.Unmarshal(write(t, r, report.FormatJUnit, report.Options{}), &doc))
			cases := doc.cases()
			require.Len(t, cases, 1)
			tc := cases["kspm:c"]
			got := "pass"
			switch {
			case tc.Failure != nil:
				got = "failure"
				if tt.statuses[0] != check.StatusPass {
					assert.Contains(t, tc.Failure.Message, "(and 1 more)", "both results are listed")
				}
			case tc.Error != nil:
				got = "error"
			case tc.Skipped != nil:
				got = "skipped"
				assert.True(t, strings.HasPrefix(tc.Skipped.Message, string(tt.statuses[1])+": "), tc.Skipped.Message)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
