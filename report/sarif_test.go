package report_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// sarifDoc is the part of a SARIF log the tests read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string                 `json:"id"`
					Name                 string                 `json:"name"`
					ShortDescription     sarifTextDoc           `json:"shortDescription"`
					FullDescription      sarifTextDoc           `json:"fullDescription"`
					Help                 sarifTextDoc           `json:"help"`
					DefaultConfiguration struct{ Level string } `json:"defaultConfiguration"`
					Properties           map[string]any         `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails *struct{ ID string } `json:"automationDetails"`
		Invocations       []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level          string       `json:"level"`
				Message        sarifTextDoc `json:"message"`
				AssociatedRule *struct {
					ID    string `json:"id"`
					Index int    `json:"index"`
				} `json:"associatedRule"`
				Locations []sarifLocationDoc `json:"locations"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID              string             `json:"ruleId"`
			RuleIndex           int                `json:"ruleIndex"`
			Kind                string             `json:"kind"`
			Level               string             `json:"level"`
			Message             sarifTextDoc       `json:"message"`
			Locations           []sarifLocationDoc `json:"locations"`
			PartialFingerprints map[string]string  `json:"partialFingerprints"`
			Suppressions        []struct {
				Kind          string `json:"kind"`
				Status        string `json:"status"`
				Justification string `json:"justification"`
			} `json:"suppressions"`
		} `json:"results"`
		Properties map[string]any `json:"properties"`
	} `json:"runs"`
}

type sarifTextDoc struct {
	Text string `json:"text"`
}

type sarifLocationDoc struct {
	PhysicalLocation *struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	} `json:"logicalLocations"`
}

func readSARIF(t *testing.T, data []byte) sarifDoc {
	t.Helper()
	var doc sarifDoc
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Len(t, doc.Runs, 1)
	return doc
}

// sarifReports are the reports the SARIF tests check: the demo scan of every default
// benchmark, the golden one, every status, hostile input, and an empty report.
func sarifReports(t *testing.T) map[string]struct {
	r    *report.Report
	opts report.Options
} {
	t.Helper()
	out := make(map[string]struct {
		r    *report.Report
		opts report.Options
	})
	add := func(name string, r *report.Report, opts report.Options) {
		out[name] = struct {
			r    *report.Report
			opts report.Options
		}{r, opts}
	}
	r, opts := fullDemoReport(t)
	add("demo", r, opts)
	r, opts = goldenReport(t)
	add("golden", r, opts)
	add("statuses", statusReport(), report.Options{})
	add("fixture", fixtureReport(t), report.Options{SARIFCategory: "cluster/prod"})
	add("hostile", hostileFormatsReport(), report.Options{BaseDir: "."})
	add("empty", report.New(fixtureManifests(), nil, nil, report.Tool{}, fixtureTime), report.Options{})
	return out
}

