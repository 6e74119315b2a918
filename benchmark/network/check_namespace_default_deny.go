// network:namespace-default-deny inspects every namespace for NetworkPolicies that deny
// traffic by default: for each direction of the parameter policyTypes (default: Ingress and
// Egress), a NetworkPolicy of the namespace with an empty podSelector (which selects every pod
// of the namespace, those created later included) that lists the direction in its policyTypes
// (defaulted as the API server defaults them), so that every pod accepts (or opens) only the
// connections a rule allows. It passes when every direction is denied by default, and fails
// naming the directions that are not.
//
// Decisions, written down:
//   - A policy that selects every pod but also has a rule that admits every peer on every
//     port (from or to empty, 0.0.0.0/0, a namespaceSelector every namespace matches; see
//     netreach.Policy.OpenRules) denies nothing in that direction: the namespace is not
//     default-deny there, and the failure names it. A narrower allow rule (from one
//     namespace, on one port) is what default-deny is for.
//   - A policy the API server would reject (an invalid selector, CIDR or port) does not count:
//     it cannot exist.
//   - Policies of CNI plugins and of the Network Policy API (inventory.OtherNetworkPolicyKinds:
//     CiliumNetworkPolicy, Calico and Antrea policies, AdminNetworkPolicy, ...) may deny traffic
//     too, and may allow what NetworkPolicies deny (a Calico policy or an AdminNetworkPolicy
//     that allows is decided before them; Cilium adds the allows of both kinds), but kspm does
//     not model them. A namespace is therefore not evaluated, neither failed nor passed, when
//     such a policy is in it, when a cluster-scoped one (or a namespaced one without
//     metadata.namespace) exists, or when those kinds were not all seen (on a live scan the
//     loader does not list them, so a cluster that serves one of them gives notEvaluated).
//
// Which namespaces: every Namespace object, reported on that object; and every namespace that
// holds pods or workloads but has no Namespace object in the inventory (manifests seldom include
// one), reported on each pod and workload there. A namespace listed in the parameter
// exemptNamespaces (default: kube-system, kube-public, kube-node-lease) is not applicable. The
// verdicts depend on knowing every NetworkPolicy, so the check requires the NetworkPolicy kind:
// when it was not listed completely, or manifests hold none, the runner reports notEvaluated
// instead.

package network

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// DefaultExemptNamespaces are the namespaces the controls of the benchmark that judge
// namespaces and workloads exempt unless their exemptNamespaces parameter says otherwise.
func DefaultExemptNamespaces() []string {
	return []string{"kube-system", "kube-public", "kube-node-lease"}
}

const (
	paramExemptNamespaces = "exemptNamespaces"
	paramPolicyTypes      = "policyTypes"
)

// exemptParam declares the exemptNamespaces parameter.
func exemptParam() check.Param {
	return check.Param{Name: paramExemptNamespaces, Type: check.ParamStringList, Default: DefaultExemptNamespaces(),
		Description: "Namespaces the control does not apply to (replaces the default list)."}
}

// exemptSet returns the namespaces of the exemptNamespaces parameter.
func exemptSet(pass *check.Pass) map[string]bool {
	list, _ := pass.Params[paramExemptNamespaces].([]string) // declared: the runner converts it
	exempt := make(map[string]bool, len(list))
	for _, ns := range list {
		exempt[ns] = true
	}
	return exempt
}

