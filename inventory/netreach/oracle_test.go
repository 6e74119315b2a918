package netreach_test

// A randomized test of the engine against an oracle: a second, naive implementation of the
// NetworkPolicy API written from its documentation, which enumerates peers and ports
// literally on concrete pods (every label, IP address and node known). The unknowns the
// engine reasons about (pod IPs, labels controllers set, namespaces without an object,
// host-network pods) become worlds: the oracle draws each unknown at random, and the
// engine's Yes (No) must hold in every cosmos drawn. Without unknowns, the two must agree
// exactly.

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// The vocabulary the generator draws from. "pod-template-hash" is a key the Deployment
// controller sets at run time.
var (
	podKeys    = []string{"app", "tier", "pod-template-hash"}
	nsKeys     = []string{"team", "env"}
	values     = []string{"a", "b", "c"}
	nsNames    = []string{"n1", "n2", "n3", "n4"} // n4 has no Namespace object in "unknowns" cases
	portNames  = []string{"http", "dns", "metrics"}
	portNums   = []int32{53, 80, 443, 8080}
	protocols  = []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}
	cidrs      = []string{"10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "::/0", "fd00::/8", "192.168.0.0/16"}
	exceptsFor = map[string][]string{"10.0.0.0/8": {"10.1.0.0/16"}, "0.0.0.0/0": {"10.0.0.0/8"}, "::/0": {"fd00::/8"}}
	podIPv4    = []string{"10.0.0.5", "10.1.2.3", "192.168.1.1", "172.16.0.9"}
	podIPv6    = []string{"fd00::5", "2001:db8::1"}
)

// gen draws random inventories.
type gen struct {
	r        *rand.Rand
	unknowns bool // draw the things the engine cannot know: templates, host network, ipBlocks, a namespace without object
}

func (g *gen) pick(n int) int          { return g.r.IntN(n) }
func (g *gen) chance(p float64) bool   { return g.r.Float64() < p }
func pickOf[T any](g *gen, from []T) T { return from[g.pick(len(from))] }
func (g *gen) labelSet(keys []string) labels.Set {
	set := labels.Set{}
	for _, k := range keys {
		if g.chance(0.5) {
			set[k] = pickOf(g, values)
		}
	}
	return set
}

// selector draws a label selector over keys: empty, matchLabels, or matchExpressions.
func (g *gen) selector(keys []string) *metav1.LabelSelector {
	s := &metav1.LabelSelector{}
	switch g.pick(3) {
	case 0:
	case 1:
		s.MatchLabels = map[string]string{pickOf(g, keys): pickOf(g, values)}
	default:
		for range 1 + g.pick(2) {
			req := metav1.LabelSelectorRequirement{Key: pickOf(g, keys)}
			switch g.pick(4) {
			case 0:
				req.Operator, req.Values = metav1.LabelSelectorOpIn, []string{pickOf(g, values), pickOf(g, values)}
			case 1:
				req.Operator, req.Values = metav1.LabelSelectorOpNotIn, []string{pickOf(g, values)}
			case 2:
				req.Operator = metav1.LabelSelectorOpExists
			default:
				req.Operator = metav1.LabelSelectorOpDoesNotExist
			}
			s.MatchExpressions = append(s.MatchExpressions, req)
		}
	}
	return s
}

func (g *gen) podKeys() []string {
	if g.unknowns {
		return podKeys
	}
	return podKeys[:2]
}

func (g *gen) nsSelectorKeys() []string { return append([]string{corev1.LabelMetadataName}, nsKeys...) }

func (g *gen) peer() networkingv1.NetworkPolicyPeer {
	switch n := g.pick(8); {
	case n == 0 && g.unknowns:
		b := &networkingv1.IPBlock{CIDR: pickOf(g, cidrs)}
		if ex, ok := exceptsFor[b.CIDR]; ok && g.chance(0.4) {
			b.Except = ex
		}
		return networkingv1.NetworkPolicyPeer{IPBlock: b}
	case n <= 2:
		return networkingv1.NetworkPolicyPeer{PodSelector: g.selector(g.podKeys())}
	case n <= 4:
		ns := g.selector(g.nsSelectorKeys())
		if len(ns.MatchLabels) > 0 {
			if _, ok := ns.MatchLabels[corev1.LabelMetadataName]; ok {
				ns.MatchLabels = map[string]string{corev1.LabelMetadataName: pickOf(g, nsNames)}
			}
		}
		return networkingv1.NetworkPolicyPeer{NamespaceSelector: ns}
	default:
		return networkingv1.NetworkPolicyPeer{PodSelector: g.selector(g.podKeys()), NamespaceSelector: g.selector(g.nsSelectorKeys())}
	}
}

