package netreach

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/inventory"
)

// Exposure is whether every namespace may reach the pods of a template on one port.
type Exposure struct {
	// Open is Yes when in every namespace, those created later included, a pod (given the
	// labels it needs, which whoever may create pods there can set) may open a connection to
	// the pods on the port as far as their ingress is concerned, or, when the inventory holds
	// the whole cluster and its Namespaces, in every namespace it holds; No when some
	// namespace cannot; Unknown when that depends on what the inventory cannot tell.
	Open Verdict
	// Because says what opens it: no policy isolating the pods, or the rules that together
	// admit every namespace.
	Because []string
	// Unknown says why Open is Unknown.
	Unknown []string
}

// FromEveryNamespace tells whether every namespace may reach the pods of dst on port, as far
// as the ingress NetworkPolicies of dst's namespace decide: whether they are not isolated
// for ingress, or the rules of the policies that select them admit, between them, a peer in
// every namespace on that port (or, in a whole cluster, every namespace it holds, by their
// labels). Egress policies of the sources are not considered: a
// namespace created later has none. Sources are pods on the pod network (not host-network
// pods). The Pods the inventory lists for a workload count too.
func (e *Engine) FromEveryNamespace(dst Pod, port Port) Exposure {
	var preps []everyPrep
	for _, q := range e.variants(dst) {
		preps = append(preps, e.prepareEvery(q))
	}
	return e.fromEvery(preps, port, e.Unseen(dst.Namespace), func(i int) []policyRules {
		pr := &preps[i]
		var out []policyRules
		for _, p := range pr.policies {
			var rs []rule
			for _, r := range p.rules(Ingress) {
				if portsMatch(r.ports, &pr.pod, port) {
					rs = append(rs, r)
				}
			}
			if len(rs) > 0 {
				out = append(out, policyRules{p, rs})
			}
		}
		return out
	})
}

// everyPrep is what FromEveryNamespace needs of one pod whatever the port: the ingress
// policies that surely and that may select it, and why those may.
type everyPrep struct {
	pod           Pod
	surely, maybe []*Policy
	policies      []*Policy // surely and maybe, in the order policiesFor gives them
	reasons       []string  // why the selection of maybe is unknown
}

// policyRules is the rules of one policy that admit a port.
type policyRules struct {
	p     *Policy
	rules []rule
}

// prepareEvery reads the ingress policies that select (or may select) q.
func (e *Engine) prepareEvery(q Pod) everyPrep {
	pr := everyPrep{pod: q}
	why := &reasons{}
	for _, p := range e.policiesFor(&pr.pod) {
		if !p.Isolates(Ingress) {
			continue
		}
		switch e.selects(p, &pr.pod, why) {
		case Yes:
			pr.surely = append(pr.surely, p)
		case Unknown:
			pr.maybe = append(pr.maybe, p)
		default:
			continue
		}
		pr.policies = append(pr.policies, p)
	}
	pr.reasons = why.list
	return pr
}

// fromEvery answers FromEveryNamespace for port, given each variant's preparation and the
// rules of the policies of variant i that admit port (matching(i), in policy and rule order).
func (e *Engine) fromEvery(preps []everyPrep, port Port, unseen string, matching func(i int) []policyRules) Exposure {
	why := &reasons{}
	var out Exposure
	for i := range preps {
		pr := &preps[i]
		for _, r := range pr.reasons {
			why.add("%s", r)
		}
		v, because := e.everyNamespace(pr, matching(i), why)
		if i == 0 {
			out.Open, out.Because = v, because
			continue
		}
		if v != out.Open {
			why.add("the answer for %s differs from its template's (listed pods carry labels or container ports templates do not show)", pr.pod.String())
		}
		out.Open = merge(out.Open, v)
	}
	if unseen != "" {
		why.add("%s", unseen)
		out.Open = Unknown
	}
	out.Unknown = why.list
	return out
}

