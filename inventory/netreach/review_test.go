package netreach_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"

	"github.com/kspm-dev/kspm/inventory/netreach"
)

// Adversarial cases from an outside review against the NetworkPolicy API (k8s.io/api
// networking/v1 and the upstream netpol conformance cases): each doubt as a case.
func TestReachReview(t *testing.T) {
	allow := func(spec string) string {
		return policyYAML("b", "p", "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n"+spec)
	}
	// Two destinations that map one port name to different numbers, and one that declares
	// the name for UDP only.
	other := join(
		podYAML("b", "alt", "app: alt", "http:9090/TCP"),
		podYAML("b", "udp", "app: udp", "http:8080/UDP"),
		podYAML("b", "sctp", "app: sctp", "assoc:7777/SCTP"),
	)
	runReach(t, []reachCase{
		{name: "named port: resolved per destination pod (8080 on server)", docs: join(other, allow("  - ports: [{port: http}]\n")),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "named port: resolved per destination pod (9090 on alt)", docs: join(other, allow("  - ports: [{port: http}]\n")),
			from: "Pod a/client", to: "Pod b/alt", port: "9090", want: netreach.Yes},
		{name: "named port: not the number another pod maps it to", docs: join(other, allow("  - ports: [{port: http}]\n")),
			from: "Pod a/client", to: "Pod b/alt", port: "8080", want: netreach.No},
		{name: "named port: a name declared for UDP does not match the TCP default", docs: join(other, allow("  - ports: [{port: http}]\n")),
			from: "Pod a/client", to: "Pod b/udp", port: "8080/UDP", want: netreach.No},
		{name: "named port: SCTP", docs: join(other, allow("  - ports: [{port: assoc, protocol: SCTP}]\n")),
			from: "Pod a/client", to: "Pod b/sctp", port: "7777/SCTP", want: netreach.Yes},
		{name: "endPort with a named port: rejected, left out", docs: allow("  - ports: [{port: http, endPort: 9000}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
		{name: "endPort without port: rejected, left out", docs: allow("  - ports: [{endPort: 9000}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
		{name: "a protocol the API rejects: left out", docs: allow("  - ports: [{port: 8080, protocol: ICMP}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
		{name: "Egress listed, egress empty: every destination denied",
			docs: policyYAML("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: []\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, egress: "yes/no", ingress: "no/yes"},
		{name: "Egress listed, ingress rules only: ingress not isolated, egress denied",
			docs: policyYAML("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]\n"),
			from: "Pod b/client", to: "Pod a/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
		{name: "peer AND: the namespace matches but not the pod", docs: allow("  - from: [{namespaceSelector: {matchLabels: {team: red}}, podSelector: {matchLabels: {app: server}}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "peer AND: the pod matches but not the namespace", docs: allow("  - from: [{namespaceSelector: {matchLabels: {team: blue}}, podSelector: {matchLabels: {app: client}}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "peers OR: the namespace of one, the pods of the other", docs: allow("  - from: [{namespaceSelector: {matchLabels: {team: red}}}, {podSelector: {matchLabels: {app: nobody}}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "podSelector {} alone: own namespace only, not every namespace", docs: allow("  - from: [{podSelector: {}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "rules add up within a policy: a port from one rule, a peer from another, not both", docs: allow(
			"  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n    ports: [{port: 9000}]\n  - from: [{podSelector: {}}]\n    ports: [{port: 8080}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "ipBlock except beside a selector peer that matches: the selector decides", docs: allow(
			"  - from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}, {namespaceSelector: {matchLabels: {team: red}}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
	})
}

// Namespaces known from pods only (no Namespace object): kubernetes.io/metadata.name is
// known, every other label is not, whichever operator reads it.
func TestReachReviewUnknownNamespaceLabels(t *testing.T) {
	allow := func(sel string) string {
		return policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: "+sel+"}]\n")
	}
	c := podYAML("c", "client", "app: client")
	runReach(t, []reachCase{
		{name: "NotIn on an unknown label", docs: join(c, allow("{matchExpressions: [{key: team, operator: NotIn, values: [red]}]}")),
			from: "Pod c/client", to: "Pod b/server", port: "8080", want: netreach.Unknown, unknown: "labels but kubernetes.io/metadata.name are unknown"},
		{name: "DoesNotExist on an unknown label", docs: join(c, allow("{matchExpressions: [{key: team, operator: DoesNotExist}]}")),
			from: "Pod c/client", to: "Pod b/server", port: "8080", want: netreach.Unknown, unknown: "labels but kubernetes.io/metadata.name are unknown"},
		{name: "the name label and an unknown one, the name not matching: known no", docs: join(c,
			allow("{matchLabels: {kubernetes.io/metadata.name: a, team: red}}")),
			from: "Pod c/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "NotIn on the name label: known", docs: join(c, allow("{matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [a]}]}")),
			from: "Pod c/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
	})
}

// A StatefulSet rolled out with a partition (or OnDelete) keeps pods of an older revision for
// as long as it is left so: listed from a cluster, a Pod whose container ports differ from the
// template's resolves a named port to another number, though its labels are the template's.
func TestReachReviewListedPodPorts(t *testing.T) {
	docs := join(world,
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pg, namespace: b, uid: uid-pg}\nspec:\n  selector: {matchLabels: {app: pg}}\n"+
			"  template:\n    metadata: {labels: {app: pg}}\n    spec: {containers: [{name: pg, image: pg:17, ports: [{name: sql, containerPort: 6432}]}]}\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pg-0\n  namespace: b\n  labels: {app: pg, statefulset.kubernetes.io/pod-name: pg-0}\n"+
			"  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: pg, uid: uid-pg, controller: true}]\n"+
			"spec: {containers: [{name: pg, image: pg:16, ports: [{name: sql, containerPort: 5432}]}]}\n",
		policyYAML("b", "sql", "  podSelector: {matchLabels: {app: pg}}\n  ingress:\n  - ports: [{port: sql}]\n"))
	inv := cluster(t, docs)
	e := netreach.New(inv)
	pg := pod(t, e, inv, "StatefulSet b/pg")
	port := netreach.Port{Number: 5432, Protocol: "TCP"}
	a := e.Reach(pod(t, e, inv, "Pod a/client"), pg, port)
	assert.Equal(t, netreach.Unknown, a.Allowed, "pg-0 admits 5432 by the name sql, the template does not: %q", a.Unknown)
	ex := e.FromEveryNamespace(pg, port)
	assert.Equal(t, netreach.Unknown, ex.Open, "%q", ex.Unknown)
}

// A selector that does not admit every namespace there may be can admit every namespace
// there is: known only when the inventory holds the whole cluster and its Namespaces.
func TestFromEveryNamespaceReviewExisting(t *testing.T) {
	teamExists := policyYAML("b", "p", "  podSelector: {matchLabels: {app: server}}\n  ingress:\n"+
		"  - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}}]\n")
	port := netreach.Port{Number: 8080, Protocol: "TCP"}
	for _, tt := range []struct {
		name    string
		inv     func(t *testing.T) *inventory.Inventory
		want    netreach.Verdict
		because string
	}{
		{"a cluster whose namespaces all carry the label", func(t *testing.T) *inventory.Inventory { return cluster(t, join(world, teamExists)) },
			netreach.Yes, "which admit every namespace of the cluster (2)"},
		{"a cluster with a namespace without it", func(t *testing.T) *inventory.Inventory {
			return cluster(t, join(world, teamExists, nsYAML("c", "tier: x")))
		}, netreach.No, ""},
		{"manifests, not the whole cluster", func(t *testing.T) *inventory.Inventory { return manifests(t, join(world, teamExists)) },
			netreach.No, ""},
		{"complete manifests with a namespace known from its pods only", func(t *testing.T) *inventory.Inventory {
			path := filepath.Join(t.TempDir(), "all.yaml")
			require.NoError(t, writeFile(path, join(world, teamExists, podYAML("c", "client", "app: client"))))
			inv, err := inventory.LoadManifests(context.Background(), []string{path}, inventory.WithCompleteInput())
			require.NoError(t, err)
			require.Empty(t, inv.Errors())
			return inv
		}, netreach.Unknown, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inv := tt.inv(t)
			e := netreach.New(inv)
			ex := e.FromEveryNamespace(pod(t, e, inv, "Pod b/server"), port)
			assert.Equal(t, tt.want, ex.Open, "%q %q", ex.Because, ex.Unknown)
			if tt.because != "" {
				assert.Contains(t, strings.Join(ex.Because, "; "), tt.because)
			}
		})
	}
}

// Isolation says, per policy, whether it selects the pods: Yes, or Unknown for a selector on a
// label the controller sets.
func TestIsolationSelectsReview(t *testing.T) {
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: b}\nspec:\n  selector: {matchLabels: {app: web}}\n" +
		"  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: web:1}]\n"
	inv := manifests(t, join(world, deploy,
		policyYAML("b", "web", "  podSelector: {matchLabels: {app: web}}\n"),
		policyYAML("b", "hash", "  podSelector: {matchLabels: {pod-template-hash: abc}}\n  ingress: [{}]\n"),
		policyYAML("b", "other", "  podSelector: {matchLabels: {app: db}}\n")))
	e := netreach.New(inv)
	iso := e.Isolation(pod(t, e, inv, "Deployment b/web"), netreach.Ingress)
	assert.Equal(t, netreach.Yes, iso.Isolated)
	got := map[string]string{}
	for i, p := range iso.Policies {
		got[p.Name()] = iso.Selects[i].String()
	}
	assert.Equal(t, map[string]string{"web": "yes", "hash": "unknown"}, got)
}

// Manifests declared complete seldom hold the namespaces the control plane creates; they
// exist all the same, and a selector naming the manifests' namespaces does not admit them.
func TestFromEveryNamespaceReviewSystemNamespaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "all.yaml")
	require.NoError(t, writeFile(path, join(world, policyYAML("b", "p", "  podSelector: {matchLabels: {app: server}}\n  ingress:\n"+
		"  - from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [a, b]}]}}]\n"))))
	inv, err := inventory.LoadManifests(context.Background(), []string{path}, inventory.WithCompleteInput())
	require.NoError(t, err)
	e := netreach.New(inv)
	ex := e.FromEveryNamespace(pod(t, e, inv, "Pod b/server"), netreach.Port{Number: 8080, Protocol: "TCP"})
	assert.Equal(t, netreach.No, ex.Open, "%q %q", ex.Because, ex.Unknown)
}
