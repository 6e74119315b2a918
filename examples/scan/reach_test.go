package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
)

func TestReach(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"allowed, by name of port", []string{"shop/deployment/web", "shop/deployment/api", "--port", "http"}, exitOK,
			[]string{"Deployment shop/web → Deployment shop/api on 8080/TCP: allowed",
				"Egress from Deployment shop/web: not isolated (no NetworkPolicy selects it), allowed",
				"Ingress to Deployment shop/api: isolated, allowed", "shop/api  yes      yes     #0",
				"ipBlock rules: pod IP addresses are unknown offline"}},
		{"denied on another port", []string{"shop/deploy/web", "shop/deploy/api", "--port", "9090"}, exitFailOn,
			[]string{"on 9090/TCP: denied", "Ingress to Deployment shop/api: isolated, denied", "shop/api  yes      no      -"}},
		{"denied from another namespace", []string{"tools/pod/debug", "shop/Deployment.apps/api", "--port", "8080/tcp"}, exitFailOn,
			[]string{"Pod tools/debug → Deployment shop/api on 8080/TCP: denied"}},
		{"unknown: an ipBlock may hold the pod's address", []string{"tools/po/debug", "shop/deployment/web", "--port", "80"}, exitUnknown,
			[]string{"on 80/TCP: unknown", "Egress from Pod tools/debug: isolated, unknown",
				"NetworkPolicy tools/debug-egress egress rule #0 admits ipBlock 10.0.0.0/8: whether it holds a pod's IP address is unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", append([]string{"-f", "testdata/reach", "--reach"}, tt.args...)...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Empty(t, stderr)
			for _, s := range tt.contains {
				assert.Contains(t, stdout, s)
			}
		})
	}
}

func TestReachJSON(t *testing.T) {
	for _, tt := range []struct {
		args             []string
		code             int
		allowed, certain bool
		verdict          string
	}{
		{[]string{"shop/deployment/web", "shop/deployment/api", "--port", "8080"}, exitOK, true, true, "yes"},
		{[]string{"shop/deployment/web", "shop/deployment/api", "--port", "dns/UDP"}, exitFailOn, false, true, "no"},
		{[]string{"tools/pod/debug", "shop/deployment/web", "--port", "80"}, exitUnknown, true, false, "unknown"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", append([]string{"-f", "testdata/reach", "-o", "json", "--reach"}, tt.args...)...)
			require.Equal(t, tt.code, code, stderr)
			var got map[string]any
			require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
			assert.Equal(t, tt.allowed, got["allowed"], "allowed is a boolean, false only when surely denied")
			assert.Equal(t, tt.certain, got["certain"])
			assert.Equal(t, tt.verdict, got["verdict"])
			for _, dir := range []string{"egress", "ingress"} {
				d, ok := got[dir].(map[string]any)
				require.True(t, ok, "%s is an object", dir)
				assert.Contains(t, []any{"yes", "no", "unknown"}, d["isolated"])
				assert.Contains(t, []any{"yes", "no", "unknown"}, d["allowed"])
				assert.IsType(t, []any{}, d["policies"])
			}
			assert.IsType(t, []any{}, got["unknown"])
			assert.Contains(t, got["ipBlocks"], "only 0.0.0.0/0 and ::/0 without except count")
		})
	}
	_, stdout, _ := runScan(t, "", "-f", "testdata/reach", "-o", "json", "--reach", "shop/deployment/web", "shop/deployment/api", "--port", "8080")
	var a reachAnswer
	require.NoError(t, json.Unmarshal([]byte(stdout), &a))
	require.Len(t, a.Ingress.Policies, 1)
	assert.Equal(t, "api", a.Ingress.Policies[0].Policy.Name)
	assert.Equal(t, []int{0}, a.Ingress.Policies[0].Rules)
	assert.Equal(t, "8080/TCP", a.Port.String())
}

func TestReachErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no TO", []string{"--reach", "shop/deployment/web", "--port", "80"}, "--reach FROM TO: want one TO"},
		{"no port", []string{"--reach", "shop/deployment/web", "shop/deployment/api"}, "needs --port"},
		{"port without reach", []string{"--port", "80"}, "--port goes with --reach"},
		{"bad endpoint", []string{"--reach", "shop/web", "shop/deployment/api", "--port", "80"}, `"shop/web": want NAMESPACE/KIND/NAME`},
		{"not a workload kind", []string{"--reach", "shop/service/web", "shop/deployment/api", "--port", "80"}, "service is not a Pod or a workload kind"},
		{"wrong group", []string{"--reach", "shop/deployment.batch/web", "shop/deployment/api", "--port", "80"}, "is not a Pod or a workload kind"},
		{"bad protocol", []string{"--reach", "shop/deployment/web", "shop/deployment/api", "--port", "80/ICMP"}, `protocol "ICMP"`},
		{"two modes", []string{"--reach", "shop/deployment/web", "shop/deployment/api", "--port", "80", "--pss-what-if", "baseline"}, "separate modes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", append([]string{"-f", "testdata/reach"}, tt.args...)...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
		})
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"shop/deployment/nope", "shop/deployment/api", "--port", "80"}, "shop/deployment/nope: no Deployment shop/nope in the input"},
		{[]string{"shop/deployment/web", "shop/deployment/api", "--port", "metrics"}, `--port: port "metrics": Deployment shop/api has no container port named "metrics"`},
	} {
		code, stdout, stderr := runScan(t, "", append([]string{"-f", "testdata/reach", "--reach"}, tt.args...)...)
		assert.Equal(t, exitError, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, tt.want)
	}
}

// TestReachVariants: an endpoint the input defines in several places is an error naming
// them (the answer differs between them), and naming one directory answers for it.
func TestReachVariants(t *testing.T) {
	data, err := os.ReadFile("testdata/reach/cluster.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	for _, sub := range []string{"prod", "dev"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, sub), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, sub, "cluster.yaml"), data, 0o644))
	}
	args := []string{"--reach", "shop/deployment/web", "shop/deployment/api", "--port", "8080"}
	code, stdout, stderr := runScan(t, "", append([]string{"-f", dir}, args...)...)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "shop/deployment/web: the input defines Deployment shop/web 2 times ("+
		filepath.Join(dir, "dev", "cluster.yaml")+":")
	assert.Contains(t, stderr, "name one of them with -f")
	code, stdout, stderr = runScan(t, "", append([]string{"-f", filepath.Join(dir, "prod")}, args...)...)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "on 8080/TCP: allowed")
}

// TestReachDemo runs the README's --reach examples over the demo.
func TestReachDemo(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "../demo", "--reach", "shop/deployment/frontend", "payments/deployment/ledger-api", "--port", "8443")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Deployment shop/frontend → Deployment payments/ledger-api on 8443/TCP: allowed")
	code, _, stderr = runScan(t, "", "-f", "../demo", "--reach", "shop/deployment/cart", "payments/deployment/ledger-api", "--port", "8443")
	require.Equal(t, exitFailOn, code, stderr)
}

// TestDemoNetwork: the demo holds namespaces with and without default-deny, an exposed
// LoadBalancer and an Ingress without TLS, and the network benchmark says so.
func TestDemoNetwork(t *testing.T) {
	code, rep, stderr := scanJSON(t, "", "-f", "../demo", "-b", "network")
	require.Equal(t, exitOK, code, stderr)
	for _, tt := range []struct {
		check, object string
		want          check.Status
	}{
		{"network:namespace-default-deny", "Namespace catalog", check.StatusPass},
		{"network:namespace-default-deny", "Namespace payments", check.StatusPass},
		{"network:namespace-default-deny", "Namespace reports", check.StatusFail},
		{"network:namespace-default-deny", "Namespace shop", check.StatusFail},
		{"network:namespace-default-deny", "Namespace kube-system", check.StatusNotApplicable},
		{"network:workload-ingress-isolation", "Deployment catalog/catalog-api", check.StatusPass},
		{"network:workload-ingress-isolation", "Deployment reports/report-ui", check.StatusFail},
		{"network:workload-egress-isolation", "Deployment shop/frontend", check.StatusFail},
		{"network:reachable-from-all-namespaces", "Deployment catalog/catalog-api", check.StatusFail},
		{"network:reachable-from-all-namespaces", "Deployment payments/ledger-api", check.StatusPass},
		{"network:exposed-services", "Service reports/report-ui", check.StatusFail},
		{"network:exposed-services", "Service monitoring/grafana", check.StatusFail},
		{"network:exposed-services", "Service catalog/catalog-api", check.StatusPass},
		{"network:ingress-tls", "Ingress reports/report-ui", check.StatusFail},
		{"network:ingress-tls", "Ingress catalog/catalog", check.StatusPass},
		{"network:policy-allows-all", "NetworkPolicy catalog/catalog-api", check.StatusPass},
		{"network:policy-selects-nothing", "NetworkPolicy catalog/catalog-api", check.StatusPass},
		{"network:dangling-services", "Service reports/report-ui", check.StatusPass},
		{"network:dangling-ingresses", "Ingress catalog/catalog", check.StatusPass},
	} {
		assert.Equal(t, tt.want, verdict(rep, tt.check, tt.object), "%s on %s", tt.check, tt.object)
	}
	for _, r := range rep.Results {
		assert.NotEqual(t, check.StatusError, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
	}
}
