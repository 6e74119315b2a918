package main

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutputFormats: -o sarif, junit, markdown, html and csv write the scan's report in that
// format, with the benchmarks' checks as rules and suites, paths relative to the working
// directory, and --fail-on as for the table.
func TestOutputFormats(t *testing.T) {
	args := []string{"-f", "testdata/app", "--checks", "testdata/checks.yaml"}
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"sarif", func(t *testing.T, out string) {
			var log struct {
				Runs []struct {
					Tool struct {
						Driver struct {
							Rules []struct{ ID string }
						}
					}
					Results []struct {
						RuleID    string
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string }
								Region           struct{ StartLine int }
							}
						}
					}
				}
			}
			require.NoError(t, json.Unmarshal([]byte(out), &log))
			run := log.Runs[0]
			var rules []string
			for _, r := range run.Tool.Driver.Rules {
				rules = append(rules, r.ID)
			}
			assert.ElementsMatch(t, []string{"test:replicas", "test:configmap-password"}, rules)
			require.Len(t, run.Results, 2)
			for _, res := range run.Results {
				loc := res.Locations[0].PhysicalLocation
				assert.Contains(t, []string{"testdata/app/app.yaml", "testdata/app/config.json"}, loc.ArtifactLocation.URI)
				assert.Positive(t, loc.Region.StartLine)
			}
		}},
		{"junit", func(t *testing.T, out string) {
			var doc struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Suites   []struct {
					Name string `xml:"name,attr"`
				} `xml:"testsuite"`
			}
			require.NoError(t, xml.Unmarshal([]byte(out), &doc))
			assert.Equal(t, 2, doc.Failures)
			require.Len(t, doc.Suites, 1)
			assert.Equal(t, customBenchmark, doc.Suites[0].Name)
		}},
		{"markdown", func(t *testing.T, out string) {
			assert.True(t, strings.HasPrefix(out, "## kspm: 2 failing results\n"), out)
			assert.Contains(t, out, "| test:replicas | Deployment web/single | testdata/app/app.yaml:")
		}},
		{"html", func(t *testing.T, out string) {
			assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"))
			assert.Contains(t, out, "Deployment web/single")
		}},
		{"csv", func(t *testing.T, out string) {
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			require.NoError(t, err)
			assert.Greater(t, len(rows), 2)
			assert.Equal(t, "benchmark", rows[0][0])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", append(args, "-o", tt.format)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Empty(t, stderr)
			tt.check(t, stdout)

			// --fail-on counts as for the table; the report is written all the same.
			code, stdout, stderr = runScan(t, "", append(args, "-o", tt.format, "--fail-on", "high")...)
			assert.Equal(t, exitFailOn, code, stderr)
			assert.NotEmpty(t, stdout)
		})
	}
}

// TestOutputFormatsOnlyForAScan: the report formats are for a scan's report; the other modes
// say so rather than write a table.
func TestOutputFormatsOnlyForAScan(t *testing.T) {
	for _, args := range [][]string{
		{"--list", "-o", "sarif"},
		{"-f", "testdata/app", "--who-can", "get", "secrets", "-o", "html"},
	} {
		code, stdout, stderr := runScan(t, "", args...)
		assert.Equal(t, exitError, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "writes the report of a scan")
	}
	code, _, stderr := runScan(t, "", "-f", "testdata/app", "-o", "pdf")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `-o "pdf": want table, json, sarif, junit, markdown, html or csv`)
}
