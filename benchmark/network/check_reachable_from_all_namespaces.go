// network:reachable-from-all-namespaces inspects every pod template for the ports on which a
// pod of every namespace may connect to its pods, as far as the NetworkPolicies that isolate
// them for ingress decide: every port when none does; otherwise the ports on which the rules
// of the policies that select them admit, between them, a peer in every namespace (rules
// without peers; namespaceSelectors that together match every namespace, those created later
// included, whatever podSelector goes with them, since whoever may create a pod in a
// namespace chooses its labels). It passes when no port (or none of the ports of the
// parameter ports) is open to every namespace, and fails naming the ports and the rules.
//
// Decisions, written down:
//   - Egress policies of the sources do not count: a namespace created later has none.
//   - Selectors that do not admit every namespace there may be may still admit every
//     namespace there is: when the inventory holds the whole cluster (listed, or manifests
//     declared complete) with its Namespaces, a port whose rules admit each of its
//     namespaces, by their labels, fails too, and the message says so. A namespace known
//     only from its pods (no Namespace object) has only its name label known.
//   - An ipBlock may hold the address of every pod (pod IPs are assigned at run time): a port
//     it alone would open is notEvaluated, as are the answers that hang on labels set at run
//     time, listed Pods that differ from their template, and namespaces that CNI or Network
//     Policy API policies may cover.
//   - The parameter ports (PORT[/PROTOCOL] or a container port name) narrows the question
//     to those ports; empty (the default), every port of every protocol is asked about.
//     Workloads of the namespaces in exemptNamespaces (default: kube-system, kube-public,
//     kube-node-lease; DNS is meant to be reachable from everywhere) are not applicable. The
//     check requires the NetworkPolicy kind.

package network

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

const paramPorts = "ports"

func reachableFromAllNamespaces(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:reachable-from-all-namespaces",
		Section: Section,
		Title:   "Workloads are not reachable from every namespace",
		Description: "A workload that a pod of every namespace may connect to is one compromised pod away from any " +
			"tenant of the cluster. Inspects every pod template. Passes when no port is open to every namespace; " +
			"fails naming the ports on which its ingress NetworkPolicies (or their absence) admit a pod of every " +
			"namespace, those created later included: no policy isolating it, rules without peers, or " +
			"namespaceSelectors that together match every namespace (or, in a whole cluster, each namespace it holds). " +
			"Ports only an ipBlock may open, labels set at run time and namespaces that CNI or Network Policy API " +
			"policies may cover give notEvaluated. The parameter ports narrows the ports asked about; workloads of " +
			"the namespaces in exemptNamespaces are not applicable.",
		Severity: check.Medium,
		Remediation: "Isolate the workload for ingress and admit only the namespaces (and pods) that need it: a " +
			"namespaceSelector naming them, with a podSelector.",
		References: []string{refNetPol},
		Kinds:      workloadKinds,
		Depends:    reachableDeps,
		Requires:   []schema.GroupKind{inventory.KindNetworkPolicy},
		Params: []check.Param{exemptParam(), {Name: paramPorts, Type: check.ParamStringList, Default: []string{},
			Description: "The ports asked about, PORT[/PROTOCOL] or a container port name; empty: every port."}},
	}, func(ctx context.Context, pass *check.Pass) error {
		ports, _ := pass.Params[paramPorts].([]string)
		for _, s := range ports {
			if _, _, err := netreach.ParsePort(s); err != nil {
				return fmt.Errorf("parameter %s: %w", paramPorts, err)
			}
		}
		exempt := exemptSet(pass)
		e := c.get(pass.Inventory)
		for _, t := range pass.PodTemplates() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if ns := t.Namespace(); exempt[ns] {
				pass.NotApplicablef(t.Owner, "namespace %q is exempt (parameter %s)", ns, paramExemptNamespaces)
				continue
			}
			p, _ := e.Pod(t.Owner)
			var open, maybe []netreach.Opening
			for _, o := range openings(e, p, ports) {
				if o.Open == netreach.Yes {
					open = append(open, o)
				} else {
					maybe = append(maybe, o)
				}
			}
			switch {
			case len(open) > 0:
				pass.Fail(t.Owner, "", "reachable from every namespace on "+describeOpenings(open))
			case len(maybe) > 0:
				var why []string
				for _, o := range maybe {
					for _, u := range o.Unknown {
						if !slices.Contains(why, u) {
							why = append(why, u)
						}
					}
				}
				pass.NotEvaluatedf(t.Owner, "may be reachable from every namespace on %s: %s", rangeList(maybe), strings.Join(why, "; "))
			case len(ports) > 0:
				pass.Passf(t.Owner, "none of %s is reachable from every namespace", strings.Join(ports, ", "))
			default:
				pass.Pass(t.Owner, "no port is reachable from every namespace")
			}
		}
		return nil
	})
}

// openings returns the ports of p open (or perhaps open) to every namespace: among ports
// when given (a port name p does not declare does not apply), else among every port.
func openings(e *netreach.Engine, p netreach.Pod, ports []string) []netreach.Opening {
	if len(ports) == 0 {
		return e.OpenToEveryNamespace(p)
	}
	var out []netreach.Opening
	for _, s := range ports {
		port, err := netreach.ResolvePort(p, s)
		if err != nil {
			continue
		}
		if ex := e.FromEveryNamespace(p, port); ex.Open != netreach.No {
			out = append(out, netreach.Opening{Ports: netreach.PortRange{Protocol: port.Protocol, From: port.Number, To: port.Number}, Exposure: ex})
		}
	}
	return out
}

// describeOpenings writes the ports, grouped by what opens them: "80/TCP, 443/TCP (NetworkPolicy
// shop/web ingress rule #0)".
func describeOpenings(os []netreach.Opening) string {
	var order []string
	ports := make(map[string][]string)
	for _, o := range os {
		because := strings.Join(o.Because, ", ")
		if _, ok := ports[because]; !ok {
			order = append(order, because)
		}
		ports[because] = append(ports[because], o.Ports.String())
	}
	var parts []string
	for _, b := range order {
		parts = append(parts, strings.Join(ports[b], ", ")+" ("+b+")")
	}
	return strings.Join(parts, "; ")
}

func rangeList(os []netreach.Opening) string {
	var s []string
	for _, o := range os {
		s = append(s, o.Ports.String())
	}
	return strings.Join(s, ", ")
}