func (g *gen) ports() []networkingv1.NetworkPolicyPort {
	if g.chance(0.4) {
		return nil
	}
	var out []networkingv1.NetworkPolicyPort
	for range 1 + g.pick(2) {
		var p networkingv1.NetworkPolicyPort
		if g.chance(0.6) {
			proto := pickOf(g, protocols)
			p.Protocol = &proto
		}
		switch g.pick(4) {
		case 0: // every port of the protocol
		case 1:
			v := intstr.FromString(pickOf(g, portNames))
			p.Port = &v
		case 2:
			v := intstr.FromInt32(pickOf(g, portNums))
			p.Port = &v
		default:
			from := pickOf(g, portNums)
			v := intstr.FromInt32(from)
			end := from + int32(g.pick(500))
			p.Port, p.EndPort = &v, &end
		}
		out = append(out, p)
	}
	return out
}

func (g *gen) peers() []networkingv1.NetworkPolicyPeer {
	switch g.pick(5) {
	case 0:
		return nil
	case 1:
		return []networkingv1.NetworkPolicyPeer{}
	}
	var out []networkingv1.NetworkPolicyPeer
	for range 1 + g.pick(2) {
		out = append(out, g.peer())
	}
	return out
}

func (g *gen) policy(i int) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: pickOf(g, nsNames), Name: fmt.Sprintf("p%d", i)}}
	np.Spec.PodSelector = *g.selector(g.podKeys())
	switch g.pick(5) {
	case 0:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	case 1:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	case 2:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	}
	if g.chance(0.8) {
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{}
		for range g.pick(3) {
			np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: g.peers(), Ports: g.ports()})
		}
	}
	if g.chance(0.6) {
		np.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{}
		for range g.pick(3) {
			np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: g.peers(), Ports: g.ports()})
		}
	}
	return np
}

func (g *gen) podSpec() corev1.PodSpec {
	spec := corev1.PodSpec{HostNetwork: g.unknowns && g.chance(0.15)}
	c := corev1.Container{Name: "c", Image: "app:1"}
	used := map[string]bool{}
	for range g.pick(4) {
		cp := corev1.ContainerPort{ContainerPort: pickOf(g, portNums), Protocol: pickOf(g, protocols)}
		if name := pickOf(g, portNames); !used[name] && g.chance(0.7) {
			used[name] = true
			cp.Name = name
		}
		if g.chance(0.2) {
			cp.Protocol = "" // TCP
		}
		c.Ports = append(c.Ports, cp)
	}
	spec.Containers = []corev1.Container{c}
	return spec
}

// scenario is one random inventory and the endpoints questions are asked about.
type scenario struct {
	objs      []runtime.Object
	policies  []*networkingv1.NetworkPolicy
	nsLabels  map[string]labels.Set // of the Namespace objects
	endpoints []endpoint
}

type endpoint struct {
	ns       string
	labels   labels.Set
	template bool // a Deployment's: pod-template-hash set at run time
	spec     corev1.PodSpec
	kind     string
	name     string
}

func (g *gen) scenario() *scenario {
	s := &scenario{nsLabels: map[string]labels.Set{}}
	for _, ns := range nsNames {
		if ns == "n4" && g.unknowns {
			continue
		}
		l := g.labelSet(nsKeys)
		o := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: l}}
		s.objs = append(s.objs, o)
		set := labels.Set{corev1.LabelMetadataName: ns}
		for k, v := range l {
			set[k] = v
		}
		s.nsLabels[ns] = set
	}
	for i := range 3 + g.pick(4) {
		ep := endpoint{ns: pickOf(g, nsNames), name: fmt.Sprintf("w%d", i), spec: g.podSpec()}
		keys := podKeys[:2]
		ep.labels = g.labelSet(keys)
		if g.unknowns && g.chance(0.3) {
			ep.template, ep.kind = true, "Deployment"
			s.objs = append(s.objs, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ep.ns, Name: ep.name},
				Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: ep.labels}, Spec: ep.spec}}})
		} else {
			if g.unknowns && g.chance(0.3) {
				ep.labels["pod-template-hash"] = pickOf(g, values) // a bare pod's label is known
			}
			ep.kind = "Pod"
			s.objs = append(s.objs, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ep.ns, Name: ep.name, Labels: ep.labels}, Spec: ep.spec})
		}
		s.endpoints = append(s.endpoints, ep)
	}
	for i := range 1 + g.pick(6) {
		np := g.policy(i)
		s.policies = append(s.policies, np)
		s.objs = append(s.objs, np)
	}
	return s
}