func namespaceDefaultDeny(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:namespace-default-deny",
		Section: Section,
		Title:   "Namespaces deny traffic by default",
		Description: "Without a default-deny NetworkPolicy, a namespace's pods accept connections from " +
			"every pod of the cluster and may connect anywhere until a policy happens to select them, so " +
			"one compromised pod reaches them all, and every new workload starts open. Inspects every " +
			"Namespace, and every namespace holding workloads that has no Namespace object in the " +
			"inventory. Passes when, for each direction of the parameter policyTypes (default: Ingress " +
			"and Egress), a NetworkPolicy of the namespace with an empty podSelector isolates every pod, " +
			"and no policy that selects every pod admits every peer on every port. A namespace that CNI " +
			"or Network Policy API policies (Cilium, Calico, Antrea, AdminNetworkPolicy, ...) may cover " +
			"is not evaluated. Namespaces listed in the parameter exemptNamespaces (default: " +
			"kube-system, kube-public, kube-node-lease) are not applicable.",
		Severity: check.Medium,
		Remediation: "Add a default-deny NetworkPolicy to the namespace (podSelector: {}, policyTypes: " +
			"[Ingress, Egress], no rules), then allow the traffic each workload needs, DNS egress " +
			"included. Where a CNI plugin's own policies or AdminNetworkPolicies deny traffic instead, " +
			"review them by hand.",
		References: []string{refNetPol, refCIS + " 5.3.2"},
		Kinds:      append([]schema.GroupKind{inventory.KindNamespace}, workloadKinds...),
		Depends:    defaultDenyDeps,
		Requires:   []schema.GroupKind{inventory.KindNetworkPolicy},
		Params: []check.Param{exemptParam(), {Name: paramPolicyTypes, Type: check.ParamStringList,
			Default:     []string{string(netreach.Ingress), string(netreach.Egress)},
			Description: "The directions that must be denied by default: Ingress, Egress or both."}},
	}, func(ctx context.Context, pass *check.Pass) error {
		directions, err := directionsParam(pass)
		if err != nil {
			return err
		}
		exempt := exemptSet(pass)
		e := c.get(pass.Inventory)
		type viewNS struct {
			view inventory.View
			ns   string
		}
		judged := make(map[viewNS][]string)
		// judge returns what namespace ns does not deny by default, as o sees its policies
		// (the nearest definitions, when manifests hold variants).
		judge := func(o *inventory.Object, ns string) []string {
			key := viewNS{pass.Inventory.From(o), ns}
			gaps, ok := judged[key]
			if !ok {
				gaps = defaultDenyGaps(e.PoliciesFrom(o, ns), directions)
				judged[key] = gaps
			}
			return gaps
		}
		// verdict reports on o, a Namespace or a workload in namespace ns.
		verdict := func(o *inventory.Object, ns string, workload bool) {
			subject := "namespace"
			if workload {
				subject = "runs in namespace " + strconv.Quote(ns) + ", which"
				if ns == "" {
					subject = "runs in the namespace it is applied to (metadata.namespace is not set), which"
				}
			}
			if exempt[ns] {
				pass.NotApplicable(o, fmt.Sprintf("%s is exempt (parameter %s)", subject, paramExemptNamespaces))
				return
			}
			gaps := judge(o, ns)
			msg := subject + " does not deny " + strings.Join(gaps, "; nor ")
			if len(gaps) == 0 {
				msg = subject + " denies " + joinDirections(directions) + " by default"
			}
			// Policies kspm does not model may deny what NetworkPolicies allow, and allow what
			// they deny (a Calico or AdminNetworkPolicy Allow is decided before them, a Cilium
			// allow adds to theirs): neither verdict holds on half the picture.
			if why := e.Unseen(ns); why != "" {
				pass.NotEvaluated(o, msg+"; but "+why)
				return
			}
			if len(gaps) == 0 {
				pass.Pass(o, msg)
				return
			}
			pass.Fail(o, "", msg)
		}
		for _, o := range pass.Objects(inventory.KindNamespace) {
			if err := ctx.Err(); err != nil {
				return err
			}
			verdict(o, o.Name(), false)
		}
		for _, t := range pass.PodTemplates() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if ns := t.Namespace(); pass.Inventory.Get(inventory.KindNamespace, "", ns) == nil {
				verdict(t.Owner, ns, true)
			}
		}
		return nil
	})
}

// directionsParam returns the directions of the policyTypes parameter.
func directionsParam(pass *check.Pass) ([]netreach.Direction, error) {
	list, ok := pass.Params[paramPolicyTypes].([]string)
	if !ok { // a pass made without the runner's defaults
		return []netreach.Direction{netreach.Ingress, netreach.Egress}, nil
	}
	var out []netreach.Direction
	for _, s := range list {
		switch d := netreach.Direction(s); d {
		case netreach.Ingress, netreach.Egress:
			out = append(out, d)
		default:
			return nil, fmt.Errorf("parameter %s: %q is not Ingress or Egress", paramPolicyTypes, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parameter %s: want Ingress, Egress or both", paramPolicyTypes)
	}
	return out, nil
}

func joinDirections(ds []netreach.Direction) string {
	var s []string
	for _, d := range ds {
		s = append(s, strings.ToLower(string(d)))
	}
	return strings.Join(s, " and ")
}

// defaultDenyGaps returns, for each direction that policies (those of one namespace) do not
// deny by default, why: "egress by default: no NetworkPolicy with an empty podSelector lists
// Egress in policyTypes".
func defaultDenyGaps(policies []*netreach.Policy, directions []netreach.Direction) []string {
	var gaps []string
	for _, d := range directions {
		var deny []*netreach.Policy
		var opened []string
		for _, p := range policies {
			if !p.SelectsAll() || !p.Isolates(d) {
				continue
			}
			deny = append(deny, p)
			for _, r := range p.OpenRules() {
				if r.Direction == d && r.EveryPort {
					opened = append(opened, fmt.Sprintf("%s selects every pod but its %s rule #%d admits every peer (%s) on %s",
						p, strings.ToLower(string(d)), r.Index, r.Peers, r.Ports))
				}
			}
		}
		dir := strings.ToLower(string(d)) + " by default"
		switch {
		case len(deny) == 0:
			gaps = append(gaps, fmt.Sprintf("%s: no NetworkPolicy with an empty podSelector lists %s in policyTypes", dir, d))
		case len(opened) > 0:
			gaps = append(gaps, dir+": "+strings.Join(opened, "; "))
		}
	}
	return gaps
}
