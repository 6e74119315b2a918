package netreach

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kspm-dev/kspm/inventory"
)

// Direction names a direction of traffic as policyTypes does: Ingress (to the selected
// pods) or Egress (from them).
type Direction = networkingv1.PolicyType

// The two directions.
const (
	Ingress Direction = networkingv1.PolicyTypeIngress
	Egress  Direction = networkingv1.PolicyTypeEgress
)

// Policy is a NetworkPolicy as the engine reads it: its selector compiled, its policyTypes
// defaulted as the API server defaults them, its rules parsed.
type Policy struct {
	// Object is the NetworkPolicy.
	Object *inventory.Object
	// Err is why the API server would reject the policy (a selector, CIDR or port it does not
	// accept), or nil. The engine leaves a policy with an error out of every answer: it cannot
	// exist in a cluster.
	Err error

	namespace string
	selector  *selector
	types     []Direction // effective policyTypes
	ingress   []rule
	egress    []rule
	ipBlocks  bool // some rule has an ipBlock peer
}

// rule is one ingress or egress rule.
type rule struct {
	index int
	ports []portRule // none: every port of every protocol
	peers []peer     // none: every peer
}

// portRule is one entry of a rule's ports.
type portRule struct {
	protocol corev1.Protocol
	// all: every port of the protocol (port not set).
	all bool
	// from..to: a port (from == to) or a range (endPort).
	from, to int32
	// name: a named port, resolved against the destination pod's container ports.
	name string
}

// peer is one entry of a rule's from or to.
type peer struct {
	// ipBlock, or else the selectors.
	ipBlock *ipBlock
	// podSelector; nil when absent (every pod of the selected namespaces).
	pods *selector
	// namespaceSelector; nil when absent (the policy's own namespace).
	namespaces *selector
}

// ipBlock is a CIDR and the CIDRs it excepts.
type ipBlock struct {
	cidr   netip.Prefix
	except []netip.Prefix
	text   string
}

// Namespace returns the policy's namespace.
func (p *Policy) Namespace() string { return p.namespace }

// Name returns the policy's name.
func (p *Policy) Name() string { return p.Object.Name() }

// String names the policy as messages do: "NetworkPolicy shop/deny-all".
func (p *Policy) String() string { return p.Object.String() }

// Selector returns the policy's podSelector as the API shows it ("{}" when it selects every
// pod of its namespace).
func (p *Policy) Selector() string {
	if p.selector == nil {
		return ""
	}
	return p.selector.text
}

// SelectsAll reports whether the policy's podSelector is empty: it selects every pod of its
// namespace, those created later included.
func (p *Policy) SelectsAll() bool { return p.selector != nil && p.selector.empty() }

// Types returns the directions the policy isolates, with policyTypes defaulted as the API
// server defaults it: Ingress, plus Egress when the policy has egress rules.
func (p *Policy) Types() []Direction { return p.types }

// Isolates reports whether the policy isolates the pods it selects in direction d.
func (p *Policy) Isolates(d Direction) bool {
	for _, t := range p.types {
		if t == d {
			return true
		}
	}
	return false
}

// rules returns the policy's rules for direction d; only a direction it isolates counts.
func (p *Policy) rules(d Direction) []rule {
	if !p.Isolates(d) {
		return nil
	}
	if d == Ingress {
		return p.ingress
	}
	return p.egress
}

