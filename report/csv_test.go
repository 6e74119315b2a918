package report_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/report"
)

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = 12
	rows, err := rd.ReadAll()
	require.NoError(t, err)
	return rows
}

// TestCSVRows: a header, then a row per result of every status, with its columns.
func TestCSVRows(t *testing.T) {
	r, opts := goldenReport(t)
	out := write(t, r, report.FormatCSV, opts)
	assert.True(t, bytes.HasSuffix(out, []byte("\r\n")), "RFC 4180 line ends")
	rows := readCSV(t, out)
	require.Len(t, rows, len(r.Results)+1)
	assert.Equal(t, []string{"benchmark", "section", "check", "title", "severity", "status", "kind", "namespace", "name",
		"source", "field", "message"}, rows[0])
	found := false
	for _, row := range rows[1:] {
		if row[2] == "pss:privileged" && row[8] == "netshoot" {
			found = true
			assert.Equal(t, []string{"pss-baseline; pss-restricted", "Pod Security Standards: Baseline", "pss:privileged",
				"Containers must not run privileged", "critical", "fail", "Pod", "default", "netshoot",
				"examples/demo/default.yaml:32", "spec.containers[0].securityContext.privileged"}, row[:11])
		}
	}
	assert.True(t, found)
}

// TestCSVFormulaInjection: a cell a spreadsheet would run as a formula is prefixed with a
// quote; values with quotes, commas and line breaks stay in their cell.
func TestCSVFormulaInjection(t *testing.T) {
	rows := readCSV(t, write(t, hostileFormatsReport(), report.FormatCSV, report.Options{}))
	require.Len(t, rows, len(hostileResults())+1)
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell == "" {
				continue
			}
			assert.NotContains(t, "=+-@\t\r", cell[:1], "cell %q would run as a formula", cell)
			assert.False(t, strings.ContainsAny(cell, "\r\n\x00\x1b\x7f"), "cell %q holds a control character", cell)
		}
	}
	names := make(map[string]bool)
	for _, row := range rows[1:] {
		names[row[8]] = true
	}
	for _, want := range []string{`'=HYPERLINK("https://evil.example","click")`, `'+1+2`, `'-2+3`, `'@SUM(A1:A2)`,
		`\tleading tab`, `\rleading CR`, `line\nbreak\r\nand CRLF`, `quote " apostrophe ' amp & lt < gt > cdata ]]>`, `a|b|c`} {
		assert.True(t, names[want], "name %q not in %q", want, names)
	}
}
