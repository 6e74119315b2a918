// network:workload-egress-isolation inspects every pod template (bare pods, and the
// templates of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, ...; reported on the
// object that owns it) for NetworkPolicies that isolate its pods for egress: a policy of its
// namespace whose podSelector selects them and whose policyTypes (defaulted as the API server
// does: Egress only when the policy has egress rules) list Egress. Isolated pods open only
// the connections a rule allows; pods no policy isolates may connect anywhere, the cloud's
// metadata service and the API server included. It passes when the pods are isolated,
// naming the policies, and fails when none isolates them.
//
// Decisions, written down: as for network:workload-ingress-isolation (labels set at run
// time, listed Pods, host-network pods, a rule that admits every peer on every port, CNI
// policies, exemptNamespaces, the NetworkPolicy kind required).

package network

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

func workloadEgressIsolation(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:workload-egress-isolation",
		Section: Section,
		Title:   "Workloads are isolated for egress",
		Description: "A pod that no NetworkPolicy selects for egress may connect to every pod of the cluster and " +
			"every address it can route to, which is how a compromised pod moves on or sends data out. Inspects " +
			"every pod template. Passes when a NetworkPolicy of its namespace selects its pods and lists Egress in " +
			"policyTypes, and no rule of those policies admits every peer on every port. Selectors that read labels " +
			"set at run time, host-network pods, and namespaces that CNI or " +
			"Network Policy API policies may cover give notEvaluated. Workloads of the namespaces in " +
			"exemptNamespaces are not applicable.",
		Severity: check.Low,
		Remediation: "Add a NetworkPolicy that selects the workload's pods for egress (or a default-deny policy for " +
			"its namespace) and allows only the destinations it needs, DNS included.",
		References: []string{refNetPol},
		Kinds:      workloadKinds,
		Depends:    isolationDeps,
		Requires:   []schema.GroupKind{inventory.KindNetworkPolicy},
		Params:     []check.Param{exemptParam()},
	}, runIsolation(c, netreach.Egress, "it may connect to every pod and address"))
}
