// kspm:namespace-network-policy inspects every namespace for a NetworkPolicy living in it.
// It passes when at least one does and fails when none does: with no policy, every pod of
// the namespace accepts traffic from anywhere and may connect anywhere. Whether a policy selects
// a given pod, or restricts much, is not judged here.
//
// Which namespaces: every Namespace object, reported on that object; and every namespace that
// holds pods or workloads but has no Namespace object in the inventory (manifests seldom include
// one), reported on each pod and workload there. A namespace listed in the parameter
// exemptNamespaces (default: kube-system, kube-public, kube-node-lease) is reported as not
// applicable. The verdicts depend on knowing every NetworkPolicy, so the check requires the
// NetworkPolicy kind: when it was not listed completely, or manifests hold none, the runner
// reports notEvaluated instead.

package starter

import (
	"context"
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// DefaultExemptNamespaces are the namespaces kspm:namespace-network-policy exempts unless its
// exemptNamespaces parameter says otherwise.
func DefaultExemptNamespaces() []string {
	return []string{"kube-system", "kube-public", "kube-node-lease"}
}

const paramExemptNamespaces = "exemptNamespaces"

// NamespaceNetworkPolicy returns the check kspm:namespace-network-policy: every namespace has a
// NetworkPolicy. Its parameter exemptNamespaces (a list of namespace names) replaces
// DefaultExemptNamespaces.
func NamespaceNetworkPolicy() check.Check {
	return check.New(check.Meta{
		ID:    "kspm:namespace-network-policy",
		Title: "Every namespace has a NetworkPolicy",
		Description: "Without a NetworkPolicy, the pods of a namespace accept connections from " +
			"every pod of the cluster and may connect anywhere, so one compromised pod reaches " +
			"them all. Inspects every Namespace, and every namespace holding workloads that has no " +
			"Namespace object in the inventory. Passes when at least one NetworkPolicy lives in " +
			"the namespace. Namespaces listed in the parameter exemptNamespaces (default: " +
			"kube-system, kube-public, kube-node-lease) are not applicable.",
		Severity: check.Medium,
		Remediation: "Add a NetworkPolicy to the namespace; start with a default-deny policy " +
			"(podSelector: {}, policyTypes: [Ingress, Egress]) and allow the traffic each workload " +
			"needs.",
		References: []string{refNetPol, refCIS + " 5.3.2"},
		Kinds:      append([]schema.GroupKind{inventory.KindNamespace}, workloadKinds...),
		Requires:   []schema.GroupKind{inventory.KindNetworkPolicy},
	}, runNamespaceNetworkPolicy)
}

func runNamespaceNetworkPolicy(ctx context.Context, pass *check.Pass) error {
	if err := checkParams(pass.Params, paramExemptNamespaces); err != nil {
		return err
	}
	list, err := stringListParam(pass.Params, paramExemptNamespaces, DefaultExemptNamespaces())
	if err != nil {
		return err
	}
	exempt := make(map[string]bool, len(list))
	for _, ns := range list {
		exempt[ns] = true
	}
	inv := pass.Inventory
	reportUnseen(pass, append([]schema.GroupKind{inventory.KindNamespace}, workloadKinds...)...)

	// verdict reports on o, a Namespace (subject "") or a workload in namespace ns.
	verdict := func(o *inventory.Object, ns string, workload bool) {
		subject := "namespace"
		if workload {
			subject = "runs in namespace " + strconv.Quote(ns) + ", which"
			if ns == "" {
				subject = "runs in the namespace it is applied to (metadata.namespace is not set), which"
			}
		}
		switch n := len(inv.InNamespace(inventory.KindNetworkPolicy, ns)); {
		case exempt[ns]:
			pass.NotApplicable(o, fmt.Sprintf("%s is exempt (parameter %s)", subject, paramExemptNamespaces))
		case n == 0:
			pass.Fail(o, "", subject+" has no NetworkPolicy")
		case n == 1:
			pass.Pass(o, subject+" has 1 NetworkPolicy")
		default:
			pass.Pass(o, fmt.Sprintf("%s has %d NetworkPolicies", subject, n))
		}
	}

	hasObject := make(map[string]bool)
	for _, o := range inv.ByKind(inventory.KindNamespace) {
		if err := ctx.Err(); err != nil {
			return err
		}
		hasObject[o.Name()] = true
		verdict(o, o.Name(), false)
	}
	for _, t := range inv.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ns := t.Namespace(); !hasObject[ns] {
			verdict(t.Owner, ns, true)
		}
	}
	return nil
}