// everyNamespace answers FromEveryNamespace for one pod, given the rules of the policies that
// may select it that admit the port.
func (e *Engine) everyNamespace(pr *everyPrep, matching []policyRules, why *reasons) (Verdict, []string) {
	if len(pr.surely)+len(pr.maybe) == 0 {
		return Yes, []string{"no NetworkPolicy isolates it for ingress"}
	}
	among := func(keep func(*Policy) bool) []policyRules {
		var out []policyRules
		for _, m := range matching {
			if keep(m.p) {
				out = append(out, m)
			}
		}
		return out
	}
	// Adding policies adds rules: what the policies that surely select the pods admit, every
	// world admits; what all that may select them admit bounds every world.
	if len(pr.surely) > 0 {
		v, because := e.admitEveryNamespace(among(func(p *Policy) bool { return !slices.Contains(pr.maybe, p) }), why)
		if v == Yes {
			return Yes, because
		}
		if w, _ := e.admitEveryNamespace(matching, why); w == No {
			return No, nil
		}
		return Unknown, nil
	}
	// Whether any policy selects the pods is unknown; when none does, they are not isolated.
	var because []string
	for _, p := range pr.maybe {
		v, b := e.admitEveryNamespace(among(func(q *Policy) bool { return q == p }), why)
		if v != Yes {
			return Unknown, nil
		}
		because = append(because, b...)
	}
	return Yes, because
}

// admitEveryNamespace tells whether the ingress rules matching, taken together (those of
// some policies that admit the port), admit a pod of every namespace.
func (e *Engine) admitEveryNamespace(matching []policyRules, why *reasons) (Verdict, []string) {
	var sels []*selector
	var because, blocks, key []string
	for _, m := range matching {
		p := m.p
		for _, r := range m.rules {
			where := fmt.Sprintf("%s ingress rule #%d", p, r.index)
			if len(r.peers) == 0 {
				return Yes, []string{where + " admits every source"}
			}
			opens := false
			for _, pe := range r.peers {
				if pe.ipBlock != nil {
					blocks = append(blocks, where+" admits ipBlock "+pe.ipBlock.text)
					continue
				}
				if pe.pods != nil && !pe.pods.satisfiable() {
					continue // no pod has labels that match
				}
				ns := pe.namespaces
				if ns == nil {
					ns = nameSelector(p.namespace)
					key = append(key, "="+p.namespace)
				} else {
					key = append(key, fmt.Sprintf("%p", ns))
				}
				sels = append(sels, ns)
				opens = true
			}
			if opens {
				because = append(because, where)
			}
		}
	}
	switch covers(sels, namespaceLabel) {
	case Yes:
		return Yes, because
	case Unknown:
		why.add("the namespace selectors of %s combine too many labels to tell whether they cover every namespace",
			strings.Join(because, ", "))
		return Unknown, nil
	}
	// Not every namespace there may be: perhaps every namespace there is. A cluster whose
	// namespaces all carry a label the selectors ask for is reachable from each of them.
	if existing := e.existingNamespaces(); len(existing) > 0 && len(sels) > 0 {
		switch v, unknown := e.admitsAll(strings.Join(key, "\x00"), sels, existing); v {
		case Yes:
			return Yes, append(because, fmt.Sprintf("which admit every namespace of the cluster (%d), if not every one created later", len(existing)))
		case Unknown:
			why.add("the namespace selectors of %s may admit every namespace of the cluster: %s", strings.Join(because, ", "), unknown)
			return Unknown, nil
		}
	}
	if len(blocks) > 0 {
		why.add("%s: whether it holds the IP addresses of every pod is unknown (pod IPs are assigned at run time)",
			strings.Join(blocks, "; "))
		return Unknown, nil
	}
	return No, nil
}

// portIndex holds the ingress rules of a pod's policies for one protocol, by the ports they
// admit, so that the rules admitting a port are found without going through every rule.
type portIndex struct {
	always []ruleAt   // rules that admit every port of the protocol
	spans  []ruleSpan // the others' port ranges, by first port
	next   int        // spans[:next] have been added to active
	active []ruleSpan // spans that began at or before the last port asked about
}

// ruleAt is rule index rule of policy number pol (in everyPrep.policies).
type ruleAt struct{ pol, rule int }

// ruleSpan is a range of ports a rule admits.
type ruleSpan struct {
	at       ruleAt
	from, to int32
}

