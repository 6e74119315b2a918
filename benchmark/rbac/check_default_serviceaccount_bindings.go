package rbac

// rbac:default-serviceaccount-bindings
//
// Inspects: binding subjects that are a namespace's "default" service account (as a
// ServiceAccount subject, or as the User system:serviceaccount:NS:default). Every pod that
// names no service account runs as "default", so a role bound to it is handed to every such
// pod of the namespace.
// Passes: no binding outside the allow-list names a default service account.

import (
	"context"
	"fmt"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// defaultServiceAccountOf returns the namespace of the default service account subject s
// names, if it names one.
func defaultServiceAccountOf(s authz.Subject) (string, bool) {
	switch s.Kind {
	case authz.KindServiceAccount:
		return s.Namespace, s.Name == "default" && s.Namespace != ""
	case authz.KindUser:
		ns, name, ok := authz.SplitServiceAccountUsername(s.Name)
		return ns, ok && name == "default"
	}
	return "", false
}

func defaultServiceAccountBindings(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:default-serviceaccount-bindings",
		Title:    "Default service accounts with role bindings",
		Severity: check.Medium,
		Description: "Reports bindings that grant a role to a namespace's default service account, which every " +
			"pod without a serviceAccountName runs as.",
		Remediation: "Create a dedicated service account for the workload that needs the role, bind the role to " +
			"it, and set serviceAccountName in the workload.",
		Section:    Section,
		Params:     allowParams(),
		References: append([]string{"CIS Kubernetes Benchmark 5.1.5"}, references...),
		Kinds:      bindingKinds,
		Depends:    bindingDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params)
		if err != nil {
			return err
		}
		e := c.get(pass.Inventory)
		fails := 0
		for _, b := range e.Bindings() {
			for i, s := range b.Subjects {
				ns, ok := defaultServiceAccountOf(s)
				if !ok || allow.allows(b, s) {
					continue
				}
				fails++
				pass.Fail(b.Object, fmt.Sprintf("subjects[%d]", i), fmt.Sprintf(
					"%s binds %s to the default service account of namespace %q (%s): every pod there without a serviceAccountName gets it %s",
					b, b.RoleRefString(), ns, s, scopeOf(b)))
			}
		}
		conclude(pass, pass.Inventory.Unseen(inventory.KindRoleBinding, inventory.KindClusterRoleBinding), fails,
			"no binding outside the allow-list names a default service account")
		return ctx.Err()
	})
}
