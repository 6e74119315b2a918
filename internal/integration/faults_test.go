//go:build integration

package integration

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/faultproxy"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// startFaultProxy starts a fault proxy in front of the test cluster and returns it with an
// admin client configuration that goes through it.
func startFaultProxy(t *testing.T) (*faultproxy.Proxy, *rest.Config) {
	t.Helper()
	upstream, err := rest.TransportFor(&rest.Config{Host: cluster.URL, TLSClientConfig: rest.TLSClientConfig{CAData: cluster.CAData()}})
	require.NoError(t, err)
	p, err := faultproxy.Start(cluster.URL, upstream)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	admin := adminConfig()
	return p, &rest.Config{Host: p.URL, BearerToken: admin.BearerToken, QPS: admin.QPS, Burst: admin.Burst,
		TLSClientConfig: rest.TLSClientConfig{CAData: p.CAData}, WarningHandler: rest.NoWarnings{}}
}

// firstPages counts the requests for resource without a continue token.
func firstPages(p *faultproxy.Proxy, resource string) int {
	n := 0
	for _, r := range p.Requests() {
		if r.Resource == resource && r.Method == http.MethodGet && r.Query.Get("continue") == "" {
			n++
		}
	}
	return n
}

// directCount returns how many objects of gk the server holds, listed without the proxy.
func directCount(t *testing.T, gk schema.GroupKind) int {
	t.Helper()
	inv, err := inventory.FromConfig(t.Context(), adminConfig(), inventory.WithKinds(gk))
	require.NoError(t, err)
	c := inv.Coverage(gk)
	require.Equal(t, inventory.Listed, c.State)
	return c.Count
}