// readPolicy parses a NetworkPolicy object. A policy the API server would reject gets Err.
func readPolicy(o *inventory.Object) *Policy {
	p := &Policy{Object: o, namespace: o.Namespace()}
	np, ok := o.Object().(*networkingv1.NetworkPolicy)
	if !ok {
		p.Err = fmt.Errorf("not readable as a NetworkPolicy (%T)", o.Object())
		return p
	}
	var errs []error
	sel, err := compileSelector(&np.Spec.PodSelector)
	if err != nil {
		errs = append(errs, fmt.Errorf("spec.podSelector: %w", err))
	}
	p.selector = sel
	p.types = np.Spec.PolicyTypes
	if len(p.types) == 0 { // defaulted as the API server does
		p.types = []Direction{Ingress}
		if len(np.Spec.Egress) > 0 {
			p.types = append(p.types, Egress)
		}
	}
	for i, t := range p.types {
		if t != Ingress && t != Egress {
			errs = append(errs, fmt.Errorf("spec.policyTypes[%d]: %q is not Ingress or Egress", i, t))
		}
	}
	for i, r := range np.Spec.Ingress {
		pr, err := readRule(fmt.Sprintf("spec.ingress[%d]", i), i, r.Ports, r.From)
		errs = append(errs, err)
		p.ingress = append(p.ingress, pr)
	}
	for i, r := range np.Spec.Egress {
		pr, err := readRule(fmt.Sprintf("spec.egress[%d]", i), i, r.Ports, r.To)
		errs = append(errs, err)
		p.egress = append(p.egress, pr)
	}
	for _, rs := range [][]rule{p.ingress, p.egress} {
		for _, r := range rs {
			for _, pe := range r.peers {
				p.ipBlocks = p.ipBlocks || pe.ipBlock != nil
			}
		}
	}
	p.Err = errors.Join(errs...)
	return p
}

// readRule parses one rule's ports and peers, at field path path.
func readRule(path string, index int, ports []networkingv1.NetworkPolicyPort, peers []networkingv1.NetworkPolicyPeer) (rule, error) {
	r := rule{index: index}
	var errs []error
	for i, pp := range ports {
		pr, err := readPort(pp)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.ports[%d]: %w", path, i, err))
			continue
		}
		r.ports = append(r.ports, pr)
	}
	field := ".from"
	if strings.HasPrefix(path, "spec.egress") {
		field = ".to"
	}
	for i, pe := range peers {
		p, err := readPeer(pe)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s%s[%d]: %w", path, field, i, err))
			continue
		}
		r.peers = append(r.peers, p)
	}
	return r, errors.Join(errs...)
}

// readPort parses one entry of a rule's ports, as the API server validates it.
func readPort(pp networkingv1.NetworkPolicyPort) (portRule, error) {
	pr := portRule{protocol: corev1.ProtocolTCP}
	if pp.Protocol != nil {
		pr.protocol = *pp.Protocol
	}
	switch pr.protocol {
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
	default:
		return pr, fmt.Errorf("protocol %q is not TCP, UDP or SCTP", pr.protocol)
	}
	if pp.Port == nil {
		if pp.EndPort != nil {
			return pr, errors.New("endPort is set without port")
		}
		pr.all = true
		return pr, nil
	}
	if pp.Port.Type == intstr.String {
		if pp.EndPort != nil {
			return pr, fmt.Errorf("endPort is set with the named port %q", pp.Port.StrVal)
		}
		if errs := validation.IsValidPortName(pp.Port.StrVal); len(errs) > 0 {
			return pr, fmt.Errorf("port %q: %s", pp.Port.StrVal, strings.Join(errs, "; "))
		}
		pr.name = pp.Port.StrVal
		return pr, nil
	}
	pr.from = pp.Port.IntVal
	if errs := validation.IsValidPortNum(int(pr.from)); len(errs) > 0 {
		return pr, fmt.Errorf("port %d: %s", pr.from, strings.Join(errs, "; "))
	}
	pr.to = pr.from
	if pp.EndPort != nil {
		pr.to = *pp.EndPort
		if pr.to < pr.from {
			return pr, fmt.Errorf("endPort %d is less than port %d", pr.to, pr.from)
		}
		if errs := validation.IsValidPortNum(int(pr.to)); len(errs) > 0 {
			return pr, fmt.Errorf("endPort %d: %s", pr.to, strings.Join(errs, "; "))
		}
	}
	return pr, nil
}