// cosmos is one world: an assignment of everything the engine cannot know.
type cosmos struct {
	nsLabels       map[string]labels.Set // every namespace's labels
	podLabels      []labels.Set          // every endpoint's pods' labels
	podIP, nodeIP  []netip.Addr          // per endpoint, in the connection's family
	node           []int                 // per endpoint, the node its pod runs on
	hostNetApplies bool                  // the plugin applies policies to host-network pods as to others
}

func (g *gen) cosmos(s *scenario) cosmos {
	w := cosmos{nsLabels: map[string]labels.Set{}, hostNetApplies: g.chance(0.5)}
	v6 := g.chance(0.5)
	for _, ns := range nsNames {
		if l, ok := s.nsLabels[ns]; ok {
			w.nsLabels[ns] = l
			continue
		}
		l := g.labelSet(nsKeys)
		l[corev1.LabelMetadataName] = ns
		w.nsLabels[ns] = l
	}
	for _, ep := range s.endpoints {
		l := labels.Set{}
		for k, v := range ep.labels {
			l[k] = v
		}
		if ep.template {
			l["pod-template-hash"] = pickOf(g, append(values, "zz"))
		}
		w.podLabels = append(w.podLabels, l)
		ips := podIPv4
		if v6 {
			ips = podIPv6
		}
		w.podIP = append(w.podIP, netip.MustParseAddr(pickOf(g, ips)))
		w.nodeIP = append(w.nodeIP, netip.MustParseAddr(pickOf(g, ips)))
		w.node = append(w.node, g.pick(2))
	}
	return w
}

// The oracle, from the API documentation (NetworkPolicySpec, NetworkPolicyIngressRule,
// NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort, IPBlock) and the concepts
// page (behaviour of to and from selectors, host-network pods).

// oracleTypes: "If this field is not specified, it will default based on the existence of
// ingress or egress rules; policies that contain an egress section are assumed to affect
// egress, and all policies ... are assumed to affect ingress."
func oracleTypes(np *networkingv1.NetworkPolicy) (ingress, egress bool) {
	if len(np.Spec.PolicyTypes) == 0 {
		return true, len(np.Spec.Egress) > 0
	}
	for _, t := range np.Spec.PolicyTypes {
		ingress = ingress || t == networkingv1.PolicyTypeIngress
		egress = egress || t == networkingv1.PolicyTypeEgress
	}
	return ingress, egress
}

// parsed caches parsed selectors: the oracle asks about the same ones millions of times.
var parsed sync.Map

func matches(sel *metav1.LabelSelector, set labels.Set) bool {
	s, ok := parsed.Load(sel)
	if !ok {
		p, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			panic(err)
		}
		s, _ = parsed.LoadOrStore(sel, p)
	}
	return s.(labels.Selector).Matches(set)
}

// oraclePortOK: "If this field is empty or missing, this rule matches all ports"; a port is
// matched on its protocol (TCP by default) and number, a range up to endPort inclusive, or a
// named port of the destination pod.
func oraclePortOK(ports []networkingv1.NetworkPolicyPort, dst corev1.PodSpec, port int32, proto corev1.Protocol) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pp := corev1.ProtocolTCP
		if p.Protocol != nil {
			pp = *p.Protocol
		}
		if pp != proto {
			continue
		}
		if p.Port == nil {
			return true
		}
		if p.Port.Type == intstr.String {
			for _, c := range dst.Containers {
				for _, cp := range c.Ports {
					cproto := cp.Protocol
					if cproto == "" {
						cproto = corev1.ProtocolTCP
					}
					if cp.Name == p.Port.StrVal && cproto == proto && cp.ContainerPort == port {
						return true
					}
				}
			}
			continue
		}
		if p.EndPort == nil && p.Port.IntVal == port || p.EndPort != nil && p.Port.IntVal <= port && port <= *p.EndPort {
			return true
		}
	}
	return false
}

