package netreach_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kspm-dev/kspm/inventory/netreach"
)

func TestFromEveryNamespace(t *testing.T) {
	ingress := func(rules string) string {
		return policyYAML("b", "p", "  podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress]\n  ingress:\n"+rules)
	}
	tests := []struct {
		name, docs, port string
		want             netreach.Verdict
		because, unknown string
	}{
		{name: "not isolated", port: "8080", want: netreach.Yes, because: "no NetworkPolicy isolates it for ingress"},
		{name: "isolated, no rule", docs: policyYAML("b", "deny", denyIngress), port: "8080", want: netreach.No},
		{name: "a rule without peers", docs: ingress("  - ports: [{port: 8080}]\n"), port: "8080", want: netreach.Yes,
			because: "NetworkPolicy b/p ingress rule #0 admits every source"},
		{name: "a rule without peers, another port", docs: ingress("  - ports: [{port: 8080}]\n"), port: "9090", want: netreach.No},
		{name: "namespaceSelector {}", docs: ingress("  - from: [{namespaceSelector: {}}]\n"), port: "8080", want: netreach.Yes,
			because: "NetworkPolicy b/p ingress rule #0"},
		{name: "namespaceSelector {} with a podSelector: labels anyone can set", docs: ingress("  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: scraper}}}]\n"),
			port: "8080", want: netreach.Yes},
		{name: "a podSelector no label set satisfies", docs: ingress("  - from: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: a, operator: Exists}, {key: a, operator: DoesNotExist}]}}]\n"),
			port: "8080", want: netreach.No},
		{name: "some namespaces", docs: ingress("  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n"), port: "8080", want: netreach.No},
		{name: "the name label exists on every namespace", docs: ingress("  - from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: Exists}]}}]\n"),
			port: "8080", want: netreach.Yes},
		{name: "another label need not exist", docs: ingress("  - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}}]\n"),
			port: "8080", want: netreach.No},
		{name: "selectors that cover every namespace between them", docs: ingress("  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n" +
			"  - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [red]}]}}]\n"), port: "8080", want: netreach.Yes},
		{name: "two policies that cover every namespace between them", docs: join(ingress("  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n"),
			policyYAML("b", "q", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}}]\n"),
			policyYAML("b", "r", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [red]}]}}]\n    ports: [{port: 8080}]\n")),
			port: "8080", want: netreach.Yes},
		{name: "one port short of every namespace", docs: join(ingress("  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n"),
			policyYAML("b", "r", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [red]}]}}]\n    ports: [{port: 8080}]\n")),
			port: "9090", want: netreach.No},
		{name: "its own namespace and every other", docs: ingress("  - from: [{podSelector: {}}, {namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [b]}]}}]\n"),
			port: "8080", want: netreach.Yes},
		{name: "every other namespace but its own", docs: ingress("  - from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [b]}]}}]\n"),
			port: "8080", want: netreach.No},
		{name: "an ipBlock may hold every pod's address", docs: ingress("  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n"), port: "8080", want: netreach.Unknown,
			unknown: "NetworkPolicy b/p ingress rule #0 admits ipBlock 10.0.0.0/8: whether it holds the IP addresses of every pod is unknown"},
		{name: "a bare pod without the label a policy selects: not isolated", docs: policyYAML("b", "p", "  podSelector: {matchLabels: {pod-template-hash: x}}\n"),
			port: "8080", want: netreach.Yes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := manifests(t, join(world, tt.docs))
			e := netreach.New(inv)
			dst := pod(t, e, inv, "Pod b/server")
			port, err := netreach.ResolvePort(dst, tt.port)
			assert.NoError(t, err)
			ex := e.FromEveryNamespace(dst, port)
			assert.Equal(t, tt.want, ex.Open, "%+v", ex)
			if tt.because != "" {
				assert.Contains(t, strings.Join(ex.Because, "; "), tt.because)
			}
			if tt.unknown != "" {
				assert.Contains(t, strings.Join(ex.Unknown, "; "), tt.unknown)
			}
		})
	}
}

func TestFromEveryNamespaceRuntimeLabels(t *testing.T) {
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: b}\nspec:\n  selector: {matchLabels: {app: web}}\n" +
		"  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: web:1, ports: [{containerPort: 8080}]}]\n"
	for _, tt := range []struct {
		name, policy string
		want         netreach.Verdict
	}{
		{"perhaps isolated, with no rule", "  podSelector: {matchLabels: {pod-template-hash: x}}\n", netreach.Unknown},
		{"perhaps isolated by a policy open to every namespace", "  podSelector: {matchLabels: {pod-template-hash: x}}\n  ingress: [{from: [{namespaceSelector: {}}]}]\n", netreach.Yes},
		{"surely isolated, perhaps opened", "  podSelector: {}\n  policyTypes: [Ingress]\n---\n" +
			policyYAML("b", "q", "  podSelector: {matchLabels: {pod-template-hash: x}}\n  ingress: [{}]\n"), netreach.Unknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inv := manifests(t, join(world, deploy, policyYAML("b", "p", tt.policy)))
			e := netreach.New(inv)
			ex := e.FromEveryNamespace(pod(t, e, inv, "Deployment b/web"), netreach.Port{Number: 8080, Protocol: "TCP"})
			assert.Equal(t, tt.want, ex.Open, "%+v", ex)
		})
	}
}

func TestOpenToEveryNamespace(t *testing.T) {
	docs := join(world,
		policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n    ports: [{port: 80}, {port: 8000, endPort: 8100}, {port: dns, protocol: UDP}]\n"+
			"  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n    ports: [{port: 9000}]\n"+
			"  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n"))
	inv := manifests(t, docs)
	e := netreach.New(inv)
	var got []string
	for _, o := range e.OpenToEveryNamespace(pod(t, e, inv, "Pod b/server")) {
		got = append(got, o.Ports.String()+" "+o.Open.String())
	}
	assert.Equal(t, []string{"80/TCP yes", "8000-8100/TCP yes", "9000/TCP unknown", "53/UDP yes"}, got)

	inv = manifests(t, world)
	e = netreach.New(inv)
	open := e.OpenToEveryNamespace(pod(t, e, inv, "Pod b/server"))
	got = nil
	for _, o := range open {
		got = append(got, o.Ports.String())
	}
	assert.Equal(t, []string{"every TCP port", "every UDP port", "every SCTP port"}, got)
}
