package netreach_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// world is the cluster every reach case starts from: namespaces a (team=red) and b (team=blue),
// each with a client and a server pod; servers declare http 8080/TCP and dns 53/UDP.
var world = join(
	nsYAML("a", "team: red"), nsYAML("b", "team: blue"),
	podYAML("a", "client", "app: client"), podYAML("a", "server", "app: server", "http:8080/TCP", "dns:53/UDP"),
	podYAML("b", "client", "app: client"), podYAML("b", "server", "app: server", "http:8080/TCP", "dns:53/UDP"),
)

const (
	denyIngress = "  podSelector: {}\n  policyTypes: [Ingress]\n"
	denyEgress  = "  podSelector: {}\n  policyTypes: [Egress]\n"
)

// reachCase is one question and its expected answer. Directions are written
// "isolated/allowed", e.g. "yes/no"; "" leaves a direction unchecked.
type reachCase struct {
	name             string
	docs             string // added to world
	from, to, port   string // "Pod a/client"; "8080/TCP"
	want             netreach.Verdict
	egress, ingress  string
	unknown          string // a substring of one of the reasons, when want is Unknown
	deciding         string // a policy named among the deciding direction's policies
	decidingRules    []int
	decidingDecision netreach.Direction
}

func runReach(t *testing.T, tests []reachCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := manifests(t, join(world, tt.docs))
			e := netreach.New(inv)
			from, to := pod(t, e, inv, tt.from), pod(t, e, inv, tt.to)
			port, err := netreach.ResolvePort(to, tt.port)
			require.NoError(t, err)
			a := e.Reach(from, to, port)
			assert.Equal(t, tt.want, a.Allowed, "allowed; unknown: %q", a.Unknown)
			check := func(name, want string, d netreach.DirectionAnswer) {
				if want == "" {
					return
				}
				assert.Equal(t, want, d.Isolated.String()+"/"+d.Allowed.String(), "%s (%+v)", name, d.Policies)
			}
			check("egress", tt.egress, a.Egress)
			check("ingress", tt.ingress, a.Ingress)
			if tt.unknown != "" {
				assert.Contains(t, strings.Join(a.Unknown, "\n"), tt.unknown)
			} else {
				assert.Empty(t, a.Unknown)
			}
			if tt.deciding != "" {
				d := a.Ingress
				if tt.decidingDecision == netreach.Egress {
					d = a.Egress
				}
				var names []string
				for _, p := range d.Policies {
					names = append(names, p.Policy.Name)
					if p.Policy.Name == tt.deciding && tt.decidingRules != nil {
						assert.Equal(t, tt.decidingRules, p.Rules)
					}
				}
				assert.Contains(t, names, tt.deciding)
			}
		})
	}
}

