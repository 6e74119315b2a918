package rbacdefaults

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kspm-dev/kspm/inventory/authz"
)

// coveredBy reports whether one of rules allows every request r allows.
func coveredBy(r *rbacv1.PolicyRule, rules []authz.Rule) bool {
	return slices.ContainsFunc(rules, func(d authz.Rule) bool { return covers(&d.PolicyRule, r) })
}

// covers reports whether rule d allows every request rule r allows. Each value of r, taken
// literally ("*" as the request for "*"), is a request: d allows them all exactly when each
// verb, API group, resource, name and URL of r is one of d's or falls under one of d's
// wildcards, since the authorizer's matching (authz.RuleAllows) lets a wildcard request value
// through only where d has the same wildcard. A rule r that allows nothing (no verb, or
// neither resources nor URLs) is covered.
func covers(d, r *rbacv1.PolicyRule) bool {
	for _, verb := range r.Verbs {
		for _, u := range r.NonResourceURLs {
			if !authz.RuleAllows(d, authz.NonResourceRequest(verb, u)) {
				return false
			}
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				req := authz.Request{Verb: verb, APIGroup: g, Resource: res, ResourceRequest: true}
				if i := strings.Index(res, "/"); i >= 0 {
					req.Resource, req.Subresource = res[:i], res[i+1:]
				}
				// A rule without names allows the requests that name nothing (list, create).
				names := r.ResourceNames
				if len(names) == 0 {
					names = []string{""}
				}
				for _, n := range names {
					if !authz.RuleAllows(d, req.Named(n)) {
						return false
					}
				}
			}
		}
	}
	return true
}
