package rbac

// rbac:missing-role
//
// Inspects: bindings whose roleRef names a Role or ClusterRole that does not exist, or can
// never resolve (a ClusterRoleBinding referencing a Role, an unknown kind). A dangling
// binding grants nothing today, but whoever later creates a role of that name hands its
// rules to the binding's subjects at once. In manifests, the built-in roles every cluster
// has (admin, edit, view, system:*) count as existing.
// Passes: every binding's role exists. Needs Roles, ClusterRoles and bindings completely
// known.

import (
	"context"
	"fmt"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory/authz"
)

func missingRole(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:missing-role",
		Title:    "Bindings that reference missing roles",
		Severity: check.Medium,
		Description: "Reports RoleBindings and ClusterRoleBindings whose role does not exist or cannot be " +
			"referenced: a role created later with that name is granted to their subjects at once.",
		Remediation: "Delete the binding, or create the role it was meant to reference.",
		Section:     Section,
		Params:      allowParams(),
		References:  references,
		Kinds:       bindingKinds,
		Depends:     bindingDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		if _, err := allowListFrom(pass.Params); err != nil {
			return err // the parameters every check of the benchmark takes, and no others
		}
		e := c.get(pass.Inventory)
		fails := 0
		for _, b := range e.Bindings() {
			switch b.RoleStatus {
			case authz.RoleMissing:
				fails++
				pass.Fail(b.Object, "roleRef", fmt.Sprintf("%s references %s, which does not exist: a role created later "+
					"with that name is granted %s to %s", b, b.RoleRefString(), scopeOf(b), subjectList(b)))
			case authz.RoleInvalid:
				fails++
				pass.Fail(b.Object, "roleRef", fmt.Sprintf("%s references %s: %s, so it grants nothing", b, b.RoleRefString(), b.RoleReason))
			}
		}
		conclude(pass, e.Unseen(), fails, "every binding references an existing role")
		return ctx.Err()
	})
}

// subjectList names a binding's subjects: "User a, Group b".
func subjectList(b *authz.Binding) string {
	if len(b.Subjects) == 0 {
		return "no subjects (yet)"
	}
	s := ""
	for i, x := range b.Subjects {
		if i > 0 {
			s += ", "
		}
		s += x.String()
	}
	return s
}
