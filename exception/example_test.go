package exception_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/exception"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// Apply sets the failures an exceptions file covers aside, and says what each exception did.
func ExampleApply() {
	set, err := exception.Parse([]byte(`apiVersion: kspm.dev/v1alpha1
kind: Exceptions
exceptions:
- id: legacy
  checks: ["workloads:*"]
  objects: [{kind: Deployment, namespace: billing, name: "legacy-*"}]
  reason: vendor image; replacement tracked in BILL-123
  owner: billing-team
  expires: 2026-06-30
- id: forgotten
  checks: [rbac:wildcard-rules]
  reason: no longer needed
  owner: platform
  expires: 2026-01-31
`), "exceptions.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	deploy := func(name string) *inventory.Ref {
		return &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "billing", Name: name}
	}
	rep := report.New(inventory.NewBuilder(inventory.ModeCluster).Build(), nil, []check.Result{
		{CheckID: "workloads:run-as-non-root", Severity: check.High, Status: check.StatusFail, Object: deploy("legacy-api")},
		{CheckID: "workloads:run-as-non-root", Severity: check.High, Status: check.StatusFail, Object: deploy("checkout")},
	}, report.Tool{}, time.Time{})

	out, sum, err := exception.Apply(rep, set, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range out.Results {
		fmt.Println(r.Object, r.Status)
	}
	e := out.Results[0].Exception
	fmt.Printf("%s by %s until %s (%s): %s\n", e.From, e.Owner, e.Expires, e.Source, e.Reason)
	for _, u := range sum.Expired {
		fmt.Println("expired:", u.ID, u.Expires)
	}
	fmt.Println("max failed severity:", out.Summary.MaxFailedSeverity())
	// Output:
	// Deployment billing/legacy-api excepted
	// Deployment billing/checkout fail
	// fail by billing-team until 2026-06-30 (exceptions.yaml:4): vendor image; replacement tracked in BILL-123
	// expired: forgotten 2026-01-31
	// max failed severity: high
}

// TestREADMEExample: the exceptions file the README shows is valid and does what it says.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	var found int
	for _, block := range strings.Split(string(readme), "```yaml\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		if !strings.Contains(body, "kind: Exceptions") {
			continue
		}
		found++
		set, err := exception.Parse([]byte(body), "README.md")
		require.NoError(t, err)
		require.NotEmpty(t, set.Entries)
		m, err := exception.NewMatcher(set, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		r := check.Result{CheckID: "pss:privileged", Status: check.StatusFail,
			Object: &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "billing", Name: "legacy-batch"}}
		assert.False(t, m.Except(&r, nil), "the selector needs the object's labels")
		b := inventory.NewBuilder(inventory.ModeCluster)
		require.NoError(t, b.Add(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "billing", Name: "legacy-batch",
			Labels: map[string]string{"team": "billing", "tier": "batch"}}}, inventory.Source{}))
		obj := b.Build().Objects()[0]
		assert.True(t, m.Except(&r, obj))
		assert.Equal(t, "billing-legacy-root", r.Exception.ID)
	}
	assert.Equal(t, 1, found, "the README's exceptions file")
}