// index builds pr's portIndex for proto.
func (pr *everyPrep) index(proto corev1.Protocol) *portIndex {
	x := &portIndex{}
	for i, p := range pr.policies {
		for j, r := range p.rules(Ingress) {
			at := ruleAt{i, j}
			if len(r.ports) == 0 {
				x.always = append(x.always, at)
				continue
			}
			for _, pt := range r.ports {
				switch {
				case pt.protocol != proto:
				case pt.all:
					x.always = append(x.always, at)
				case pt.name != "":
					for _, cp := range pr.pod.Ports {
						if cp.Name == pt.name && protocolOf(cp.Protocol) == proto {
							x.spans = append(x.spans, ruleSpan{at, cp.ContainerPort, cp.ContainerPort})
						}
					}
				default:
					x.spans = append(x.spans, ruleSpan{at, pt.from, pt.to})
				}
			}
		}
	}
	slices.SortFunc(x.spans, func(a, b ruleSpan) int { return int(a.from) - int(b.from) })
	return x
}

// matching returns the rules of pr's policies that admit port n, in policy and rule order;
// the ports asked about must not decrease.
func (x *portIndex) matching(pr *everyPrep, n int32) []policyRules {
	for ; x.next < len(x.spans) && x.spans[x.next].from <= n; x.next++ {
		x.active = append(x.active, x.spans[x.next])
	}
	x.active = slices.DeleteFunc(x.active, func(s ruleSpan) bool { return s.to < n })
	if len(x.always)+len(x.active) == 0 {
		return nil
	}
	ats := slices.Clone(x.always)
	for _, s := range x.active {
		ats = append(ats, s.at)
	}
	slices.SortFunc(ats, func(a, b ruleAt) int {
		if a.pol != b.pol {
			return a.pol - b.pol
		}
		return a.rule - b.rule
	})
	ats = slices.Compact(ats)
	var out []policyRules
	for _, at := range ats {
		r := pr.policies[at.pol].rules(Ingress)[at.rule]
		if n := len(out); n > 0 && out[n-1].p == pr.policies[at.pol] {
			out[n-1].rules = append(out[n-1].rules, r)
			continue
		}
		out = append(out, policyRules{pr.policies[at.pol], []rule{r}})
	}
	return out
}

// PortRange is a range of ports of one protocol.
type PortRange struct {
	// Protocol is TCP, UDP or SCTP.
	Protocol corev1.Protocol `json:"protocol"`
	// From is the first port of the range.
	From int32 `json:"from"`
	// To is the last port of the range (From for a single port).
	To int32 `json:"to"`
}

// String writes the range as "80/TCP", "8000-8080/TCP" or "every TCP port".
func (r PortRange) String() string {
	switch {
	case r.From == 1 && r.To == 65535:
		return "every " + string(r.Protocol) + " port"
	case r.From == r.To:
		return strconv.Itoa(int(r.From)) + "/" + string(r.Protocol)
	}
	return strconv.Itoa(int(r.From)) + "-" + strconv.Itoa(int(r.To)) + "/" + string(r.Protocol)
}

// Opening is a range of ports on which every namespace may reach a pod.
type Opening struct {
	// Ports are the ports.
	Ports PortRange
	// Exposure is the answer for each of them.
	Exposure
}

// OpenToEveryNamespace returns the ranges of ports, of every protocol, on which
// FromEveryNamespace is Yes or Unknown for dst, adjacent ports with the same answer merged.
//
// The policies that select each pod, and whether the namespace's pods are covered by policies
// kspm does not model, are read once; each range then goes through only the rules whose ports
// admit it, so the cost grows with the ranges and the rules, not with their product.
func (e *Engine) OpenToEveryNamespace(dst Pod) []Opening {
	var out []Opening
	var preps []everyPrep
	for _, q := range e.variants(dst) {
		preps = append(preps, e.prepareEvery(q))
	}
	unseen := e.Unseen(dst.Namespace)
	for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP} {
		idx := make([]*portIndex, len(preps))
		for i := range preps {
			idx[i] = preps[i].index(proto)
		}
		for _, r := range e.ingressRanges(dst, proto) {
			ex := e.fromEvery(preps, Port{Number: r.From, Protocol: proto}, unseen, func(i int) []policyRules {
				return idx[i].matching(&preps[i], r.From)
			})
			if ex.Open == No {
				continue
			}
			if n := len(out); n > 0 && out[n-1].Ports.Protocol == proto && out[n-1].Ports.To+1 == r.From &&
				out[n-1].Open == ex.Open && slices.Equal(out[n-1].Because, ex.Because) && slices.Equal(out[n-1].Unknown, ex.Unknown) {
				out[n-1].Ports.To = r.To
				continue
			}
			out = append(out, Opening{Ports: r, Exposure: ex})
		}
	}
	return out
}