// oraclePeerOK: "If this field is empty or missing, this rule matches all sources
// (destinations)"; a peer is an ipBlock (the CIDR minus its excepts), or podSelector (pods of
// the policy's namespace), namespaceSelector (every pod of the namespaces), or both. A
// plugin that does not apply policies to host-network pods ignores them in selectors and
// sees their node's IP address.
func oraclePeerOK(s *scenario, w cosmos, np *networkingv1.NetworkPolicy, peers []networkingv1.NetworkPolicyPeer, q int) bool {
	if len(peers) == 0 {
		return true
	}
	hostNet := s.endpoints[q].spec.HostNetwork
	ip := w.podIP[q]
	if hostNet {
		ip = w.nodeIP[q]
	}
	for _, p := range peers {
		if p.IPBlock != nil {
			cidr := netip.MustParsePrefix(p.IPBlock.CIDR)
			in := cidr.Contains(ip)
			for _, e := range p.IPBlock.Except {
				if netip.MustParsePrefix(e).Contains(ip) {
					in = false
				}
			}
			if in {
				return true
			}
			continue
		}
		if hostNet && !w.hostNetApplies {
			continue
		}
		nsOK := s.endpoints[q].ns == np.Namespace
		if p.NamespaceSelector != nil {
			nsOK = matches(p.NamespaceSelector, w.nsLabels[s.endpoints[q].ns])
		}
		podOK := p.PodSelector == nil || matches(p.PodSelector, w.podLabels[q])
		if nsOK && podOK {
			return true
		}
	}
	return false
}

// oracleSelected returns the policies of the pod's namespace that select it for a direction.
func oracleSelected(s *scenario, w cosmos, i int, ingress bool) []*networkingv1.NetworkPolicy {
	var out []*networkingv1.NetworkPolicy
	if s.endpoints[i].spec.HostNetwork && !w.hostNetApplies {
		return nil
	}
	for _, np := range s.policies {
		in, eg := oracleTypes(np)
		if np.Namespace != s.endpoints[i].ns || ingress && !in || !ingress && !eg {
			continue
		}
		if matches(&np.Spec.PodSelector, w.podLabels[i]) {
			out = append(out, np)
		}
	}
	return out
}

// oracleAllowed: the connection passes when egress from src and ingress to dst allow it; a
// pod no policy selects for a direction allows everything in it, one that some select
// allows what one of their rules allows; a pod accepts connections from its own node.
func oracleAllowed(s *scenario, w cosmos, src, dst int, port int32, proto corev1.Protocol) bool {
	egress := true
	if sel := oracleSelected(s, w, src, false); len(sel) > 0 {
		egress = false
		for _, np := range sel {
			for _, r := range np.Spec.Egress {
				if oraclePortOK(r.Ports, s.endpoints[dst].spec, port, proto) && oraclePeerOK(s, w, np, r.To, dst) {
					egress = true
				}
			}
		}
	}
	ingress := true
	if sel := oracleSelected(s, w, dst, true); len(sel) > 0 {
		ingress = false
		for _, np := range sel {
			for _, r := range np.Spec.Ingress {
				if oraclePortOK(r.Ports, s.endpoints[dst].spec, port, proto) && oraclePeerOK(s, w, np, r.From, src) {
					ingress = true
				}
			}
		}
		if s.endpoints[src].spec.HostNetwork && !w.hostNetApplies && w.node[src] == w.node[dst] {
			ingress = true
		}
	}
	return egress && ingress
}

func (ep endpoint) ref() string { return ep.kind + " " + ep.ns + "/" + ep.name }

func TestReachOracle(t *testing.T) {
	for _, unknowns := range []bool{false, true} {
		t.Run(fmt.Sprintf("unknowns=%v", unknowns), func(t *testing.T) {
			g := &gen{r: rand.New(rand.NewPCG(13, 42)), unknowns: unknowns}
			questions, decided, vague := 0, 0, 0
			for c := range 75 * randomCases {
				s := g.scenario()
				inv, err := inventory.New(s.objs...)
				require.NoError(t, err)
				e := netreach.New(inv)
				for range 8 {
					src, dst := g.pick(len(s.endpoints)), g.pick(len(s.endpoints))
					port := pickOf(g, portNums)
					if g.chance(0.2) {
						port = int32(1 + g.pick(65535))
					}
					proto := pickOf(g, protocols)
					a := e.Reach(pod(t, e, inv, s.endpoints[src].ref()), pod(t, e, inv, s.endpoints[dst].ref()),
						netreach.Port{Number: port, Protocol: proto})
					questions++
					seen := map[bool]bool{}
					for range 32 {
						seen[oracleAllowed(s, g.cosmos(s), src, dst, port, proto)] = true
					}
					where := fmt.Sprintf("case %d: %s → %s on %d/%s\npolicies: %s\nanswer: %+v", c, s.endpoints[src].ref(),
						s.endpoints[dst].ref(), port, proto, dump(s.policies), a)
					switch a.Allowed {
					case netreach.Yes:
						require.False(t, seen[false], "the engine says allowed, a cosmos denies: %s", where)
						decided++
					case netreach.No:
						require.False(t, seen[true], "the engine says denied, a cosmos allows: %s", where)
						decided++
					default:
						require.True(t, unknowns, "unknown without unknowns: %s", where)
						require.NotEmpty(t, a.Unknown, where)
						if len(seen) == 1 {
							vague++
						}
					}
				}
			}
			t.Logf("%d questions: %d decided, %d unknown where the worlds drawn agree", questions, decided, vague)
		})
	}
}

