package network

import (
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
				msg := fmt.Sprintf("isolated for %s by %s", dir, policyNames(iso.Policies))
				if why := e.Unseen(ns); why != "" {
					// A CNI or Network Policy API policy may allow what the NetworkPolicies
					// deny (a Calico or AdminNetworkPolicy Allow is decided before them, a
					// Cilium allow adds to theirs): isolated by NetworkPolicies is half the
					// picture.
					pass.NotEvaluated(t.Owner, msg+"; but "+why)
					continue
				}
				pass.Pass(t.Owner, msg)
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