// ingressRanges cuts the ports of proto into the ranges over which the ingress rules of
// dst's namespace admit alike: at every port and range they name, and at the container ports
// of dst (and of its listed Pods) their named ports resolve to.
func (e *Engine) ingressRanges(dst Pod, proto corev1.Protocol) []PortRange {
	cuts := []int32{1, 65536}
	cut := func(from, to int32) { cuts = append(cuts, from, to+1) }
	pods := append([]Pod{dst}, e.Listed(dst.Object)...)
	for _, p := range e.policiesFor(&dst) {
		for _, r := range p.rules(Ingress) {
			for _, pr := range r.ports {
				switch {
				case pr.protocol != proto || pr.all:
				case pr.name != "":
					for _, q := range pods {
						for _, cp := range q.Ports {
							if cp.Name == pr.name && protocolOf(cp.Protocol) == proto {
								cut(cp.ContainerPort, cp.ContainerPort)
							}
						}
					}
				default:
					cut(pr.from, pr.to)
				}
			}
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	out := make([]PortRange, 0, len(cuts)-1)
	for i := 0; i+1 < len(cuts); i++ {
		if cuts[i] >= 1 && cuts[i] <= 65535 {
			out = append(out, PortRange{Protocol: proto, From: cuts[i], To: min(cuts[i+1]-1, 65535)})
		}
	}
	return out
}

// existingNamespaces returns the label views of every namespace of the cluster when the
// inventory holds the whole cluster and every Namespace (a cluster listed, or manifests
// declared complete, without variants, whose worlds would differ); else none. A namespace
// that holds pods but has no Namespace object (complete manifests) counts, with only its
// name label known, as do, for manifests, the namespaces every cluster has.
func (e *Engine) existingNamespaces() []namedView {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.existing != nil {
		return *e.existing
	}
	var out []namedView
	if e.inv.Whole() && !e.inv.Gap(inventory.KindNamespace) && !e.inv.HasVariants() {
		seen := make(map[string]bool)
		for _, o := range e.inv.ByKind(inventory.KindNamespace) {
			if !seen[o.Name()] {
				seen[o.Name()] = true
				out = append(out, namedView{o.Name(), labelView{labels: e.namespaceLabelsLocked(o)}})
			}
		}
		for _, t := range e.inv.PodTemplates() {
			if ns := t.Namespace(); !seen[ns] {
				seen[ns] = true
				out = append(out, namedView{ns, e.noNamespace(ns)})
			}
		}
		// Every cluster has the namespaces the control plane creates: manifests declared
		// complete seldom hold them, a cluster listed always does.
		for _, ns := range systemNamespaces {
			if !seen[ns] && e.inv.Mode() != inventory.ModeCluster {
				seen[ns] = true
				out = append(out, namedView{ns, e.noNamespace(ns)})
			}
		}
	}
	e.existing = &out
	return out
}

// systemNamespaces are the namespaces the control plane creates in every cluster.
var systemNamespaces = []string{metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic, corev1.NamespaceNodeLease}

// namedView is a namespace's name and the view of its labels.
type namedView struct {
	name string
	view labelView
}

// admitted is what admitsAll answered for a list of selectors.
type admitted struct {
	v   Verdict
	why string
}

// admitsAll tells whether, for every namespace of existing, one of sels matches its labels;
// when that is Unknown, it says why for the first namespace it cannot tell. The answer is
// kept by key, which names sels (each pod template of a namespace asks about the same rules,
// and the namespaces of a cluster are many).
func (e *Engine) admitsAll(key string, sels []*selector, existing []namedView) (Verdict, string) {
	e.mu.Lock()
	a, ok := e.admitted[key]
	e.mu.Unlock()
	if !ok {
		a.v, a.why = admitsAllOf(sels, existing)
		e.mu.Lock()
		e.admitted[key] = a
		e.mu.Unlock()
	}
	return a.v, a.why
}

// admitsAllOf is admitsAll, computed.
func admitsAllOf(sels []*selector, existing []namedView) (Verdict, string) {
	out, why := Yes, ""
	for _, n := range existing {
		v := No
		for _, s := range sels {
			if v = or(v, s.match(n.view)); v == Yes {
				break
			}
		}
		if v == No {
			return No, ""
		}
		if v == Unknown && why == "" {
			why = "namespace " + n.name + ": " + n.view.why
		}
		out = and(out, v)
	}
	return out, why
}
