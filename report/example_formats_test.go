package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// exampleReport is a small report of two checks of a "workloads" benchmark over one
// Deployment read from deploy/web.yaml.
func exampleReport() (*report.Report, report.Options) {
	web := &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web",
		Source: &inventory.Source{File: "deploy/web.yaml", Line: 3}}
	privileged := check.Meta{ID: "workloads:privileged", Title: "Containers do not run privileged", Severity: check.Critical,
		Description: "Passes when no container sets securityContext.privileged.", Remediation: "Remove securityContext.privileged."}
	hostPath := check.Meta{ID: "workloads:host-path", Title: "Pods do not mount hostPath volumes", Severity: check.High,
		Remediation: "Use another volume type."}
	results := []check.Result{
		{CheckID: privileged.ID, Title: privileged.Title, Severity: privileged.Severity, Status: check.StatusFail, Object: web,
			Field: "spec.template.spec.containers[0].securityContext.privileged", Message: `container "app" runs privileged`,
			Remediation: privileged.Remediation},
		{CheckID: hostPath.ID, Title: hostPath.Title, Severity: hostPath.Severity, Status: check.StatusPass, Object: web,
			Message: "mounts no hostPath volume"},
	}
	inv := inventory.NewBuilder(inventory.ModeManifests).Build()
	r := report.New(inv, []string{"workloads"}, results, report.Tool{Name: "kspm", Version: "1.0.0"},
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	opts := report.Options{Benchmarks: []report.Benchmark{{Name: "workloads", Title: "Workload hygiene",
		Checks: []check.Meta{privileged, hostPath}}}}
	return r, opts
}

func ExampleWriteSARIF() {
	r, opts := exampleReport()
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, r, opts); err != nil {
		fmt.Println(err)
		return
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string
						Properties map[string]any
					}
				}
			}
			Results []struct {
				RuleID    string
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		fmt.Println(err)
		return
	}
	for _, rule := range log.Runs[0].Tool.Driver.Rules {
		fmt.Printf("rule %s, security-severity %v\n", rule.ID, rule.Properties["security-severity"])
	}
	for _, res := range log.Runs[0].Results {
		loc := res.Locations[0].PhysicalLocation
		fmt.Printf("%s %s at %s:%d: %s\n", res.Level, res.RuleID, loc.ArtifactLocation.URI, loc.Region.StartLine, res.Message.Text)
	}
	// Output:
	// rule workloads:privileged, security-severity 9.5
	// rule workloads:host-path, security-severity 8.0
	// error workloads:privileged at deploy/web.yaml:3: container "app" runs privileged (Deployment shop/web, spec.template.spec.containers[0].securityContext.privileged)
}

func ExampleWriteJUnit() {
	r, opts := exampleReport()
	if err := report.WriteJUnit(os.Stdout, r, opts); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="kspm workloads" tests="2" failures="1" errors="0" skipped="0" timestamp="2026-01-02T03:04:05">
	//   <testsuite name="workloads" tests="2" failures="1" errors="0" skipped="0" time="0" timestamp="2026-01-02T03:04:05">
	//     <properties>
	//       <property name="benchmark" value="workloads"></property>
	//       <property name="benchmark.title" value="Workload hygiene"></property>
	//       <property name="compliance" value="1/2 passed (0 not evaluated), 50%"></property>
	//     </properties>
	//     <testcase name="Deployment shop/web" classname="workloads:privileged" file="deploy/web.yaml" line="3" time="0">
	//       <failure message="fail: container &#34;app&#34; runs privileged (spec.template.spec.containers[0].securityContext.privileged)" type="critical">workloads:privileged: Containers do not run privileged (severity critical)&#xA;- fail: container &#34;app&#34; runs privileged [spec.template.spec.containers[0].securityContext.privileged]&#xA;Remediation: Remove securityContext.privileged.&#xA;</failure>
	//     </testcase>
	//     <testcase name="Deployment shop/web" classname="workloads:host-path" file="deploy/web.yaml" line="3" time="0"></testcase>
	//   </testsuite>
	// </testsuites>
}

func ExampleWriteMarkdown() {
	r, opts := exampleReport()
	if err := report.WriteMarkdown(os.Stdout, r, opts); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ## kspm: 1 failing result
	//
	// kspm 1.0.0 · generated 2026-01-02 03:04:05Z · manifests, 0 objects
	//
	// | Benchmark | Compliance (checks) | fail | error | notEvaluated | manual | excepted | notApplicable | pass |
	// | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
	// | workloads | 50% 1/2 passed \(0 not evaluated\) | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
	//
	// Compliance counts checks: passed / evaluated (passed + failed); checks not evaluated are counted beside it, never in it. Status columns count results.
	//
	// ### Failures by severity
	//
	// #### critical (1)
	//
	// | Check | Object | Source | Message |
	// | --- | --- | --- | --- |
	// | workloads:privileged | Deployment shop/web | deploy/web.yaml:3 | container "app" runs privileged \(spec.template.spec.containers\[0\].securityContext.privileged\) |
}

func ExampleWriteCSV() {
	r, opts := exampleReport()
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, r, opts); err != nil {
		fmt.Println(err)
	}
	fmt.Print(strings.ReplaceAll(buf.String(), "\r\n", "\n")) // rows end in CRLF (RFC 4180)
	// Output:
	// benchmark,section,check,title,severity,status,kind,namespace,name,source,field,message
	// workloads,,workloads:privileged,Containers do not run privileged,critical,fail,Deployment,shop,web,deploy/web.yaml:3,spec.template.spec.containers[0].securityContext.privileged,"container ""app"" runs privileged"
	// workloads,,workloads:host-path,Pods do not mount hostPath volumes,high,pass,Deployment,shop,web,deploy/web.yaml:3,,mounts no hostPath volume
}

func ExampleWriteHTML() {
	r, opts := exampleReport()
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, r, opts); err != nil {
		fmt.Println(err)
		return
	}
	page := buf.String()
	fmt.Println(strings.HasPrefix(page, "<!DOCTYPE html>"))
	fmt.Println("result rows:", strings.Count(page, "<tr data-i="))
	fmt.Println("loads nothing:", strings.Contains(page, `content="default-src &#39;none&#39;;`))
	// Output:
	// true
	// result rows: 2
	// loads nothing: true
}

func ExampleBenchmarkSummaries() {
	r, opts := exampleReport()
	for _, b := range report.BenchmarkSummaries(r, opts.Benchmarks) {
		fmt.Printf("%s: %s, %s\n", b.Name, b.Total.Percent(), b.Total.Compliance())
	}
	// Output:
	// workloads: 50%, 1/2 passed (0 not evaluated)
}

func ExampleFingerprint() {
	r, _ := exampleReport()
	a, b := r.Results[0], r.Results[0]
	b.Message = "reworded"
	b.Object = &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web",
		Source: &inventory.Source{File: "deploy/web.yaml", Line: 40}} // moved down the file
	fmt.Println(report.Fingerprint(&a) == report.Fingerprint(&b))
	// Output:
	// true
}
