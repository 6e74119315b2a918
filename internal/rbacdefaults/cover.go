package rbacdefaults

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kspm-dev/kspm/inventory/rbac"
)

// coveredBy reports whether one of rules allows every request r allows.
func coveredBy(r *rbacv1.PolicyRule, rules []rbac.Rule) bool {
	return slices.ContainsFunc(rules, func(d rbac.Rule) bool { return covers(&d.PolicyRule, r) })
}

// covers reports whether rule d allows every request rule r allows, with the RBAC
// authorizer's matching (rbac.RuleAllows): each verb, API group, resource and non-resource
// URL of r is one of d's or falls under one of d's wildcards, and d restricts names no more
// than r. A rule r that allows nothing (no verb, or neither resources nor URLs) is covered.
func covers(d, r *rbacv1.PolicyRule) bool {
	resources := len(r.Resources) > 0 && len(r.APIGroups) > 0
	if len(r.Verbs) == 0 || !resources && len(r.NonResourceURLs) == 0 {
		return true
	}
	if !all(r.Verbs, func(v string) bool { return slices.Contains(d.Verbs, rbacv1.VerbAll) || slices.Contains(d.Verbs, v) }) {
		return false
	}
	if resources {
		if !all(r.APIGroups, func(g string) bool {
			return slices.Contains(d.APIGroups, rbacv1.APIGroupAll) || slices.Contains(d.APIGroups, g)
		}) || !all(r.Resources, func(res string) bool { return resourceCovered(d.Resources, res) }) {
			return false
		}
		if len(d.ResourceNames) > 0 &&
			(len(r.ResourceNames) == 0 || !all(r.ResourceNames, func(n string) bool { return slices.Contains(d.ResourceNames, n) })) {
			return false
		}
	}
	return all(r.NonResourceURLs, func(u string) bool { return urlCovered(d.NonResourceURLs, u) })
}

func all(xs []string, f func(string) bool) bool {
	for _, x := range xs {
		if !f(x) {
			return false
		}
	}
	return true
}

// resourceCovered reports whether every request the rule resource res matches is matched by
// one of ds: "*" covers everything, "*/sub" covers "*/sub" and "any/sub", and anything else
// covers itself.
func resourceCovered(ds []string, res string) bool {
	if slices.Contains(ds, rbacv1.ResourceAll) || slices.Contains(ds, res) {
		return true
	}
	if res == rbacv1.ResourceAll {
		return false
	}
	if i := strings.Index(res, "/"); i >= 0 {
		return slices.Contains(ds, "*"+res[i:])
	}
	return false
}

// urlCovered reports whether every path the rule URL u matches is matched by one of ds: "*"
// covers everything, "P*" covers any URL starting with P, and anything else covers itself.
func urlCovered(ds []string, u string) bool {
	for _, d := range ds {
		switch {
		case d == rbacv1.NonResourceAll, d == u:
			return true
		case strings.HasSuffix(d, "*") && strings.HasPrefix(u, strings.TrimRight(d, "*")):
			return true
		}
	}
	return false
}
