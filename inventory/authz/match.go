package authz

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// RuleAllows reports whether rule allows req, with the API server's RBAC semantics (see the
// package documentation). The request's namespace plays no part: which rules apply in a
// namespace is the binding's business.
func RuleAllows(rule *rbacv1.PolicyRule, req Request) bool {
	if !verbMatches(rule, req.Verb) {
		return false
	}
	if !req.ResourceRequest {
		return nonResourceURLMatches(rule, req.Path)
	}
	return apiGroupMatches(rule, req.APIGroup) &&
		resourceMatches(rule, req.Resource, req.Subresource) &&
		(req.AnyName && req.Name == "" || resourceNameMatches(rule, req.Name))
}

func verbMatches(rule *rbacv1.PolicyRule, verb string) bool {
	for _, v := range rule.Verbs {
		if v == rbacv1.VerbAll || v == verb {
			return true
		}
	}
	return false
}

func apiGroupMatches(rule *rbacv1.PolicyRule, group string) bool {
	for _, g := range rule.APIGroups {
		if g == rbacv1.APIGroupAll || g == group {
			return true
		}
	}
	return false
}

// resourceMatches matches "*", the exact "resource" or "resource/subresource", and
// "*/subresource" for a request with that subresource.
func resourceMatches(rule *rbacv1.PolicyRule, resource, subresource string) bool {
	combined := resource
	if subresource != "" {
		combined = resource + "/" + subresource
	}
	for _, r := range rule.Resources {
		switch {
		case r == rbacv1.ResourceAll, r == combined:
			return true
		case subresource != "" && len(r) == len(subresource)+2 && strings.HasPrefix(r, "*/") && r[2:] == subresource:
			return true
		}
	}
	return false
}

// resourceNameMatches: a rule without resourceNames matches any name (and none); a rule
// with resourceNames matches only a request naming one of them.
func resourceNameMatches(rule *rbacv1.PolicyRule, name string) bool {
	if len(rule.ResourceNames) == 0 {
		return true
	}
	for _, n := range rule.ResourceNames {
		if n == name {
			return true
		}
	}
	return false
}

// nonResourceURLMatches matches "*", the exact path, or a prefix ending in "*".
func nonResourceURLMatches(rule *rbacv1.PolicyRule, path string) bool {
	for _, u := range rule.NonResourceURLs {
		switch {
		case u == rbacv1.NonResourceAll, u == path:
			return true
		case strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimRight(u, "*")):
			return true
		}
	}
	return false
}