// readPeer parses one entry of a rule's from or to, as the API server validates it.
func readPeer(pe networkingv1.NetworkPolicyPeer) (peer, error) {
	var p peer
	if pe.IPBlock != nil {
		if pe.PodSelector != nil || pe.NamespaceSelector != nil {
			return p, errors.New("ipBlock may not be set with another peer")
		}
		b, err := readIPBlock(pe.IPBlock)
		p.ipBlock = b
		return p, err
	}
	if pe.PodSelector == nil && pe.NamespaceSelector == nil {
		return p, errors.New("a peer must set podSelector, namespaceSelector or ipBlock")
	}
	var err error
	if pe.PodSelector != nil {
		if p.pods, err = compileSelector(pe.PodSelector); err != nil {
			return p, fmt.Errorf("podSelector: %w", err)
		}
	}
	if pe.NamespaceSelector != nil {
		if p.namespaces, err = compileSelector(pe.NamespaceSelector); err != nil {
			return p, fmt.Errorf("namespaceSelector: %w", err)
		}
	}
	return p, nil
}

// readIPBlock parses an ipBlock: a CIDR, and excepted CIDRs strictly within it.
func readIPBlock(b *networkingv1.IPBlock) (*ipBlock, error) {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return nil, fmt.Errorf("ipBlock.cidr %q: %w", b.CIDR, err)
	}
	out := &ipBlock{cidr: cidr.Masked(), text: b.CIDR}
	for i, e := range b.Except {
		ex, err := netip.ParsePrefix(e)
		if err != nil {
			return nil, fmt.Errorf("ipBlock.except[%d] %q: %w", i, e, err)
		}
		if ex.Addr().Is4() != cidr.Addr().Is4() || ex.Bits() <= cidr.Bits() || !cidr.Contains(ex.Addr()) {
			return nil, fmt.Errorf("ipBlock.except[%d] %q: must be strictly within %s", i, e, b.CIDR)
		}
		out.except = append(out.except, ex.Masked())
	}
	if len(out.except) > 0 {
		out.text += " except " + strings.Join(b.Except, ", ")
	}
	return out, nil
}

// v6 reports whether the block holds IPv6 addresses.
func (b *ipBlock) v6() bool { return !b.cidr.Addr().Is4() }

// everything reports whether the block holds every address of its family.
func (b *ipBlock) everything() bool { return b.cidr.Bits() == 0 && len(b.except) == 0 }

// String writes the port rule as messages do: "8080/TCP", "8000-9000/TCP", "http/TCP",
// "every TCP port".
func (pr portRule) String() string {
	switch {
	case pr.all:
		return "every " + string(pr.protocol) + " port"
	case pr.name != "":
		return pr.name + "/" + string(pr.protocol)
	case pr.from == pr.to:
		return strconv.Itoa(int(pr.from)) + "/" + string(pr.protocol)
	}
	return strconv.Itoa(int(pr.from)) + "-" + strconv.Itoa(int(pr.to)) + "/" + string(pr.protocol)
}

// KeysRead returns the pod label keys the selectors of NetworkPolicy o read (its podSelector
// and the podSelectors of its rules' peers), each once, in order; none for a policy the API
// server would reject, whose selectors the engine never reads.
func KeysRead(o *inventory.Object) []string { return readPolicy(o).keys() }

// keys returns the pod label keys p's selectors read, each once, in order (none when p has
// an error).
func (p *Policy) keys() []string {
	if p.Err != nil {
		return nil
	}
	var out []string
	note := func(s *selector) {
		if s == nil {
			return
		}
		for i := range s.reqs {
			if k := s.reqs[i].Key(); !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	note(p.selector)
	for _, rs := range [][]rule{p.ingress, p.egress} {
		for _, r := range rs {
			for _, pe := range r.peers {
				note(pe.pods)
			}
		}
	}
	return out
}

// Policy returns the NetworkPolicy read from o, an object of the engine's inventory, as
// Policies and PoliciesIn give it.
func (e *Engine) Policy(o *inventory.Object) *Policy {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.policy(o)
}
