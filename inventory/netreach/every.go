package netreach

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Exposure is whether every namespace may reach the pods of a template on one port.
type Exposure struct {
	// Open is Yes when in every namespace, those created later included, a pod (given the
	// labels it needs, which whoever may create pods there can set) may open a connection to
	// the pods on the port as far as their ingress is concerned; No when some namespace
	// cannot; Unknown when that depends on what the inventory cannot tell.
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
// every namespace on that port. Egress policies of the sources are not considered: a
// namespace created later has none. Sources are pods on the pod network (not host-network
// pods). The Pods the inventory lists for a workload count too.
func (e *Engine) FromEveryNamespace(dst Pod, port Port) Exposure {
	why := &reasons{}
	var out Exposure
	for i, q := range e.variants(dst) {
		v, because := e.everyNamespace(&q, port, why)
		if i == 0 {
			out.Open, out.Because = v, because
			continue
		}
		if v != out.Open {
			why.add("the answer for %s differs from its template's (listed pods carry labels or container ports templates do not show)", q.String())
		}
		out.Open = merge(out.Open, v)
	}
	if u := e.Unseen(dst.Namespace); u != "" {
		why.add("%s", u)
		out.Open = Unknown
	}
	out.Unknown = why.list
	return out
}

// everyNamespace answers FromEveryNamespace for one pod.
func (e *Engine) everyNamespace(dst *Pod, port Port, why *reasons) (Verdict, []string) {
	var surely, maybe []*Policy
	for _, p := range e.policiesFor(dst) {
		if !p.Isolates(Ingress) {
			continue
		}
		switch e.selects(p, dst, why) {
		case Yes:
			surely = append(surely, p)
		case Unknown:
			maybe = append(maybe, p)
		}
	}
	if len(surely)+len(maybe) == 0 {
		return Yes, []string{"no NetworkPolicy isolates it for ingress"}
	}
	// Adding policies adds rules: what the policies that surely select the pods admit, every
	// world admits; what all that may select them admit bounds every world.
	if len(surely) > 0 {
		v, because := e.admitEveryNamespace(surely, dst, port, why)
		if v == Yes {
			return Yes, because
		}
		if w, _ := e.admitEveryNamespace(slices.Concat(surely, maybe), dst, port, why); w == No {
			return No, nil
		}
		return Unknown, nil
	}
	// Whether any policy selects the pods is unknown; when none does, they are not isolated.
	var because []string
	for _, p := range maybe {
		v, b := e.admitEveryNamespace([]*Policy{p}, dst, port, why)
		if v != Yes {
			return Unknown, nil
		}
		because = append(because, b...)
	}
	return Yes, because
}

// admitEveryNamespace tells whether the ingress rules of policies, taken together, admit a
// pod of every namespace to dst on port.
func (e *Engine) admitEveryNamespace(policies []*Policy, dst *Pod, port Port, why *reasons) (Verdict, []string) {
	var sels []*selector
	var because, blocks []string
	for _, p := range policies {
		for _, r := range p.rules(Ingress) {
			if !portsMatch(r.ports, dst, port) {
				continue
			}
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
	if len(blocks) > 0 {
		why.add("%s: whether it holds the IP addresses of every pod is unknown (pod IPs are assigned at run time)",
			strings.Join(blocks, "; "))
		return Unknown, nil
	}
	return No, nil
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
func (e *Engine) OpenToEveryNamespace(dst Pod) []Opening {
	var out []Opening
	for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP} {
		for _, r := range e.ingressRanges(dst, proto) {
			ex := e.FromEveryNamespace(dst, Port{Number: r.From, Protocol: proto})
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
