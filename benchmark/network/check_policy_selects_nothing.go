// network:policy-selects-nothing inspects every NetworkPolicy for a podSelector that selects
// none of the pods of its namespace: such a policy isolates nothing and allows nothing, and is
// usually a typo in a label or a leftover of a workload that is gone. It passes when the
// policy selects some pod (an empty podSelector selects every pod, those created later
// included), naming them, and fails when it selects none of the namespace's pods.
//
// Decisions, written down:
//   - Pods are the pod templates' (a workload's template labels are its pods' labels) and,
//     listed from a cluster, every Pod, with the labels set at run time. A selector that reads
//     a label a workload's controller sets on its pods (pod-template-hash, ...) may select
//     them: notEvaluated.
//   - "Selects none" needs every pod seen: notEvaluated when pods or workloads were not all
//     listed, and for manifests that are a part of a cluster (pods defined elsewhere may
//     match); manifests declared complete (inventory.WithCompleteInput) are judged.
//   - A namespace that runs no pod at all is not applicable: a policy written ahead of its
//     workloads selects nothing yet, and that is no mistake.
//   - A policy the API server would reject (an invalid selector, CIDR or port) fails: it
//     cannot be created, so it selects nothing; the message says why.

package network

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func policySelectsNothing(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:policy-selects-nothing",
		Section: Section,
		Title:   "NetworkPolicies select pods",
		Description: "A NetworkPolicy whose podSelector matches none of its namespace's pods isolates nothing, " +
			"often because of a typo in a label: the pods it was written for stay open. Inspects every " +
			"NetworkPolicy. Passes when it selects some pod of its namespace (pod templates, and the Pods listed " +
			"from a cluster); fails when it selects none, or the API server would reject it. Selectors that read " +
			"labels set at run time, and manifests not declared complete, give notEvaluated; a namespace that runs " +
			"no pod is not applicable.",
		Severity:    check.Low,
		Remediation: "Fix the podSelector to match the labels of the pods the policy is for, or delete the policy.",
		References:  []string{refNetPol},
		Kinds:       append([]schema.GroupKind{inventory.KindNetworkPolicy}, workloadKinds...),
		Depends:     selectsNothingDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		e := c.get(pass.Inventory)
		unseen := check.UnseenKinds(pass.Inventory, workloadKinds...)
		for _, o := range pass.Objects(inventory.KindNetworkPolicy) {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := e.Policy(o)
			ns := p.Namespace()
			switch sel := e.SelectedBy(p); {
			case p.Err != nil:
				pass.Failf(p.Object, "spec", "the API server rejects it (%v), so it selects nothing", p.Err)
			case p.SelectsAll():
				pass.Passf(p.Object, "selects every pod of namespace %q (podSelector {})", ns)
			case len(sel.Selected) > 0:
				pass.Passf(p.Object, "selects the pods of %s", objectNames(sel.Selected))
			case len(sel.Maybe) > 0:
				pass.NotEvaluatedf(p.Object, "may select the pods of %s: %s", objectNames(sel.Maybe), strings.Join(sel.Unknown, "; "))
			case unseen != "":
				pass.NotEvaluatedf(p.Object, "selects none of the pods seen, but pods were not all seen: %s", unseen)
			case len(e.PodsFrom(p.Object, ns)) == 0 && pass.Inventory.Whole():
				pass.NotApplicablef(p.Object, "namespace %q runs no pods", ns)
			case !pass.Inventory.Whole():
				pass.NotEvaluatedf(p.Object, "podSelector %s selects none of the pods of namespace %q in the manifests, "+
					"but pods defined elsewhere may match (declare the manifests complete to judge)", p.Selector(), ns)
			default:
				pass.Fail(p.Object, "spec.podSelector", fmt.Sprintf("podSelector %s selects none of the %d pod templates and pods "+
					"of namespace %q, so the policy isolates nothing", p.Selector(), len(e.PodsFrom(p.Object, ns)), ns))
			}
		}
		return nil
	})
}
