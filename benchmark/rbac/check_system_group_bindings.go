package rbac

// rbac:system-group-bindings
//
// Inspects: binding subjects that stand for everyone or for the RBAC bypass: the groups
// system:authenticated (every user and service account), system:unauthenticated (every
// anonymous request) and system:masters (members skip authorization, so a binding to it is
// at best pointless), and the user system:anonymous. The "subjects" parameter replaces this
// list (entries spelled "Group NAME", "User NAME", "ServiceAccount NS/NAME"). The discovery
// bindings every cluster has are on the allow-list.
// Passes: no binding outside the allow-list names one of these subjects.

import (
	"context"
	"fmt"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// ParamSubjects is the parameter of rbac:system-group-bindings listing the subjects to report.
const ParamSubjects = "subjects"

// broadSubjects are the subjects rbac:system-group-bindings reports by default.
var broadSubjects = []string{
	"Group " + authz.GroupAuthenticated,
	"Group " + authz.GroupUnauthenticated,
	"Group " + authz.GroupMasters,
	"User " + authz.AnonymousUserName,
}

// consequence says what binding b to subject s does.
func consequence(b *authz.Binding, s authz.Subject) string {
	switch {
	case s.Kind == authz.KindGroup && s.Name == authz.GroupAuthenticated:
		return "every authenticated user and service account holds its rules " + scopeOf(b)
	case s.Kind == authz.KindGroup && s.Name == authz.GroupUnauthenticated,
		s.Kind == authz.KindUser && s.Name == authz.AnonymousUserName:
		return "every unauthenticated request holds its rules " + scopeOf(b)
	case s.Kind == authz.KindGroup && s.Name == authz.GroupMasters:
		return "its members bypass authorization anyway, so the binding is pointless at best and hides who is meant to be an administrator"
	}
	return "everyone it stands for holds its rules " + scopeOf(b)
}

func systemGroupBindings(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:system-group-bindings",
		Title:    "Bindings to system:authenticated, system:unauthenticated, system:masters or system:anonymous",
		Severity: check.High,
		Description: "Reports every binding subject that is system:authenticated, system:unauthenticated, " +
			"system:masters or system:anonymous, outside the default discovery bindings: such a binding grants " +
			"its role to everyone, or to anyone who can reach the API.",
		Remediation: "Bind roles to specific users, groups or service accounts; add expected grants to the allow " +
			"parameter.",
		Section:    Section,
		Params:     allowParams(check.Param{Name: ParamSubjects, Type: check.ParamStringList, Description: "The subjects to report, as \"Group NAME\" or \"User NAME\" (default: the broad system groups and anonymous)."}),
		References: references,
		Kinds:      bindingKinds,
		Depends:    bindingDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params, ParamSubjects)
		if err != nil {
			return err
		}
		targets, err := stringList(pass.Params, ParamSubjects)
		if err != nil {
			return err
		}
		if targets == nil {
			targets = broadSubjects
		}
		e := c.get(pass.Inventory)
		fails := 0
		for _, b := range e.Bindings() {
			for i, s := range b.Subjects {
				if !slices.Contains(targets, s.String()) || allow.allows(b, s) {
					continue
				}
				fails++
				pass.Fail(b.Object, fmt.Sprintf("subjects[%d]", i), fmt.Sprintf("%s binds %s to %s: %s",
					b, b.RoleRefString(), s, consequence(b, s)))
			}
		}
		conclude(pass, pass.Inventory.Unseen(inventory.KindRoleBinding, inventory.KindClusterRoleBinding), fails,
			"no binding outside the allow-list names a system-wide group or the anonymous user")
		return ctx.Err()
	})
}
