// workloads:default-sa-automount inspects the ServiceAccount named "default" of every namespace. It
// passes when the ServiceAccount sets automountServiceAccountToken: false; unset (which means
// true) or true fails. Only ServiceAccount objects in the inventory are judged; when
// ServiceAccounts could not be listed completely from a cluster, one notEvaluated result says so.
// From manifests, a Namespace whose default ServiceAccount the input does not define is
// notEvaluated: the control plane creates it without the setting, so it automounts unless
// something outside the input sets it.

package workloads

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// DefaultSAAutomount returns the check workloads:default-sa-automount: default ServiceAccounts do not
// automount their token.
func DefaultSAAutomount() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:default-sa-automount",
		Section: Section,
		Title:   "Default ServiceAccounts do not automount API tokens",
		Description: "Every pod that names no ServiceAccount runs as its namespace's default " +
			"ServiceAccount, and by default gets an API token for it mounted, whether it talks to " +
			"the API or not; anything that compromises the pod gets the token and whatever RBAC " +
			"grants it. Inspects every ServiceAccount named default. Passes when it sets " +
			"automountServiceAccountToken: false. In manifests, a Namespace whose default ServiceAccount " +
			"the input does not define is not evaluated: the control plane creates that ServiceAccount " +
			"without the setting (so it automounts) unless something else defines or patches it.",
		Severity: check.Medium,
		Remediation: "Set automountServiceAccountToken: false on the default ServiceAccount of " +
			"every namespace, and give pods that need the API a ServiceAccount of their own.",
		References: []string{refSATokens, refCIS + " 5.1.5"},
		Kinds:      []schema.GroupKind{inventory.KindServiceAccount, inventory.KindNamespace},
		Depends:    defaultSADeps,
	}, runDefaultSAAutomount)
}

func runDefaultSAAutomount(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, inventory.KindServiceAccount)
	for _, o := range pass.Objects(inventory.KindServiceAccount) {
		if err := ctx.Err(); err != nil {
			return err
		}
		sa, ok := o.Object().(*corev1.ServiceAccount)
		if !ok || sa.Name != "default" {
			continue
		}
		switch a := sa.AutomountServiceAccountToken; {
		case a == nil:
			pass.Fail(o, "automountServiceAccountToken", "does not set automountServiceAccountToken, so pods that use it mount its token")
		case *a:
			pass.Fail(o, "automountServiceAccountToken", "sets automountServiceAccountToken: true, so pods that use it mount its token")
		default:
			pass.Pass(o, "sets automountServiceAccountToken: false")
		}
	}
	if pass.Inventory.Mode() != inventory.ModeManifests {
		return nil // a cluster lists every namespace's default ServiceAccount
	}
	// Manifests may declare a Namespace and leave its default ServiceAccount to the control
	// plane, which creates it without automountServiceAccountToken: its pods then mount the
	// token, unless something outside the input sets it. Unknown, not "nothing to check".
	for _, o := range pass.Objects(inventory.KindNamespace) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pass.Inventory.From(o).Get(inventory.KindServiceAccount, o.Name(), "default") == nil {
			pass.NotEvaluatedf(o, "its default ServiceAccount is not in the input: the control plane creates it without "+
				"automountServiceAccountToken, so pods that use it mount its token unless something outside the input "+
				"sets it; define it here with automountServiceAccountToken: false")
		}
	}
	return nil
}
