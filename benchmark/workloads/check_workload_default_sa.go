// workloads:workload-default-sa inspects the ServiceAccount and token mounting of every pod template.
// A pod that runs as its namespace's default ServiceAccount (serviceAccountName unset or
// "default") mounts that account's API token unless the pod spec, or else the ServiceAccount,
// sets automountServiceAccountToken: false; the pod spec's setting wins when it has one.
// Whatever that setting, a projected volume with a serviceAccountToken source for the API
// server's audience (no audience set) mounts the token too; a token for another audience
// (a service mesh's) does not count, since the API server rejects it.
// It passes when the pod runs as another ServiceAccount, or as the default one without
// mounting its token. It fails when the token is mounted. When the pod spec leaves the choice
// to the default ServiceAccount and that object is not in the inventory (manifests rarely hold
// it; a cluster scan may be forbidden to list it), the verdict is notEvaluated. Of a
// ServiceAccount the input defines in several places, the definition nearest the workload
// decides (see inventory.View).

package workloads

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// WorkloadDefaultSA returns the check workloads:workload-default-sa: no workload runs as the default
// ServiceAccount with its token mounted.
func WorkloadDefaultSA() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:workload-default-sa",
		Section: Section,
		Title:   "Workloads do not mount the default ServiceAccount's token",
		Description: "The default ServiceAccount is shared by every pod of the namespace that names " +
			"no other, so RBAC granted to it for one workload is granted to all, and its token is " +
			"mounted into each of them. Inspects serviceAccountName and " +
			"automountServiceAccountToken of every pod and workload template, and of the " +
			"namespace's default ServiceAccount when the pod spec does not decide. Passes when the " +
			"pod runs as another ServiceAccount or does not mount the default one's token.",
		Severity: check.Medium,
		Remediation: "Give the workload its own ServiceAccount (serviceAccountName) with only the " +
			"permissions it needs, or set automountServiceAccountToken: false in the pod spec " +
			"when it does not call the API.",
		References: []string{refSATokens, refCIS + " 5.1.6"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    serviceAccountDeps,
	}, runWorkloadDefaultSA)
}

func runWorkloadDefaultSA(ctx context.Context, pass *check.Pass) error {
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
		if sa := serviceAccountName(t.Spec); sa != "default" {
			pass.Pass(t.Owner, fmt.Sprintf("runs as ServiceAccount %q", sa))
			continue
		}
		if f, vol, ok := projectedAPIToken(t); ok {
			pass.Fail(t.Owner, f, fmt.Sprintf("runs as the default ServiceAccount, and volume %q projects a token of the "+
				"default ServiceAccount for the API server, whatever automountServiceAccountToken says", vol))
			continue
		}
		field := t.Path + ".automountServiceAccountToken"
		if a := t.Spec.AutomountServiceAccountToken; a != nil {
			if *a {
				pass.Fail(t.Owner, field, "runs as the default ServiceAccount and mounts its token (automountServiceAccountToken: true in the pod spec)")
			} else {
				pass.Pass(t.Owner, "runs as the default ServiceAccount without mounting its token (automountServiceAccountToken: false in the pod spec)")
			}
			continue
		}
		saName := "default"
		if ns := t.Namespace(); ns != "" {
			saName = ns + "/default"
		}
		o := lookup(inv, t.Owner, inventory.KindServiceAccount, t.Namespace(), "default")
		if o == nil && inv.Whole() && inv.Mode() != inventory.ModeCluster && inv.Unseen(inventory.KindServiceAccount) == "" {
			// Manifests declared complete hold no default ServiceAccount: the control plane
			// creates it in every namespace, without automountServiceAccountToken.
			pass.Fail(t.Owner, field, fmt.Sprintf("runs as the default ServiceAccount and mounts its token "+
				"(automountServiceAccountToken is not set in the pod spec, and ServiceAccount %s, which the manifests "+
				"declared complete do not hold, is created by the control plane without it)", saName))
			continue
		}
		if o == nil {
			reason := fmt.Sprintf("runs as the default ServiceAccount and its pod spec does not set automountServiceAccountToken, "+
				"so whether the token is mounted depends on ServiceAccount %s, which is not in the inventory", saName)
			if unseen := inv.Unseen(inventory.KindServiceAccount); unseen != "" {
				reason += " (" + unseen + ")"
			}
			pass.NotEvaluated(t.Owner, reason)
			continue
		}
		sa, ok := o.Object().(*corev1.ServiceAccount)
		if !ok {
			return fmt.Errorf("%s: unexpected type %T", o, o.Object())
		}
		if a := sa.AutomountServiceAccountToken; a != nil && !*a {
			pass.Pass(t.Owner, fmt.Sprintf("runs as the default ServiceAccount, and ServiceAccount %s does not automount its token", saName))
			continue
		}
		pass.Fail(t.Owner, field, fmt.Sprintf("runs as the default ServiceAccount and mounts its token "+
			"(automountServiceAccountToken is set to false neither in the pod spec nor in ServiceAccount %s)", saName))
	}
	return nil
}

// projectedAPIToken finds a projected volume source of t that mounts a token of the pod's
// ServiceAccount for the API server (no audience, which means the API server's): the volume the
// API server injects when it automounts, or one written by hand. It returns the source's field
// path and the volume's name. A token for another audience (a service mesh's, a vault's) is
// not accepted by the API server and does not count.
func projectedAPIToken(t inventory.PodTemplate) (field, volume string, ok bool) {
	for i, v := range t.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for j, src := range v.Projected.Sources {
			if src.ServiceAccountToken != nil && src.ServiceAccountToken.Audience == "" {
				return fmt.Sprintf("%s.volumes[%d].projected.sources[%d].serviceAccountToken", t.Path, i, j), v.Name, true
			}
		}
	}
	return "", "", false
}

// serviceAccountName returns the ServiceAccount the pod runs as: serviceAccountName, else the
// deprecated serviceAccount, else "default".
func serviceAccountName(spec *corev1.PodSpec) string {
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount
	}
	return "default"
}
