// workloads:missing-serviceaccount inspects the ServiceAccount every pod template runs as
// (serviceAccountName, else the deprecated serviceAccount, else default). It passes when that
// ServiceAccount exists: it is in the inventory, or it is the namespace's default one, which
// the control plane creates in every namespace. It fails when the ServiceAccount does not
// exist, which is known when the inventory stands for the whole cluster (listed from an API
// server, or manifests declared complete) and ServiceAccounts were seen completely; otherwise
// (manifests that are a part of a cluster, ServiceAccounts that could not be listed) it is
// not evaluated. Static pods (mirror pods), which the API server does not let use a
// ServiceAccount, are not applicable.

package workloads

import (
	"context"
	"fmt"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// MissingServiceAccount returns the check workloads:missing-serviceaccount: no workload names a
// ServiceAccount that does not exist.
func MissingServiceAccount() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:missing-serviceaccount",
		Section: Section,
		Title:   "Workloads run as ServiceAccounts that exist",
		Description: "The API server refuses to create a pod whose ServiceAccount does not exist, so " +
			"the workload does not run; and whoever may create ServiceAccounts in the namespace " +
			"can create it, bind it to roles of their choosing, and have the workload's pods run " +
			"with them. Inspects the ServiceAccount every pod and workload template names. Passes " +
			"when it exists (the default ServiceAccount always does); not evaluated when the " +
			"inventory may not hold every ServiceAccount (manifests not declared complete, a kind " +
			"that could not be listed).",
		Severity: check.Medium,
		Remediation: "Create the ServiceAccount the workload names (with only the permissions it " +
			"needs), or correct serviceAccountName.",
		References: []string{refSATokens},
		Kinds:      append(slices.Clone(workloadKinds), inventory.KindServiceAccount),
		Depends:    serviceAccountDeps,
	}, runMissingServiceAccount)
}

func runMissingServiceAccount(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if mirrorPod(t) {
			pass.NotApplicable(t.Owner, staticPodNoServiceAccount)
			continue
		}
		ns, sa := t.Namespace(), serviceAccountName(t.Spec)
		if sa == "default" {
			pass.Pass(t.Owner, "runs as the default ServiceAccount, which the control plane creates in every namespace")
			continue
		}
		ref := fmt.Sprintf("ServiceAccount %s/%s", ns, sa)
		if lookup(inv, t.Owner, inventory.KindServiceAccount, ns, sa) != nil {
			pass.Passf(t.Owner, "runs as %s, which exists", ref)
			continue
		}
		switch unseen := inv.Unseen(inventory.KindServiceAccount); {
		case inv.Whole() && unseen == "":
			pass.Failf(t.Owner, t.Path+".serviceAccountName", "runs as %s, which does not exist: its pods cannot be "+
				"created, and whoever creates it chooses what they may do", ref)
		case inv.Whole():
			pass.NotEvaluatedf(t.Owner, "runs as %s, which is not in the inventory (%s)", ref, unseen)
		default:
			pass.NotEvaluatedf(t.Owner, "runs as %s, which the manifests do not hold: it may be defined elsewhere "+
				"(manifests declared the whole cluster would tell)", ref)
		}
	}
	return nil
}
