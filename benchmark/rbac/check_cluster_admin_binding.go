package rbac

// rbac:cluster-admin-binding
//
// Inspects: RoleBindings and ClusterRoleBindings whose roleRef is the ClusterRole
// cluster-admin. Each subject of such a binding can do anything (in the binding's namespace
// for a RoleBinding). The defaults every cluster has (system:masters, kubeadm's
// kubeadm:cluster-admins) are on the allow-list.
// Passes: no binding outside the allow-list binds cluster-admin.

import (
	"context"
	"fmt"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

func clusterAdminBinding(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:cluster-admin-binding",
		Title:    "cluster-admin bound outside the defaults",
		Severity: check.Critical,
		Description: "Reports every subject of a RoleBinding or ClusterRoleBinding to the cluster-admin " +
			"ClusterRole, except the bindings every cluster has by default.",
		Remediation: "Bind narrower roles; keep cluster-admin for break-glass accounts and add those to the allow " +
			"parameter.",
		Section:    Section,
		Params:     allowParams(),
		References: references,
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
			if b.RoleRef.Kind != authz.KindClusterRole || b.RoleRef.Name != authz.ClusterAdmin {
				continue
			}
			for i, s := range b.Subjects {
				if !matchable(s) || allow.allows(b, s) {
					continue
				}
				fails++
				pass.Fail(b.Object, fmt.Sprintf("subjects[%d]", i),
					fmt.Sprintf("%s can do anything %s (%s → %s → ClusterRole cluster-admin)", s, scopeOf(b), s, b))
			}
		}
		conclude(pass, pass.Inventory.Unseen(inventory.KindRoleBinding, inventory.KindClusterRoleBinding), fails,
			"no binding outside the allow-list grants cluster-admin")
		return ctx.Err()
	})
}

// matchable reports whether a binding subject can apply to anyone: a User, a Group, or a
// ServiceAccount with a namespace.
func matchable(s authz.Subject) bool {
	switch s.Kind {
	case authz.KindUser, authz.KindGroup:
		return true
	case authz.KindServiceAccount:
		return s.Namespace != ""
	}
	return false
}

// scopeOf returns "cluster-wide" or `in namespace "NS"` for a binding.
func scopeOf(b *authz.Binding) string {
	if b.ClusterWide() {
		return "cluster-wide"
	}
	return fmt.Sprintf("in namespace %q", b.Namespace)
}
