package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

func ExampleWriteText() {
	inv := inventory.NewBuilder(inventory.ModeManifests).Build()
	results := []check.Result{
		{CheckID: "workloads:privileged", Title: "Containers do not run privileged", Severity: check.Critical,
			Status: check.StatusFail, Message: `container "app" runs privileged`,
			Object: &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}},
		{CheckID: "workloads:host-path", Title: "Pods do not mount hostPath volumes", Severity: check.High,
			Status: check.StatusPass, Message: "mounts no hostPath volume",
			Object: &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}},
	}
	r := report.New(inv, []string{"workloads"}, results, report.Tool{Name: "kspm", Version: "1.0.0"},
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	r.Inventory.Coverage = nil // keep the example short
	if err := report.WriteText(os.Stdout, r, report.TextOptions{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// kspm 1.0.0 report, generated 2026-01-02T03:04:05Z
	// Benchmarks: workloads
	// Inventory: manifests, 0 objects
	//
	// Results that did not pass (1 of 2):
	//   STATUS  SEVERITY  CHECK                 OBJECT               MESSAGE
	//   fail    critical  workloads:privileged  Deployment shop/web  container "app" runs privileged
	//
	// Summary:
	//   Checks:   2 (1 failed, 1 passed)
	//   Results:  2 (1 fail, 1 pass)
	//   Failures by severity: 1 critical
	//   Coverage: every kind completely seen
}

func ExampleSectionSummaries() {
	results := []check.Result{
		{CheckID: "cis:5.1.1", Section: "5.1 RBAC and Service Accounts", Status: check.StatusFail},
		{CheckID: "cis:5.1.1", Section: "5.1 RBAC and Service Accounts", Status: check.StatusPass},
		{CheckID: "cis:5.1.3", Section: "5.1 RBAC and Service Accounts", Status: check.StatusPass},
		{CheckID: "cis:5.1.5", Section: "5.1 RBAC and Service Accounts", Status: check.StatusNotEvaluated},
		{CheckID: "cis:5.3.2", Section: "5.3 Network Policies and CNI", Status: check.StatusPass},
	}
	for _, s := range report.SectionSummaries(results) {
		fmt.Printf("%s: %s\n", s.Section, s.Compliance())
	}
	// Output:
	// 5.1 RBAC and Service Accounts: 1/2 passed (1 not evaluated)
	// 5.3 Network Policies and CNI: 1/1 passed (0 not evaluated)
}
