package network

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// runIsolation reports, for each pod template, whether NetworkPolicies isolate its pods in
// direction d: the body of network:workload-ingress-isolation and
// network:workload-egress-isolation.
func runIsolation(c *engineCache, d netreach.Direction, open string) check.RunFunc {
	return func(ctx context.Context, pass *check.Pass) error {
		exempt := exemptSet(pass)
		e := c.get(pass.Inventory)
		dir := strings.ToLower(string(d))
		for _, t := range pass.PodTemplates() {
			if err := ctx.Err(); err != nil {
				return err
			}
			ns := t.Namespace()
			if exempt[ns] {
				pass.NotApplicablef(t.Owner, "namespace %q is exempt (parameter %s)", ns, paramExemptNamespaces)
				continue
			}
			p, _ := e.Pod(t.Owner)
			iso := e.Isolation(p, d)
			switch iso.Isolated {
			case netreach.Yes:
				judgeIsolated(pass, t.Owner, iso, d, e.Unseen(ns))
			case netreach.Unknown:
				pass.NotEvaluatedf(t.Owner, "whether NetworkPolicies isolate it for %s is unknown: %s", dir, strings.Join(iso.Unknown, "; "))
			default:
				msg := fmt.Sprintf("no NetworkPolicy of namespace %q selects it for %s: %s", ns, dir, open)
				if why := e.Unseen(ns); why != "" {
					pass.NotEvaluated(t.Owner, msg+"; but "+why)
					continue
				}
				pass.Fail(t.Owner, "", msg)
			}
		}
		return nil
	}
}

// judgeIsolated reports on owner, whose pods the NetworkPolicies iso.Policies isolate in
// direction d. Rules add up: a rule of a policy that selects them and admits every peer on
// every port undoes the isolation, as it undoes a default deny, and fails; such a rule of a
// policy that may select them makes the result not evaluated. So does unseen, why policies
// kspm does not model may apply: they may allow what the NetworkPolicies deny (a Calico or
// AdminNetworkPolicy Allow is decided before them, a Cilium allow adds to theirs), so
// isolated by NetworkPolicies is half the picture.
func judgeIsolated(pass *check.Pass, owner *inventory.Object, iso netreach.Isolation, d netreach.Direction, unseen string) {
	dir := strings.ToLower(string(d))
	msg := fmt.Sprintf("isolated for %s by %s", dir, policyNames(iso.Policies))
	opened, maybe := openRules(iso, d)
	switch {
	case len(opened) > 0:
		msg = fmt.Sprintf("selected for %s by %s, but %s, which undoes the isolation", dir, policyNames(iso.Policies), strings.Join(opened, "; "))
	case len(maybe) > 0:
		msg = fmt.Sprintf("%s, but %s may select it too", msg, strings.Join(maybe, "; "))
		pass.NotEvaluated(owner, msg+"; but "+cmp.Or(unseen, strings.Join(iso.Unknown, "; ")))
		return
	}
	switch {
	case unseen != "":
		pass.NotEvaluated(owner, msg+"; but "+unseen)
	case len(opened) > 0:
		pass.Fail(owner, "", msg)
	default:
		pass.Pass(owner, msg)
	}
}

// openRules returns the rules, of the policies that select (open) and may select (maybe) the
// pods for direction d, that admit every peer on every port of a protocol (see
// netreach.Policy.OpenRules): "NetworkPolicy shop/web ingress rule #0 admits every peer (from
// is empty) on every port".
func openRules(iso netreach.Isolation, d netreach.Direction) (open, maybe []string) {
	for i, p := range iso.Policies {
		for _, r := range p.OpenRules() {
			if r.Direction != d || !r.EveryPort {
				continue
			}
			s := fmt.Sprintf("%s %s rule #%d admits every peer (%s) on %s", p, strings.ToLower(string(d)), r.Index, r.Peers, r.Ports)
			if iso.Selects[i] == netreach.Yes {
				open = append(open, s)
			} else {
				maybe = append(maybe, s)
			}
		}
	}
	return open, maybe
}

// policyNames names policies: `NetworkPolicy shop/deny-all, NetworkPolicy shop/web`, at most
// three and a count.
func policyNames(ps []*netreach.Policy) string {
	var names []string
	for i, p := range ps {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(ps)-3))
			break
		}
		names = append(names, p.String())
	}
	return strings.Join(names, ", ")
}

// objectNames names objects: `Deployment shop/web, Pod shop/debug`, at most three and a
// count.
func objectNames(objs []*inventory.Object) string {
	var names []string
	for i, o := range objs {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(objs)-3))
			break
		}
		names = append(names, o.String())
	}
	return strings.Join(names, ", ")
}