// TestSARIFSchema validates WriteSARIF's logs against the published SARIF 2.1.0 schema, which
// hack/fetch-sarif-schema.sh takes from the Go module proxy (hack/test.sh sets
// KSPM_SARIF_SCHEMA to it). The schema is not kept in this repository.
func TestSARIFSchema(t *testing.T) {
	path := os.Getenv("KSPM_SARIF_SCHEMA")
	if path == "" {
		t.Skip("KSPM_SARIF_SCHEMA is not set: run hack/fetch-sarif-schema.sh and set it to the path it prints (hack/test.sh does)")
	}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri, uri-reference and date-time formats are checked too
	require.NoError(t, c.AddResource("sarif-schema-2.1.0.json", doc))
	schema, err := c.Compile("sarif-schema-2.1.0.json")
	require.NoError(t, err)
	require.Contains(t, fmt.Sprint(doc), "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		"not the OASIS SARIF 2.1.0 schema")

	for name, tc := range sarifReports(t) {
		t.Run(name, func(t *testing.T) {
			out := write(t, tc.r, report.FormatSARIF, tc.opts)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			require.NoError(t, err)
			assert.NoError(t, schema.Validate(inst))
		})
	}
	// The validator does fail: a log that breaks the schema is refused.
	bad, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`))
	require.NoError(t, err)
	assert.Error(t, schema.Validate(bad), "a driver with no name")
}

// TestSARIFGitHubConstraints checks the logs against what GitHub code scanning documents for
// uploaded SARIF: required properties, limits on sizes and counts, level values,
// security-severity scores, stable rule IDs and fingerprints.
func TestSARIFGitHubConstraints(t *testing.T) {
	// GitHub's bands of security-severity.
	band := map[string][2]float64{"critical": {9.0, 10.0}, "high": {7.0, 8.9}, "medium": {4.0, 6.9}, "low": {0.1, 3.9}}
	levels := map[string]bool{"note": true, "warning": true, "error": true}
	for name, tc := range sarifReports(t) {
		t.Run(name, func(t *testing.T) {
			out := write(t, tc.r, report.FormatSARIF, tc.opts)
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			_, err := zw.Write(out)
			require.NoError(t, err)
			require.NoError(t, zw.Close())
			assert.Less(t, gz.Len(), 10<<20, "GitHub takes at most 10 MB of gzipped SARIF")
			doc := readSARIF(t, out)
			assert.NotEmpty(t, doc.Schema)
			assert.Equal(t, "2.1.0", doc.Version)
			run := doc.Runs[0]
			assert.NotEmpty(t, run.Tool.Driver.Name)
			assert.LessOrEqual(t, len(run.Tool.Driver.Rules), 25000)
			assert.LessOrEqual(t, len(run.Results), 25000)

			ids := make(map[string]bool)
			for _, rule := range run.Tool.Driver.Rules {
				assert.False(t, ids[rule.ID], "rule %s twice", rule.ID)
				ids[rule.ID] = true
				assert.NotEmpty(t, rule.ID)
				assert.LessOrEqual(t, utf8.RuneCountInString(rule.Name), 255)
				for _, text := range []string{rule.ShortDescription.Text, rule.FullDescription.Text} {
					assert.NotEmpty(t, text, rule.ID)
					assert.LessOrEqual(t, utf8.RuneCountInString(text), 1024, rule.ID)
				}
				assert.NotEmpty(t, rule.Help.Text, rule.ID)
				assert.True(t, levels[rule.DefaultConfiguration.Level], "%s: level %q", rule.ID, rule.DefaultConfiguration.Level)
				tags, _ := rule.Properties["tags"].([]any)
				assert.Contains(t, tags, "security")
				assert.LessOrEqual(t, len(tags), 20)
				sev, _ := rule.Properties["kspm/severity"].(string)
				if score, ok := rule.Properties["security-severity"].(string); ok {
					v, err := strconv.ParseFloat(score, 64)
					require.NoError(t, err)
					b, ok := band[sev]
					require.True(t, ok, "%s: a security-severity for severity %q", rule.ID, sev)
					assert.True(t, v >= b[0] && v <= b[1], "%s: %s is not %s for GitHub", rule.ID, score, sev)
				} else {
					assert.Equal(t, "info", sev, "%s: only info has no security-severity", rule.ID)
				}
			}
			if tc.r.Checks != nil {
				assert.Len(t, ids, len(tc.r.Checks), "one rule per check that ran")
			}

			for _, res := range run.Results {
				require.Less(t, res.RuleIndex, len(run.Tool.Driver.Rules))
				assert.Equal(t, res.RuleID, run.Tool.Driver.Rules[res.RuleIndex].ID)
				assert.True(t, levels[res.Level], res.Level)
				assert.Equal(t, "fail", res.Kind)
				assert.NotEmpty(t, res.Message.Text)
				assert.LessOrEqual(t, len(res.Locations), 10, "GitHub uses the first of at most 10")
				assert.Regexp(t, `^[0-9a-f]{32}$`, res.PartialFingerprints["kspmFingerprint/v1"])
				assert.Regexp(t, `^[0-9a-f]{16}:[1-9][0-9]*$`, res.PartialFingerprints["primaryLocationLineHash"])
				for _, loc := range res.Locations {
					if p := loc.PhysicalLocation; p != nil && name != "hostile" {
						// Relative to the repository (BaseDir), as GitHub resolves them.
						assert.False(t, strings.HasPrefix(p.ArtifactLocation.URI, "/") ||
							strings.HasPrefix(p.ArtifactLocation.URI, "../"), p.ArtifactLocation.URI)
					}
				}
			}
			// Each result has its own primaryLocationLineHash, or GitHub would merge them.
			seen := make(map[string]bool)
			for _, res := range run.Results {
				h := res.PartialFingerprints["primaryLocationLineHash"]
				assert.False(t, seen[h], "primaryLocationLineHash %s twice", h)
				seen[h] = true
			}
		})
	}
}

// TestSARIFStable: the rules and fingerprints of a scan do not depend on the order results
// come in, nor on their messages: the same findings in another order or reworded keep their
// rule IDs and fingerprints, and so their alerts.
func TestSARIFStable(t *testing.T) {
	r, opts := goldenReport(t)
	first := readSARIF(t, write(t, r, report.FormatSARIF, opts))
	// The same results, the order of each check's results reversed and the messages changed.
	results := append([]check.Result(nil), r.Results...)
	for i, j := 0, len(results)-1; i < j; i, j = i+1, j-1 {
		results[i], results[j] = results[j], results[i]
	}
	for i := range results {
		results[i].Message += " (reworded)"
	}
	again := report.New(fixtureManifests(), r.Benchmarks, results, r.Tool, fixtureTime)
	again.Inventory = r.Inventory // fingerprints name files relative to the inputs read
	second := readSARIF(t, write(t, again, report.FormatSARIF, opts))
	ruleIDs := func(d sarifDoc) []string {
		var out []string
		for _, rule := range d.Runs[0].Tool.Driver.Rules {
			out = append(out, rule.ID)
		}
		return out
	}
	fingerprints := func(d sarifDoc) map[string]bool {
		out := make(map[string]bool)
		for _, res := range d.Runs[0].Results {
			out[res.RuleID+" "+res.PartialFingerprints["kspmFingerprint/v1"]] = true
		}
		return out
	}
	assert.Equal(t, ruleIDs(first), ruleIDs(second), "rules follow the benchmarks' order")
	assert.Equal(t, fingerprints(first), fingerprints(second))
	assert.NotEmpty(t, fingerprints(first))
}

// TestSARIFNothingDropped: every result is a SARIF result, a notification or a count; the
// load errors and warnings are notifications, and a load error makes the invocation
// unsuccessful.
func TestSARIFNothingDropped(t *testing.T) {
	r := fixtureReport(t) // every status, a load error
	doc := readSARIF(t, write(t, r, report.FormatSARIF, report.Options{}))
	run := doc.Runs[0]
	inv := run.Invocations[0]
	assert.False(t, inv.ExecutionSuccessful, "a load error")
	var notified []string
	for _, n := range inv.ToolExecutionNotifications {
		notified = append(notified, n.Message.Text)
	}
	results, notifications, counted := 0, 0, 0
	for _, res := range r.Results {
		switch res.Status {
		case check.StatusFail:
			results++
		case check.StatusPass, check.StatusNotApplicable:
			counted++
		default:
			notifications++
			assert.True(t, containsPrefix(notified, string(res.Status)+": "+res.CheckID+": "+res.Message),
				"%s %s not in %q", res.Status, res.CheckID, notified)
		}
	}
	assert.Len(t, run.Results, results)
	assert.Equal(t, len(r.Results), results+notifications+counted)
	assert.True(t, containsPrefix(notified, "load error: "+r.Inventory.Errors[0]))
	for _, n := range inv.ToolExecutionNotifications {
		if n.AssociatedRule != nil {
			assert.Equal(t, n.AssociatedRule.ID, run.Tool.Driver.Rules[n.AssociatedRule.Index].ID)
		}
	}
	assert.Equal(t, "cluster", run.Properties["kspm/inventoryMode"])

	// A report with no load error and no error result is a successful invocation.
	clean := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, fixtureResults()[:4], r.Tool, fixtureTime)
	assert.True(t, readSARIF(t, write(t, clean, report.FormatSARIF, report.Options{})).Runs[0].Invocations[0].ExecutionSuccessful)
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestSARIFMaxResults: past the bound, the most severe results are kept and a notification
// says how many were left out.
func TestSARIFMaxResults(t *testing.T) {
	var results []check.Result
	for i, sev := range []check.Severity{check.Low, check.Critical, check.Medium, check.High, check.Info} {
		results = append(results, check.Result{CheckID: "kspm:c" + strconv.Itoa(i), Title: "C", Severity: sev,
			Status: check.StatusFail, Message: "m", Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Name: "p" + strconv.Itoa(i)}})
	}
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, results, report.Tool{}, fixtureTime)
	tests := []struct {
		max  int
		want []string
	}{
		{2, []string{"kspm:c1", "kspm:c3"}},
		{4, []string{"kspm:c1", "kspm:c3", "kspm:c2", "kspm:c0"}},
		{0, []string{"kspm:c0", "kspm:c1", "kspm:c2", "kspm:c3", "kspm:c4"}}, // the default, 25,000
		{-1, []string{"kspm:c0", "kspm:c1", "kspm:c2", "kspm:c3", "kspm:c4"}},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.max), func(t *testing.T) {
			doc := readSARIF(t, write(t, r, report.FormatSARIF, report.Options{SARIFMaxResults: tt.max}))
			var got []string
			for _, res := range doc.Runs[0].Results {
				got = append(got, res.RuleID)
			}
			assert.Equal(t, tt.want, got)
			notes := doc.Runs[0].Invocations[0].ToolExecutionNotifications
			if len(tt.want) < len(results) {
				require.Len(t, notes, 1)
				assert.Contains(t, notes[0].Message.Text, fmt.Sprintf("%d results left out", len(results)-len(tt.want)))
				assert.Equal(t, "error", notes[0].Level)
			} else {
				assert.Empty(t, notes)
			}
		})
	}
}

// TestSARIFLocations: where a result is shown, by where its object came from.
func TestSARIFLocations(t *testing.T) {
	abs, err := filepath.Abs("..")
	require.NoError(t, err)
	ref := func(src *inventory.Source) *inventory.Ref {
		return &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web", Source: src}
	}
	tests := []struct {
		name    string
		obj     *inventory.Ref
		base    string
		uri     string // "" for no physical location
		line    int
		logical []string
	}{
		{"manifest", ref(&inventory.Source{File: "../examples/demo/shop.yaml", Line: 31}), "..",
			"examples/demo/shop.yaml", 31, []string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
		{"manifest, no base", ref(&inventory.Source{File: "deploy/shop.yaml", Line: 3}), "",
			"deploy/shop.yaml", 3, []string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
		{"absolute path inside the base", ref(&inventory.Source{File: filepath.Join(abs, "deploy", "a b#c.yaml"), Line: 2}), "..",
			"deploy/a%20b%23c.yaml", 2, []string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
		{"outside the base", ref(&inventory.Source{File: "/etc/k8s/x.yaml", Line: 5}), "..",
			"file:///etc/k8s/x.yaml", 5, []string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
		{"rendered: the template, with no line", ref(&inventory.Source{File: "status-page/templates/deployment.yaml", Line: 9,
			Root: "helm:../examples/demo/status-page"}), "..",
			"examples/demo/status-page/templates/deployment.yaml", 0, []string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
		{"standard input", ref(&inventory.Source{File: "-", Line: 4}), "..", "", 0,
			[]string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
		{"cluster object", ref(nil), "..", "", 0, []string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
		{"a colon in the first segment", ref(&inventory.Source{File: "a:b/x.yaml", Line: 1}), "", "./a:b/x.yaml", 1,
			[]string{"Deployment shop/web", "Deployment shop/web: spec.replicas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check.Result{CheckID: "kspm:x", Title: "X", Severity: check.Medium, Status: check.StatusFail,
				Object: tt.obj, Field: "spec.replicas", Message: "m"}
			r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, []check.Result{res}, report.Tool{}, fixtureTime)
			doc := readSARIF(t, write(t, r, report.FormatSARIF, report.Options{BaseDir: tt.base}))
			require.Len(t, doc.Runs[0].Results, 1)
			locs := doc.Runs[0].Results[0].Locations
			require.Len(t, locs, 1)
			p := locs[0].PhysicalLocation
			if tt.uri == "" {
				assert.Nil(t, p)
			} else {
				require.NotNil(t, p)
				assert.Equal(t, tt.uri, p.ArtifactLocation.URI)
				if tt.line == 0 {
					assert.Nil(t, p.Region)
				} else {
					require.NotNil(t, p.Region)
					assert.Equal(t, tt.line, p.Region.StartLine)
				}
			}
			var logical []string
			for _, l := range locs[0].LogicalLocations {
				logical = append(logical, l.FullyQualifiedName)
			}
			assert.Equal(t, tt.logical, logical)
		})
	}
	// A result about no object and no field has no location.
	res := check.Result{CheckID: "kspm:x", Title: "X", Severity: check.Medium, Status: check.StatusFail, Message: "none grant it"}
	r := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, []check.Result{res}, report.Tool{}, fixtureTime)
	assert.Empty(t, readSARIF(t, write(t, r, report.FormatSARIF, report.Options{})).Runs[0].Results[0].Locations)
}

// TestSARIFEscapesInput: text from the input is escaped as WriteJSON escapes it, and the
// log is valid JSON.
func TestSARIFEscapesInput(t *testing.T) {
	out := write(t, hostileFormatsReport(), report.FormatSARIF, report.Options{})
	assert.True(t, json.Valid(out))
	for i, r := range string(out) {
		require.True(t, r == '\n' || (unicode.IsPrint(r) && r != utf8.RuneError), "%U at %d", r, i)
	}
	doc := readSARIF(t, out)
	assert.NotEmpty(t, doc.Runs[0].Results)
}