func TestReachIsolation(t *testing.T) {
	runReach(t, []reachCase{
		{name: "no policy: not isolated, allowed", from: "Pod a/client", to: "Pod b/server", port: "8080",
			want: netreach.Yes, egress: "no/yes", ingress: "no/yes"},
		{name: "a policy that selects the destination isolates it", docs: policyYAML("b", "deny", denyIngress),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, egress: "no/yes", ingress: "yes/no",
			deciding: "deny"},
		{name: "a policy that selects other pods does not", docs: policyYAML("b", "deny", "  podSelector: {matchLabels: {app: db}}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
		{name: "a policy of another namespace does not", docs: policyYAML("a", "deny", denyIngress),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
		{name: "egress isolation blocks though ingress allows", docs: policyYAML("a", "deny-out", denyEgress),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, egress: "yes/no", ingress: "no/yes",
			deciding: "deny-out", decidingDecision: netreach.Egress},
		{name: "rules add up across the policies that select a pod", docs: join(policyYAML("b", "deny", denyIngress),
			policyYAML("b", "allow-a", "  podSelector: {matchLabels: {app: server}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n")),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "yes/yes",
			deciding: "allow-a", decidingRules: []int{0}},
		{name: "an invalid policy is left out", docs: policyYAML("b", "bad", "  podSelector: {matchExpressions: [{key: app, operator: In}]}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
	})
}

func TestReachPolicyTypes(t *testing.T) {
	runReach(t, []reachCase{
		{name: "left out, no egress rules: Ingress only",
			docs: policyYAML("a", "p", "  podSelector: {}\n  ingress: [{}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, egress: "no/yes"},
		{name: "left out, egress rules: Ingress and Egress",
			docs: policyYAML("a", "p", "  podSelector: {}\n  egress:\n  - to: [{podSelector: {matchLabels: {app: server}}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, egress: "yes/no"},
		{name: "left out, egress rules: ingress isolated with no rule",
			docs: policyYAML("b", "p", "  podSelector: {}\n  egress: [{}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, ingress: "yes/no"},
		{name: "left out, egress empty: no egress isolation",
			docs: policyYAML("a", "p", "  podSelector: {}\n  egress: []\n  ingress: [{}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, egress: "no/yes"},
		{name: "Egress only: ingress rules have no effect",
			docs: policyYAML("b", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  ingress: []\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "no/yes"},
		{name: "Ingress only: egress rules have no effect",
			docs: policyYAML("a", "p", "  podSelector: {}\n  policyTypes: [Ingress]\n  egress:\n  - to: [{ipBlock: {cidr: 192.0.2.0/24}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, egress: "no/yes"},
	})
}

func TestReachEmptyAndAbsentRules(t *testing.T) {
	runReach(t, []reachCase{
		{name: "ingress absent: nothing allowed", docs: policyYAML("b", "p", "  podSelector: {}\n  policyTypes: [Ingress]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, ingress: "yes/no"},
		{name: "ingress empty: nothing allowed", docs: policyYAML("b", "p", "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: []\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, ingress: "yes/no"},
		{name: "an empty rule allows everything", docs: policyYAML("b", "p", "  podSelector: {}\n  ingress: [{}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "9999/UDP", want: netreach.Yes, ingress: "yes/yes",
			deciding: "p", decidingRules: []int{0}},
		{name: "from empty: every source", docs: policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - from: []\n    ports: [{port: 8080}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, ingress: "yes/yes"},
		{name: "from empty, port elsewhere", docs: policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - from: []\n    ports: [{port: 8080}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8081", want: netreach.No, ingress: "yes/no"},
		{name: "ports empty: every port", docs: policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - ports: []\n    from: [{namespaceSelector: {}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "1/SCTP", want: netreach.Yes, ingress: "yes/yes"},
		{name: "to empty: every destination", docs: policyYAML("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: []}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, egress: "yes/yes"},
	})
}

func TestReachPeers(t *testing.T) {
	allow := func(peers string) string {
		return policyYAML("b", "p", "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n"+peers)
	}
	runReach(t, []reachCase{
		{name: "podSelector: pods of the policy's namespace", docs: allow("    - podSelector: {matchLabels: {app: client}}\n"),
			from: "Pod b/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "podSelector: not pods of another namespace", docs: allow("    - podSelector: {matchLabels: {app: client}}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "empty podSelector: every pod of the policy's namespace only", docs: allow("    - podSelector: {}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "namespaceSelector: every pod of the namespaces", docs: allow("    - namespaceSelector: {matchLabels: {team: red}}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "namespaceSelector: not other namespaces", docs: allow("    - namespaceSelector: {matchLabels: {team: red}}\n"),
			from: "Pod b/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "empty namespaceSelector: every namespace", docs: allow("    - namespaceSelector: {}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "both in one peer: selected pods of selected namespaces",
			docs: allow("    - namespaceSelector: {matchLabels: {team: red}}\n      podSelector: {matchLabels: {app: server}}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "both in one peer: a match",
			docs: allow("    - namespaceSelector: {matchLabels: {team: red}}\n      podSelector: {matchLabels: {app: client}}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "two peers: either",
			docs: allow("    - namespaceSelector: {matchLabels: {team: nobody}}\n    - podSelector: {matchLabels: {app: client}}\n"),
			from: "Pod b/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "namespace by its automatic name label",
			docs: allow("    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a}}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "matchExpressions on the name label",
			docs: allow("    - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [a]}]}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
		{name: "egress podSelector: pods of the policy's namespace",
			docs: policyYAML("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: server}}}]\n"),
			from: "Pod a/client", to: "Pod a/server", port: "8080", want: netreach.Yes, egress: "yes/yes"},
		{name: "egress podSelector: not another namespace's",
			docs: policyYAML("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: server}}}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No, egress: "yes/no"},
	})
}

func TestReachNamespaceWithoutObject(t *testing.T) {
	docs := join(podYAML("c", "client", "app: client"),
		policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: green}}}]\n"),
		policyYAML("b", "q", "  podSelector: {matchLabels: {app: server}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: c}}}]\n    ports: [{port: 9000}]\n"))
	runReach(t, []reachCase{
		{name: "other labels are unknown", docs: docs, from: "Pod c/client", to: "Pod b/server", port: "8080",
			want: netreach.Unknown, unknown: "the inventory holds no Namespace c, so its labels but kubernetes.io/metadata.name are unknown"},
		{name: "the name label is known", docs: docs, from: "Pod c/client", to: "Pod b/server", port: "9000",
			want: netreach.Yes, ingress: "yes/yes", unknown: "selects namespaces by team"},
	})
}

func TestReachPorts(t *testing.T) {
	allow := func(ports string) string {
		return policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - ports:\n"+ports)
	}
	egress := func(ports string) string {
		return policyYAML("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports:\n"+ports)
	}
	runReach(t, []reachCase{
		{name: "a port: TCP by default", docs: allow("    - port: 8080\n"), from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "a port: not UDP by default", docs: allow("    - port: 8080\n"), from: "Pod a/client", to: "Pod b/server", port: "8080/UDP", want: netreach.No},
		{name: "a port: another port", docs: allow("    - port: 8080\n"), from: "Pod a/client", to: "Pod b/server", port: "8081", want: netreach.No},
		{name: "UDP", docs: allow("    - {port: 53, protocol: UDP}\n"), from: "Pod a/client", to: "Pod b/server", port: "53/udp", want: netreach.Yes},
		{name: "SCTP", docs: allow("    - {port: 9, protocol: SCTP}\n"), from: "Pod a/client", to: "Pod b/server", port: "9/SCTP", want: netreach.Yes},
		{name: "SCTP: not TCP", docs: allow("    - {port: 9, protocol: SCTP}\n"), from: "Pod a/client", to: "Pod b/server", port: "9", want: netreach.No},
		{name: "no port: every port of the protocol", docs: allow("    - {protocol: UDP}\n"), from: "Pod a/client", to: "Pod b/server", port: "4242/UDP", want: netreach.Yes},
		{name: "no port: not another protocol", docs: allow("    - {protocol: UDP}\n"), from: "Pod a/client", to: "Pod b/server", port: "4242", want: netreach.No},
		{name: "endPort: first", docs: allow("    - {port: 8000, endPort: 8080}\n"), from: "Pod a/client", to: "Pod b/server", port: "8000", want: netreach.Yes},
		{name: "endPort: last", docs: allow("    - {port: 8000, endPort: 8080}\n"), from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "endPort: after", docs: allow("    - {port: 8000, endPort: 8080}\n"), from: "Pod a/client", to: "Pod b/server", port: "8081", want: netreach.No},
		{name: "endPort: before", docs: allow("    - {port: 8000, endPort: 8080}\n"), from: "Pod a/client", to: "Pod b/server", port: "7999", want: netreach.No},
		{name: "endPort below port: invalid, left out", docs: allow("    - {port: 8080, endPort: 8000}\n"), from: "Pod a/client", to: "Pod b/server", port: "8080",
			want: netreach.Yes, ingress: "no/yes"},
		{name: "named port: the destination's container port", docs: allow("    - port: http\n"), from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "named port asked by name", docs: allow("    - port: http\n"), from: "Pod a/client", to: "Pod b/server", port: "http", want: netreach.Yes},
		{name: "named port: another number", docs: allow("    - port: http\n"), from: "Pod a/client", to: "Pod b/server", port: "8081", want: netreach.No},
		{name: "named port: the protocol must match", docs: allow("    - {port: dns, protocol: TCP}\n"), from: "Pod a/client", to: "Pod b/server", port: "53/UDP", want: netreach.No},
		{name: "named port: UDP", docs: allow("    - {port: dns, protocol: UDP}\n"), from: "Pod a/client", to: "Pod b/server", port: "53/UDP", want: netreach.Yes},
		{name: "named port: a pod without it", docs: allow("    - port: http\n"), from: "Pod a/server", to: "Pod b/client", port: "8080", want: netreach.No},
		{name: "egress named port: resolved against the destination", docs: egress("    - port: http\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes, egress: "yes/yes"},
		{name: "egress named port: the source's ports do not count", docs: egress("    - port: http\n"),
			from: "Pod a/server", to: "Pod b/client", port: "8080", want: netreach.No, egress: "yes/no"},
		{name: "any entry", docs: allow("    - port: 9000\n    - port: http\n"), from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
	})
}

func TestReachIPBlocks(t *testing.T) {
	allow := func(blocks ...string) string {
		s := "  podSelector: {}\n  ingress:\n  - from:\n"
		for _, b := range blocks {
			s += "    - ipBlock: " + b + "\n"
		}
		return policyYAML("b", "p", s)
	}
	runReach(t, []reachCase{
		{name: "a block: pod IPs unknown", docs: allow("{cidr: 10.0.0.0/8}"), from: "Pod a/client", to: "Pod b/server", port: "8080",
			want: netreach.Unknown, unknown: "NetworkPolicy b/p ingress rule #0 admits ipBlock 10.0.0.0/8: whether it holds a pod's IP address is unknown"},
		{name: "0.0.0.0/0 alone: IPv4 only", docs: allow("{cidr: 0.0.0.0/0}"), from: "Pod a/client", to: "Pod b/server", port: "8080",
			want: netreach.Unknown, unknown: "allowed over IPv4, denied over IPv6"},
		{name: "0.0.0.0/0 and ::/0: every address", docs: allow("{cidr: 0.0.0.0/0}", "{cidr: '::/0'}"), from: "Pod a/client", to: "Pod b/server", port: "8080",
			want: netreach.Yes, ingress: "yes/yes"},
		{name: "with except: unknown", docs: allow("{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}", "{cidr: '::/0'}"), from: "Pod a/client", to: "Pod b/server", port: "8080",
			want: netreach.Unknown, unknown: "admits ipBlock 0.0.0.0/0 except 10.0.0.0/8"},
		{name: "an except outside the CIDR: invalid, left out", docs: allow("{cidr: 10.0.0.0/8, except: [192.168.0.0/16]}"), from: "Pod a/client", to: "Pod b/server", port: "8080",
			want: netreach.Yes, ingress: "no/yes"},
		{name: "a block beside a peer that matches", docs: allow("{cidr: 10.0.0.0/8}") + "    - podSelector: {}\n", from: "Pod b/client", to: "Pod b/server", port: "8080",
			want: netreach.Yes},
		{name: "a block on another port", docs: policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n    ports: [{port: 22}]\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.No},
	})
}

func TestReachRuntimeLabels(t *testing.T) {
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: b}\nspec:\n  selector: {matchLabels: {app: web}}\n" +
		"  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: web:1, ports: [{containerPort: 8080}]}]\n"
	runReach(t, []reachCase{
		{name: "a workload's template labels are its pods'", docs: join(deploy, policyYAML("b", "p", "  podSelector: {matchLabels: {app: web}}\n")),
			from: "Pod a/client", to: "Deployment b/web", port: "8080", want: netreach.No, ingress: "yes/no"},
		{name: "a key its controller sets is unknown", docs: join(deploy, policyYAML("b", "p", "  podSelector: {matchLabels: {pod-template-hash: abc}}\n")),
			from: "Pod a/client", to: "Deployment b/web", port: "8080", want: netreach.Unknown, ingress: "unknown/unknown",
			unknown: "NetworkPolicy b/p selects pods by pod-template-hash, which the Deployment's controller sets"},
		{name: "a bare pod's labels are all known", docs: policyYAML("b", "p", "  podSelector: {matchLabels: {pod-template-hash: abc}}\n"),
			from: "Pod a/client", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "a peer selector on a controller key", docs: join(deploy, policyYAML("a", "p",
			"  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: pod-template-hash, operator: Exists}]}}]}]\n")),
			from: "Pod a/client", to: "Deployment b/web", port: "8080", want: netreach.Unknown, egress: "yes/unknown",
			unknown: "egress rule #0 selects pods by pod-template-hash"},
	})
}

func TestReachHostNetwork(t *testing.T) {
	agent := "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: a, labels: {app: agent}}\nspec:\n  hostNetwork: true\n" +
		"  containers: [{name: c, image: agent:1, ports: [{containerPort: 9100}]}]\n"
	runReach(t, []reachCase{
		{name: "a host-network pod no policy selects", docs: agent, from: "Pod a/agent", to: "Pod b/server", port: "8080", want: netreach.Yes},
		{name: "a host-network pod a policy would isolate", docs: join(agent, policyYAML("a", "p", denyEgress)),
			from: "Pod a/agent", to: "Pod b/server", port: "8080", want: netreach.Unknown, egress: "unknown/unknown",
			unknown: "whether NetworkPolicies apply to host-network pods is undefined"},
		{name: "from a host-network pod to an isolated pod: its node may be the destination's", docs: join(agent, policyYAML("b", "p", denyIngress)),
			from: "Pod a/agent", to: "Pod b/server", port: "8080", want: netreach.Unknown, ingress: "yes/unknown",
			unknown: "a pod accepts every connection from its own node"},
		{name: "a peer selector matching a host-network pod", docs: join(agent, policyYAML("b", "p", "  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}}]}]\n")),
			from: "Pod a/agent", to: "Pod b/server", port: "8080", want: netreach.Unknown,
			unknown: "whether selectors match host-network pods is undefined"},
		{name: "an empty rule admits it", docs: join(agent, policyYAML("b", "p", "  podSelector: {}\n  ingress: [{}]\n")),
			from: "Pod a/agent", to: "Pod b/server", port: "8080", want: netreach.Yes},
	})
}

func TestReachListedPods(t *testing.T) {
	docs := join(world,
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pg, namespace: b, uid: uid-pg}\nspec:\n  selector: {matchLabels: {app: pg}}\n"+
			"  template:\n    metadata: {labels: {app: pg}}\n    spec: {containers: [{name: pg, image: pg:16, ports: [{containerPort: 5432}]}]}\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pg-0\n  namespace: b\n  labels: {app: pg, role: primary, statefulset.kubernetes.io/pod-name: pg-0}\n"+
			"  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: pg, uid: uid-pg, controller: true}]\n"+
			"spec: {containers: [{name: pg, image: pg:16, ports: [{containerPort: 5432}]}]}\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pg-1\n  namespace: b\n  labels: {app: pg, role: replica, statefulset.kubernetes.io/pod-name: pg-1}\n"+
			"  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: pg, uid: uid-pg, controller: true}]\n"+
			"spec: {containers: [{name: pg, image: pg:16, ports: [{containerPort: 5432}]}]}\n")
	t.Run("an operator's label on a listed pod", func(t *testing.T) {
		inv := cluster(t, join(docs, policyYAML("b", "primary", "  podSelector: {matchLabels: {role: primary}}\n")))
		e := netreach.New(inv)
		a := e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "StatefulSet b/pg"), netreach.Port{Number: 5432, Protocol: "TCP"})
		assert.Equal(t, netreach.Unknown, a.Allowed)
		assert.Equal(t, "unknown/unknown", a.Ingress.Isolated.String()+"/"+a.Ingress.Allowed.String())
		assert.Contains(t, strings.Join(a.Unknown, "\n"), "Pod b/pg-0")
		iso := e.Isolation(pod(t, e, inv, "StatefulSet b/pg"), netreach.Ingress)
		assert.Equal(t, netreach.Unknown, iso.Isolated)
		assert.Contains(t, strings.Join(iso.Unknown, "\n"), "Pod b/pg-0 is isolated, unlike its template")
	})
	t.Run("listed pods that agree with their template", func(t *testing.T) {
		inv := cluster(t, join(docs, policyYAML("b", "all", denyIngress)))
		e := netreach.New(inv)
		a := e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "StatefulSet b/pg"), netreach.Port{Number: 5432, Protocol: "TCP"})
		assert.Equal(t, netreach.No, a.Allowed, "%q", a.Unknown)
		assert.Len(t, e.Listed(pod(t, e, inv, "StatefulSet b/pg").Object), 2)
	})
}

func TestReachUnseen(t *testing.T) {
	t.Run("NetworkPolicies not listed", func(t *testing.T) {
		inv := cluster(t, world, inventory.Coverage{Group: "networking.k8s.io", Kind: "NetworkPolicy", State: inventory.Forbidden, Reason: "no"})
		e := netreach.New(inv)
		a := e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "Pod b/server"), netreach.Port{Number: 8080, Protocol: "TCP"})
		assert.Equal(t, netreach.Unknown, a.Allowed)
		assert.Contains(t, strings.Join(a.Unknown, "\n"), "NetworkPolicies were not all seen: networkpolicies forbidden: no")
		for _, d := range []netreach.DirectionAnswer{a.Egress, a.Ingress} {
			assert.Equal(t, netreach.Unknown, d.Isolated, "%s: a policy not seen may select the pods", d.Direction)
			assert.Equal(t, netreach.Unknown, d.Allowed, "%s: a policy not seen may isolate the pods", d.Direction)
		}
	})
	t.Run("NetworkPolicies not all loaded", func(t *testing.T) {
		// Ingress to b/server is isolated and allowed by a policy seen: more policies only allow
		// more. Egress from a/client is isolated and denied by one: another may allow it.
		docs := join(world,
			"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow, namespace: b}\nspec:\n"+
				"  podSelector: {}\n  ingress: [{}]\n",
			"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: a}\nspec:\n"+denyEgress)
		b := inventory.NewBuilder(inventory.ModeManifests)
		for _, o := range objects(t, docs) {
			require.NoError(t, b.Add(o, inventory.Source{File: "world.yaml"}))
		}
		b.AddError(&inventory.SourceError{Source: inventory.Source{File: "broken.yaml", Line: 3}, Object: "NetworkPolicy a/other",
			Err: errors.New("spec.podSelector: wrong type")})
		inv := b.Build()
		require.Equal(t, inventory.Incomplete, inv.Coverage(inventory.KindNetworkPolicy).State)
		e := netreach.New(inv)
		a := e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "Pod b/server"), netreach.Port{Number: 8080, Protocol: "TCP"})
		assert.Equal(t, netreach.Unknown, a.Allowed)
		assert.Equal(t, netreach.Yes, a.Egress.Isolated)
		assert.Equal(t, netreach.Unknown, a.Egress.Allowed, "a policy not seen may allow it")
		assert.Equal(t, netreach.Yes, a.Ingress.Isolated)
		assert.Equal(t, netreach.Yes, a.Ingress.Allowed, "a policy seen allows it")
		a = e.Reach(pod(t, e, inv, "Pod b/client"), pod(t, e, inv, "Pod a/server"), netreach.Port{Number: 8080, Protocol: "TCP"})
		assert.Equal(t, netreach.Unknown, a.Allowed)
		for _, d := range []netreach.DirectionAnswer{a.Egress, a.Ingress} {
			assert.Equal(t, netreach.Unknown, d.Isolated, "%s: no policy seen selects the pods, one not seen may", d.Direction)
			assert.Equal(t, netreach.Unknown, d.Allowed, "%s", d.Direction)
		}
	})
	t.Run("a CNI policy in the destination's namespace", func(t *testing.T) {
		inv := cluster(t, join(world, "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: cnp, namespace: b}\nspec: {}\n"),
			inventory.Coverage{Group: "cilium.io", Kind: "CiliumNetworkPolicy", State: inventory.Listed})
		e := netreach.New(inv)
		a := e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "Pod b/server"), netreach.Port{Number: 8080, Protocol: "TCP"})
		assert.Equal(t, netreach.Unknown, a.Allowed)
		assert.Equal(t, netreach.Yes, a.Ingress.Allowed, "NetworkPolicies alone allow it")
		assert.Contains(t, strings.Join(a.Unknown, "\n"), `policies kspm does not evaluate may apply to the pods of namespace "b": CiliumNetworkPolicy "cnp"`)
		a = e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "Pod a/server"), netreach.Port{Number: 8080, Protocol: "TCP"})
		assert.Equal(t, netreach.Yes, a.Allowed, "namespace a is not concerned")
	})
}

func TestPolicyErrors(t *testing.T) {
	for _, tt := range []struct{ spec, err string }{
		{"  podSelector: {matchExpressions: [{key: app, operator: In}]}\n", "spec.podSelector"},
		{"  podSelector: {}\n  policyTypes: [Sideways]\n", `"Sideways" is not Ingress or Egress`},
		{"  podSelector: {}\n  ingress: [{ports: [{port: http, endPort: 9000}]}]\n", `spec.ingress[0].ports[0]: endPort is set with the named port "http"`},
		{"  podSelector: {}\n  ingress: [{ports: [{endPort: 9000}]}]\n", "endPort is set without port"},
		{"  podSelector: {}\n  ingress: [{ports: [{port: 0}]}]\n", "port 0"},
		{"  podSelector: {}\n  ingress: [{ports: [{port: 80, protocol: ICMP}]}]\n", `protocol "ICMP"`},
		{"  podSelector: {}\n  egress: [{to: [{}]}]\n", "spec.egress[0].to[0]: a peer must set"},
		{"  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]\n", "ipBlock may not be set with another peer"},
		{"  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0/8}}]}]\n", `ipBlock.cidr "10.0.0/8"`},
		{"  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]\n", "must be strictly within"},
	} {
		t.Run(tt.err, func(t *testing.T) {
			e := netreach.New(manifests(t, policyYAML("a", "p", tt.spec)))
			require.Len(t, e.Policies(), 1)
			require.Error(t, e.Policies()[0].Err)
			assert.Contains(t, e.Policies()[0].Err.Error(), tt.err)
			assert.Empty(t, e.PoliciesIn("a"))
		})
	}
	e := netreach.New(manifests(t, policyYAML("a", "p", "  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 80, endPort: 90}, {port: http}]}]\n")))
	require.NoError(t, e.Policies()[0].Err)
	assert.Equal(t, []netreach.Direction{netreach.Ingress, netreach.Egress}, e.Policies()[0].Types())
}

func TestParsePort(t *testing.T) {
	for _, tt := range []struct{ in, name, port, err string }{
		{in: "8080", port: "8080/TCP"},
		{in: "53/udp", port: "53/UDP"},
		{in: "9/SCTP", port: "9/SCTP"},
		{in: "http", name: "http", port: "0/TCP"},
		{in: "dns/UDP", name: "dns", port: "0/UDP"},
		{in: "0", err: "not between 1 and 65535"},
		{in: "70000", err: "not between 1 and 65535"},
		{in: "80/ICMP", err: `protocol "ICMP"`},
		{in: "Not_A_Name", err: "neither a number nor a port name"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			name, port, err := netreach.ParsePort(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.name, name)
			assert.Equal(t, tt.port, port.String())
		})
	}
	inv := manifests(t, world)
	e := netreach.New(inv)
	server := pod(t, e, inv, "Pod a/server")
	for in, want := range map[string]string{"http": "8080/TCP", "dns": "53/UDP", "dns/udp": "53/UDP", "8080/UDP": "8080/UDP"} {
		p, err := netreach.ResolvePort(server, in)
		require.NoError(t, err, in)
		assert.Equal(t, want, p.String(), in)
	}
	for in, want := range map[string]string{"dns/TCP": `has no container port named "dns"`, "metrics": `Pod a/server has no container port named "metrics"`} {
		_, err := netreach.ResolvePort(server, in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}

// TestReachLoadedManifests runs a question over manifests read by the loader, whose defaults
// (policyTypes, protocols) must not change the answer.
func TestReachLoadedManifests(t *testing.T) {
	docs := join(world, policyYAML("b", "p", "  podSelector: {matchLabels: {app: server}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n    ports: [{port: http}]\n"),
		policyYAML("a", "q", "  podSelector: {}\n  egress:\n  - to: [{namespaceSelector: {}}]\n    ports: [{port: 8080}]\n"))
	path := t.TempDir() + "/all.yaml"
	require.NoError(t, writeFile(path, docs))
	loaded, err := inventory.LoadManifests(t.Context(), []string{path})
	require.NoError(t, err)
	for _, inv := range []*inventory.Inventory{loaded, manifests(t, docs)} {
		e := netreach.New(inv)
		for port, want := range map[int32]netreach.Verdict{8080: netreach.Yes, 8081: netreach.No} {
			a := e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "Pod b/server"), netreach.Port{Number: port, Protocol: "TCP"})
			assert.Equal(t, want, a.Allowed, fmt.Sprint(port))
		}
	}
}

// TestJSON: verdicts and ports are written as words and "PORT/PROTOCOL", and read back.
func TestJSON(t *testing.T) {
	inv := manifests(t, join(world, policyYAML("b", "p", denyIngress)))
	e := netreach.New(inv)
	a := e.Reach(pod(t, e, inv, "Pod a/client"), pod(t, e, inv, "Pod b/server"), netreach.Port{Number: 53, Protocol: "UDP"})
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"port":"53/UDP","allowed":"no"`)
	assert.Contains(t, string(b), `"isolated":"yes","allowed":"no","policies":[{"policy":{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","namespace":"b","name":"p"},"selects":"yes","allows":"no"}]`)
	var back netreach.Answer
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a, back)
	var v netreach.Verdict
	assert.Error(t, json.Unmarshal([]byte(`"maybe"`), &v))
	var p netreach.Port
	assert.Error(t, json.Unmarshal([]byte(`"http/TCP"`), &p))
}
