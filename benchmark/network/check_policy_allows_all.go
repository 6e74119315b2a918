// network:policy-allows-all inspects every NetworkPolicy for rules that admit every peer on
// every port. A rule admits every peer when its from (ingress) or to (egress) is absent or
// empty, when one of its peers is an ipBlock of a whole address family (0.0.0.0/0 or ::/0,
// with or without except), or when one is a namespaceSelector every namespace matches ({}, or
// one that only asks for kubernetes.io/metadata.name, which every namespace has) with no
// podSelector or an empty one; it admits every port when its ports are absent or empty, or
// one of them names no port (every port of its protocol) or spans 1-65535. It passes when no
// rule does both, naming the rules that admit every peer on some ports only; it fails naming
// each rule that does, at the field of the first.
//
// Decisions, written down:
//   - Only the directions the policy isolates count (policyTypes, defaulted as the API server
//     does): a rule of a direction the policy does not list has no effect.
//   - A rule open to every peer on a few ports (HTTPS from anywhere for a public web server,
//     DNS to anywhere) is what such a rule is for: it passes, and the message names it.
//   - An ipBlock 0.0.0.0/0 with except still admits nearly every address, the internet
//     included: it counts, and the message shows the except.
//   - The verdict is about the policy as written. Policies of CNI plugins and of the Network
//     Policy API do not change what a NetworkPolicy allows (they may deny it first, or allow
//     more), so they do not make it notEvaluated. A policy the API server would reject is
//     not applicable: it cannot exist.

package network

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func policyAllowsAll(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:policy-allows-all",
		Section: Section,
		Title:   "NetworkPolicies do not allow everything",
		Description: "A NetworkPolicy rule that admits every peer on every port undoes the isolation the policy " +
			"gives the pods it selects. Inspects every NetworkPolicy. Passes when no rule, of a direction the policy " +
			"isolates, admits every peer (peers absent or empty, an ipBlock 0.0.0.0/0 or ::/0, or a namespaceSelector " +
			"every namespace matches without a podSelector) on every port (ports absent or empty, or covering a " +
			"whole protocol). A rule open to every peer on a few ports passes, named in the message.",
		Severity: check.Medium,
		Remediation: "Name the peers the pods need (a podSelector, a namespaceSelector with a podSelector, the CIDRs " +
			"of the services outside) and the ports, or remove the rule.",
		References: []string{refNetPol},
		Kinds:      []schema.GroupKind{inventory.KindNetworkPolicy},
		Depends:    policyDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		e := c.get(pass.Inventory)
		for _, o := range pass.Objects(inventory.KindNetworkPolicy) {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := e.Policy(o)
			if p.Err != nil {
				pass.NotApplicablef(p.Object, "the API server rejects it (%v): it cannot exist", p.Err)
				continue
			}
			var open, some []string
			field := ""
			for _, r := range p.OpenRules() {
				desc := fmt.Sprintf("%s rule #%d admits every peer (%s)", strings.ToLower(string(r.Direction)), r.Index, r.Peers)
				if r.EveryPort {
					if field == "" {
						field = r.Field()
					}
					open = append(open, desc+" on "+r.Ports)
					continue
				}
				some = append(some, desc+", on "+r.Ports+" only")
			}
			if len(open) > 0 {
				pass.Fail(p.Object, field, strings.Join(open, "; "))
				continue
			}
			msg := "no rule admits every peer on every port"
			if len(some) > 0 {
				msg += " (" + strings.Join(some, "; ") + ")"
			}
			pass.Pass(p.Object, msg)
		}
		return nil
	})
}