func dump(nps []*networkingv1.NetworkPolicy) string {
	var out []string
	for _, np := range nps {
		out = append(out, fmt.Sprintf("%s/%s %+v", np.Namespace, np.Name, np.Spec))
	}
	return fmt.Sprint(out)
}

// TestFromEveryNamespaceOracle checks FromEveryNamespace against an oracle that tries a pod
// with every combination of labels in a namespace with every combination of labels (and
// every name), from the vocabulary the policies are drawn from and one other value.
func TestFromEveryNamespaceOracle(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(7, 99))}
	other := "zz"
	combos := func(keys []string) []labels.Set {
		out := []labels.Set{{}}
		for _, k := range keys {
			var next []labels.Set
			for _, base := range out {
				next = append(next, base)
				for _, v := range append(slices.Clone(values), other) {
					l := labels.Set{}
					for k2, v2 := range base {
						l[k2] = v2
					}
					l[k] = v
					next = append(next, l)
				}
			}
			out = next
		}
		return out
	}
	nsCombos, podCombos := combos(nsKeys), combos(podKeys)
	yes, no := 0, 0
	for c := range 100 * randomCases {
		s := g.scenario()
		dst := g.pick(len(s.endpoints))
		for _, np := range s.policies { // most in the destination's namespace, where they count
			if g.chance(0.8) {
				np.Namespace = s.endpoints[dst].ns
			}
		}
		inv, err := inventory.New(s.objs...)
		require.NoError(t, err)
		e := netreach.New(inv)
		port := pickOf(g, portNums)
		proto := pickOf(g, protocols)
		got := e.FromEveryNamespace(pod(t, e, inv, s.endpoints[dst].ref()), netreach.Port{Number: port, Protocol: proto})

		// A source endpoint added to the scenario, moved through every namespace and label set.
		probe := len(s.endpoints)
		s.endpoints = append(s.endpoints, endpoint{})
		w := cosmos{nsLabels: map[string]labels.Set{}, podLabels: make([]labels.Set, len(s.endpoints)),
			podIP: make([]netip.Addr, len(s.endpoints)), nodeIP: make([]netip.Addr, len(s.endpoints)), node: make([]int, len(s.endpoints))}
		for i, ep := range s.endpoints[:probe] {
			w.podLabels[i] = ep.labels
		}
		every := true
		for _, name := range append(slices.Clone(nsNames), "fresh") {
			for _, nl := range nsCombos {
				set := labels.Set{corev1.LabelMetadataName: name}
				for k, v := range nl {
					set[k] = v
				}
				w.nsLabels[name] = set
				s.endpoints[probe].ns = name
				reached := false
				for _, pl := range podCombos {
					w.podLabels[probe] = pl
					if oracleIngress(s, w, probe, dst, port, proto) {
						reached = true
						break
					}
				}
				every = every && reached
			}
		}
		s.endpoints = s.endpoints[:probe]
		require.Equal(t, every, got.Open == netreach.Yes, "case %d: %s on %d/%s\npolicies: %s\nanswer: %+v", c,
			s.endpoints[dst].ref(), port, proto, dump(s.policies), got)
		require.NotEqual(t, netreach.Unknown, got.Open)
		if every {
			yes++
		} else {
			no++
		}
	}
	t.Logf("open to every namespace: %d; not: %d", yes, no)
}

// oracleIngress is oracleAllowed's ingress half.
func oracleIngress(s *scenario, w cosmos, src, dst int, port int32, proto corev1.Protocol) bool {
	sel := oracleSelected(s, w, dst, true)
	if len(sel) == 0 {
		return true
	}
	for _, np := range sel {
		for _, r := range np.Spec.Ingress {
			if oraclePortOK(r.Ports, s.endpoints[dst].spec, port, proto) && oraclePeerOK(s, w, np, r.From, src) {
				return true
			}
		}
	}
	return false
}
