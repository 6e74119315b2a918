package rbac

// rbac:wildcard-rules
//
// Inspects: the roles that bindings grant, for rules with "*" among their verbs, apiGroups or
// resources, or among their nonResourceURLs (every path the API server serves: /logs,
// /debug/pprof, ...) when a ClusterRoleBinding grants them. A wildcard grants today's and
// tomorrow's resources and verbs alike (custom resources, new subresources), far beyond what
// a subject was meant to have.
// Passes: no binding subject outside the allow-list is granted a rule with a wildcard.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// hasWildcard reports whether r has "*" among its verbs, apiGroups or resources, or, when
// clusterWide (a RoleBinding grants no non-resource URL), among its nonResourceURLs.
func hasWildcard(r *rbacv1.PolicyRule, clusterWide bool) bool {
	return slices.Contains(r.Verbs, rbacv1.VerbAll) || slices.Contains(r.APIGroups, rbacv1.APIGroupAll) ||
		slices.Contains(r.Resources, rbacv1.ResourceAll) ||
		clusterWide && slices.Contains(r.NonResourceURLs, rbacv1.NonResourceAll)
}

func wildcardRules(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:wildcard-rules",
		Title:    "Bound roles with wildcard rules",
		Severity: check.High,
		Description: `Reports every binding subject granted a role rule with "*" among its verbs, apiGroups or ` +
			`resources, or among its nonResourceURLs when a ClusterRoleBinding grants it.`,
		Remediation: "List the verbs, API groups and resources a subject needs instead of \"*\"; add expected " +
			"grants to the allow parameter.",
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
			if b.RoleStatus != authz.RoleFound {
				continue
			}
			var wild []string
			for i := range b.Role.Rules {
				if r := &b.Role.Rules[i]; hasWildcard(&r.PolicyRule, b.ClusterWide()) {
					wild = append(wild, r.String())
				}
			}
			if len(wild) == 0 {
				continue
			}
			for i, s := range b.Subjects {
				if !matchable(s) || allow.allows(b, s) {
					continue
				}
				fails++
				pass.Fail(b.Object, fmt.Sprintf("subjects[%d]", i), fmt.Sprintf("%s is granted wildcard rules %s (%s → %s → %s → %s)",
					s, scopeOf(b), s, b, b.Role.Ref(), strings.Join(wild, "; ")))
			}
		}
		conclude(pass, e.Incomplete(), fails, "no binding outside the allow-list grants a wildcard rule")
		return ctx.Err()
	})
}
