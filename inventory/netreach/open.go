package netreach

import (
	"strconv"
	"strings"
)

// OpenRule is a rule of a policy that admits every peer: every source (Ingress) or every
// destination (Egress).
type OpenRule struct {
	// Direction is the rule's direction.
	Direction Direction
	// Index is the rule's index in spec.ingress or spec.egress.
	Index int
	// Peers says how it admits every peer: "from is empty", "ipBlock 0.0.0.0/0", "every pod
	// of every namespace (namespaceSelector {})".
	Peers string
	// EveryPort: the rule admits every port of at least one protocol (ports empty, or an
	// entry without port or spanning 1-65535).
	EveryPort bool
	// Ports says which ports: "every port", or the entries, "443/TCP, every UDP port".
	Ports string
}

// Field returns the rule's field path: "spec.ingress[0]".
func (r OpenRule) Field() string {
	return "spec." + strings.ToLower(string(r.Direction)) + "[" + strconv.Itoa(r.Index) + "]"
}

// OpenRules returns the rules, of the directions the policy isolates, that admit every peer:
// from (to) absent or empty; an ipBlock of a whole address family (0.0.0.0/0 or ::/0, with or
// without except); or a namespaceSelector that selects every namespace ({}, or one every
// namespace matches) without a podSelector or with an empty one.
func (p *Policy) OpenRules() []OpenRule {
	var out []OpenRule
	for _, d := range []Direction{Ingress, Egress} {
		for _, r := range p.rules(d) {
			peers := openPeers(d, r)
			if peers == "" {
				continue
			}
			o := OpenRule{Direction: d, Index: r.index, Peers: peers, EveryPort: len(r.ports) == 0, Ports: "every port"}
			if len(r.ports) > 0 {
				var ports []string
				for _, pr := range r.ports {
					if pr.all || pr.name == "" && pr.from == 1 && pr.to == 65535 {
						o.EveryPort = true
						pr.all = true
					}
					ports = append(ports, pr.String())
				}
				o.Ports = strings.Join(ports, ", ")
			}
			out = append(out, o)
		}
	}
	return out
}

// openPeers says how rule r admits every peer, or "".
func openPeers(d Direction, r rule) string {
	field := "from"
	if d == Egress {
		field = "to"
	}
	if len(r.peers) == 0 {
		return field + " is empty"
	}
	for _, pe := range r.peers {
		switch {
		case pe.ipBlock != nil && pe.ipBlock.cidr.Bits() == 0:
			return "ipBlock " + pe.ipBlock.text
		case pe.namespaces != nil && (pe.pods == nil || pe.pods.empty()) && covers([]*selector{pe.namespaces}, namespaceLabel) == Yes:
			return "every pod of every namespace (namespaceSelector " + pe.namespaces.text + ")"
		}
	}
	return ""
}
