package policyreport_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report/openreports"
	"github.com/kspm-dev/kspm/report/policyreport"
)

// TestJSONShape: the fields a wgpolicyk8s.io/v1alpha2 reader looks for, under the names of
// the published schema, and nothing a PolicyReport does not have.
func TestJSONShape(t *testing.T) {
	res := openreports.NewResult(check.Result{CheckID: "workloads:privileged", Title: "Containers are not privileged",
		Severity: check.Critical, Status: check.StatusFail, Message: "privileged", Field: "spec.containers[0]",
		Object: &inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "web"}}, time.Unix(1700000000, 0))
	rep := openreports.NewReport("shop", "kspm-0", []openreports.ReportResult{res})
	rep.Labels = map[string]string{"app.kubernetes.io/managed-by": "kspm"}
	for name, obj := range map[string]any{
		"PolicyReport":        policyreport.FromReport(rep),
		"ClusterPolicyReport": policyreport.FromClusterReport(openreports.NewClusterReport("kspm-0", rep.Results)),
	} {
		t.Run(name, func(t *testing.T) {
			data, err := json.Marshal(obj)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(data, &doc))
			assert.Equal(t, "wgpolicyk8s.io/v1alpha2", doc["apiVersion"])
			assert.Equal(t, name, doc["kind"])
			assert.NotContains(t, doc, "source")
			assert.NotContains(t, doc, "configuration")
			assert.Equal(t, map[string]any{"pass": 0.0, "fail": 1.0, "warn": 0.0, "error": 0.0, "skip": 0.0}, doc["summary"])
			results := doc["results"].([]any)
			require.Len(t, results, 1)
			r := results[0].(map[string]any)
			assert.Equal(t, "workloads:privileged", r["policy"])
			assert.Equal(t, "Containers are not privileged", r["rule"])
			assert.Equal(t, "fail", r["result"])
			assert.Equal(t, "critical", r["severity"])
			assert.Equal(t, "privileged", r["message"])
			assert.Equal(t, "kspm", r["source"])
			assert.Equal(t, true, r["scored"])
			assert.Equal(t, map[string]any{"seconds": 1700000000.0, "nanos": 0.0}, r["timestamp"])
			assert.Equal(t, []any{map[string]any{"apiVersion": "v1", "kind": "Pod", "namespace": "shop", "name": "web"}}, r["resources"])
			assert.Equal(t, map[string]any{"status": "fail", "field": "spec.containers[0]"}, r["properties"])
		})
	}
	assert.Equal(t, "shop", policyreport.FromReport(rep).Namespace)
	assert.Equal(t, "kspm", policyreport.FromReport(rep).Labels["app.kubernetes.io/managed-by"])
}