func TestFaults(t *testing.T) {
	t.Run("429 with Retry-After is retried by client-go", func(t *testing.T) {
		p, cfg := startFaultProxy(t)
		p.Add(faultproxy.Rule{Method: http.MethodGet, Resource: "configmaps", Times: 2, Fault: faultproxy.TooManyRequests(time.Second)})
		start := time.Now()
		inv, err := inventory.FromConfig(t.Context(), cfg, inventory.WithRetries(0), // the loader's own retries off
			inventory.WithKinds(inventory.KindNamespace, inventory.KindConfigMap))
		require.NoError(t, err)
		c := inv.Coverage(inventory.KindConfigMap)
		assert.Equal(t, inventory.Listed, c.State, c.Reason)
		assert.Equal(t, directCount(t, inventory.KindConfigMap), c.Count)
		assert.Equal(t, 3, p.Count(http.MethodGet, "configmaps"), "two 429s, then the list")
		assert.GreaterOrEqual(t, time.Since(start), 2*time.Second, "the client waited as Retry-After said")
	})

	t.Run("5xx and 429 without Retry-After are retried by the loader with backoff", func(t *testing.T) {
		p, cfg := startFaultProxy(t)
		p.Add(
			faultproxy.Rule{Method: http.MethodGet, Resource: "services", Times: 2, Fault: faultproxy.ServerError(503)},
			faultproxy.Rule{Method: http.MethodGet, Resource: "roles", Times: 1, Fault: faultproxy.ServerError(500)},
			faultproxy.Rule{Method: http.MethodGet, Resource: "serviceaccounts", Times: 1, Fault: faultproxy.ServerError(504)},
			faultproxy.Rule{Method: http.MethodGet, Resource: "secrets", Times: 1, Fault: faultproxy.ServerError(502)},
			// A 429 without Retry-After: client-go does not retry it; the loader does.
			faultproxy.Rule{Method: http.MethodGet, Resource: "limitranges", Times: 1, Fault: faultproxy.TooManyRequests(0)},
		)
		start := time.Now()
		inv, err := inventory.FromConfig(t.Context(), cfg) // FromConfig retries 3 times by default
		require.NoError(t, err)
		assert.Empty(t, inv.Errors())
		for res, want := range map[schema.GroupKind]int{inventory.KindService: 3, inventory.KindRole: 2,
			inventory.KindServiceAccount: 2, inventory.KindSecret: 2, inventory.KindLimitRange: 2} {
			k, _ := inventory.LookupKind(res)
			c := inv.Coverage(res)
			assert.Equal(t, inventory.Listed, c.State, "%s: %s", res, c.Reason)
			assert.Equal(t, directCount(t, res), c.Count, res)
			assert.Equal(t, want, p.Count(http.MethodGet, k.Resource), res)
		}
		assert.GreaterOrEqual(t, time.Since(start), 1500*time.Millisecond, "backoff: 0.5 s, then 1 s")

		// Without the loader's retries, client-go does not retry a 5xx without Retry-After.
		p.Reset()
		p.Add(faultproxy.Rule{Method: http.MethodGet, Resource: "services", Times: 1, Fault: faultproxy.ServerError(503)})
		inv, err = inventory.FromConfig(t.Context(), cfg, inventory.WithRetries(0))
		require.NoError(t, err)
		c := inv.Coverage(inventory.KindService)
		assert.Equal(t, inventory.Failed, c.State)
		assert.Contains(t, c.Reason, "injected fault: 503")
		assert.Equal(t, 1, p.Count(http.MethodGet, "services"))
	})

	t.Run("an expired continue token restarts the list", func(t *testing.T) {
		p, cfg := startFaultProxy(t)
		p.Add(faultproxy.Rule{Method: http.MethodGet, Resource: "clusterroles", Pages: faultproxy.LaterPages, Times: 1,
			Fault: faultproxy.Expired()})
		inv, err := inventory.FromConfig(t.Context(), cfg, inventory.WithPageSize(10),
			inventory.WithKinds(inventory.KindNamespace, inventory.KindClusterRole))
		require.NoError(t, err)
		c := inv.Coverage(inventory.KindClusterRole)
		require.Equal(t, inventory.Listed, c.State, c.Reason)
		want := directCount(t, inventory.KindClusterRole)
		require.Greater(t, want, 20, "bootstrap roles span several pages")
		assert.Equal(t, want, c.Count, "one whole list, no duplicates from the first attempt")
		assert.Len(t, inv.ClusterRoles(), want)
		assert.Equal(t, 2, firstPages(p, "clusterroles"), "the list started over once")

		// A token that expires every time: the kind fails after 3 attempts, the load goes on.
		p.Reset()
		p.Add(faultproxy.Rule{Method: http.MethodGet, Resource: "clusterroles", Pages: faultproxy.LaterPages,
			Fault: faultproxy.Expired()})
		inv, err = inventory.FromConfig(t.Context(), cfg, inventory.WithPageSize(10),
			inventory.WithKinds(inventory.KindNamespace, inventory.KindClusterRole))
		require.NoError(t, err)
		c = inv.Coverage(inventory.KindClusterRole)
		assert.Equal(t, inventory.Failed, c.State)
		assert.Contains(t, c.Reason, "expired the continue token")
		assert.Empty(t, inv.ClusterRoles(), "a partial list is not kept")
		assert.Equal(t, 3, firstPages(p, "clusterroles"))
		assert.Equal(t, inventory.Listed, inv.Coverage(inventory.KindNamespace).State)
	})

	t.Run("a hung connection hits the request timeout and the scan completes", func(t *testing.T) {
		p, cfg := startFaultProxy(t)
		p.Add(faultproxy.Rule{Method: http.MethodGet, Resource: "networkpolicies", Fault: faultproxy.Hang()})
		start := time.Now()
		inv, err := inventory.FromConfig(t.Context(), cfg, inventory.WithRequestTimeout(500*time.Millisecond),
			inventory.WithRetries(1))
		require.NoError(t, err)
		elapsed := time.Since(start)
		assert.Less(t, elapsed, 10*time.Second)
		assert.GreaterOrEqual(t, elapsed, time.Second, "two attempts of 0.5 s")
		c := inv.Coverage(inventory.KindNetworkPolicy)
		assert.Equal(t, inventory.Failed, c.State)
		assert.Contains(t, c.Reason, "no complete answer within 500ms")
		assert.Contains(t, c.Reason, "gave up after 2 attempts")
		assert.Equal(t, 2, p.Count(http.MethodGet, "networkpolicies"))
		for _, k := range inventory.BuiltinKinds() {
			if k.GroupKind() != inventory.KindNetworkPolicy {
				assert.Equal(t, inventory.Listed, inv.Coverage(k.GroupKind()).State, k.Kind)
			}
		}

		rep := scan(t, inv, benchmarks(t))
		require.Len(t, rep.Inventory.Errors, 1)
		assert.Contains(t, rep.Inventory.Errors[0], "list networkpolicies")
		assert.Contains(t, rep.Inventory.Errors[0], "no complete answer within 500ms")
		assertNetworkPolicyCheckNotEvaluated(t, rep)
	})

	t.Run("the scanner completes when a kind keeps failing", func(t *testing.T) {
		p, cfg := startFaultProxy(t)
		p.Add(faultproxy.Rule{Method: http.MethodGet, Resource: "networkpolicies", Fault: faultproxy.ServerError(503)})
		stdout, stderr, code := runScanner(t, "--kubeconfig", writeKubeconfig(t, cfg), "-o", "json")
		assert.Equal(t, 2, code, "load errors exit 2; stderr:\n%s", stderr)
		assert.Contains(t, stderr, "load error: list networkpolicies")
		var rep report.Report
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		require.Len(t, rep.Inventory.Errors, 1)
		assert.Contains(t, rep.Inventory.Errors[0], "gave up after 4 attempts")
		assert.Equal(t, 4, p.Count(http.MethodGet, "networkpolicies"), "1 + 3 retries")
		for _, c := range rep.Inventory.Coverage {
			if c.Kind == "NetworkPolicy" && c.Group == "networking.k8s.io" { // not a CNI plugin's kind of that name
				assert.Equal(t, inventory.Failed, c.State)
			}
		}
		assertNetworkPolicyCheckNotEvaluated(t, &rep)
	})
}

func assertNetworkPolicyCheckNotEvaluated(t *testing.T, rep *report.Report) {
	t.Helper()
	n := 0
	for _, r := range rep.Results {
		if r.CheckID == "network:namespace-default-deny" {
			n++
			assert.Equal(t, check.StatusNotEvaluated, r.Status, resultKey(r))
			assert.True(t, strings.Contains(r.Message, "NetworkPolic") || strings.Contains(r.Message, "networkpolic"), r.Message)
		}
	}
	assert.Positive(t, n)
}
