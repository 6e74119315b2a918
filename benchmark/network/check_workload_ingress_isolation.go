// network:workload-ingress-isolation inspects every pod template (bare pods, and the
// templates of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, ...; reported on the
// object that owns it) for NetworkPolicies that isolate its pods for ingress: a policy of its
// namespace whose podSelector selects them and whose policyTypes (defaulted as the API server
// does) list Ingress. Isolated pods accept only the connections a rule allows; pods no policy
// isolates accept connections from every pod and address. It passes when the pods are
// isolated, naming the policies, and fails when none isolates them or a rule of one admits
// every peer on every port.
//
// Decisions, written down:
//   - The template's labels are the pods' labels; the labels a workload's controller adds to
//     the pods it creates (pod-template-hash, ...) are unknown: a policy that selects by one
//     of them makes the verdict notEvaluated. Listed from a cluster, the Pods of each
//     workload are judged too, with every label they carry; when one differs from its
//     template, the verdict is notEvaluated. Host-network pods, for which NetworkPolicy
//     behaviour is undefined, are notEvaluated when a policy would select them.
//   - Rules add up across the policies that select a pod: when one of them has a rule that
//     admits every peer on every port (see netreach.Policy.OpenRules: from empty,
//     0.0.0.0/0, a namespaceSelector every namespace matches), the pods are isolated in name
//     only, and the check fails naming the rule, as network:namespace-default-deny does;
//     notEvaluated when the policy with that rule may select the pods (a selector on a label
//     set at run time). A rule open to every peer on some ports only leaves them isolated.
//   - Policies of CNI plugins and of the Network Policy API may isolate the pods too, and may
//     allow what NetworkPolicies deny (a Calico policy or an AdminNetworkPolicy that allows is
//     decided before them; Cilium adds the allows of both kinds): a workload is notEvaluated,
//     neither failed nor passed, when such a policy may apply to its namespace or those kinds
//     were not all seen.
//   - Workloads of the namespaces in the parameter exemptNamespaces (default: kube-system,
//     kube-public, kube-node-lease) are not applicable. The check requires the NetworkPolicy
//     kind: "no policy selects it" needs every policy seen.

package network

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

func workloadIngressIsolation(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:workload-ingress-isolation",
		Section: Section,
		Title:   "Workloads are isolated for ingress",
		Description: "A pod that no NetworkPolicy selects for ingress accepts connections from every pod of the " +
			"cluster and every address that reaches it. Inspects every pod template. Passes when a NetworkPolicy " +
			"of its namespace selects its pods and lists Ingress in policyTypes, and no rule of those policies admits every peer on every port. Selectors that read labels set at " +
			"run time, host-network pods, and namespaces that CNI or Network Policy API policies may cover give " +
			"notEvaluated. Workloads of the namespaces in exemptNamespaces are not applicable.",
		Severity: check.Medium,
		Remediation: "Add a NetworkPolicy that selects the workload's pods for ingress (or a default-deny policy for " +
			"its namespace) and allows only the sources it serves.",
		References: []string{refNetPol},
		Kinds:      workloadKinds,
		Depends:    isolationDeps,
		Requires:   []schema.GroupKind{inventory.KindNetworkPolicy},
		Params:     []check.Param{exemptParam()},
	}, runIsolation(c, netreach.Ingress, "it accepts connections from every pod and address"))
}
