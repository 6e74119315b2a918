package rbac

// rbac:missing-serviceaccount
//
// Inspects: binding subjects that name a service account (a ServiceAccount subject, or the
// User system:serviceaccount:NS:NAME) that does not exist. Whoever creates a service account
// of that name later, in that namespace, gets the binding's role at once. A ServiceAccount
// subject without a namespace in a ClusterRoleBinding, which matches no one, is reported too.
// In manifests, every namespace's "default" service account counts as existing; listed from a
// cluster, where every namespace has one, a missing default service account means its
// namespace is gone (deleted, and the bindings naming its service accounts were not).
// Passes: every service account a binding names exists. Needs ServiceAccounts completely
// known.

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// serviceAccountOf returns the service account subject s names, if it names one.
func serviceAccountOf(s authz.Subject) (ns, name string, ok bool) {
	switch s.Kind {
	case authz.KindServiceAccount:
		return s.Namespace, s.Name, true
	case authz.KindUser:
		return authz.SplitServiceAccountUsername(s.Name)
	}
	return "", "", false
}

func missingServiceAccount(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:missing-serviceaccount",
		Title:    "Bindings that name missing service accounts",
		Severity: check.Medium,
		Description: "Reports binding subjects naming a service account that does not exist: one created later " +
			"with that name inherits the binding's role.",
		Remediation: "Remove the subject from the binding (or delete the binding), or create the service account " +
			"it was meant for.",
		Section:    Section,
		Params:     allowParams(),
		References: references,
		Kinds:      bindingKinds,
		Depends:    missingServiceAccountDeps,
		Requires:   []schema.GroupKind{inventory.KindServiceAccount},
	}, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params)
		if err != nil {
			return err
		}
		inv := pass.Inventory
		e := c.get(inv)
		fails := 0
		for _, b := range e.Bindings() {
			for i, s := range b.Subjects {
				ns, name, ok := serviceAccountOf(s)
				if !ok || allow.allows(b, s) {
					continue
				}
				field := fmt.Sprintf("subjects[%d]", i)
				switch {
				case ns == "":
					fails++
					pass.Fail(b.Object, field, fmt.Sprintf("%s names ServiceAccount %q without a namespace: in a ClusterRoleBinding it matches no one", b, name))
				case inv.From(b.Object).Get(inventory.KindServiceAccount, ns, name) != nil:
				case name == "default" && inv.Mode() != inventory.ModeCluster:
					// Manifests seldom hold the default service accounts, which every
					// namespace has.
				case name == "default":
					// Listed from a cluster, every namespace shows its default service
					// account: the namespace is gone.
					fails++
					pass.Fail(b.Object, field, fmt.Sprintf("%s names ServiceAccount %s/default, which does not exist: namespace %q does not exist, "+
						"and a namespace created later with that name gets a default service account, and %s %s, at once",
						b, ns, ns, b.RoleRefString(), scopeOf(b)))
				default:
					fails++
					pass.Fail(b.Object, field, fmt.Sprintf("%s names ServiceAccount %s/%s, which does not exist: a service account "+
						"created later with that name gets %s %s", b, ns, name, b.RoleRefString(), scopeOf(b)))
				}
			}
		}
		conclude(pass, inv.Unseen(inventory.KindRoleBinding, inventory.KindClusterRoleBinding), fails,
			"every service account named by a binding exists")
		return ctx.Err()
	})
}
