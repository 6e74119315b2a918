package rbac

// rbac:serviceaccount-token
//
// Inspects: bindings whose role allows creating serviceaccounts/token (the TokenRequest
// API), for any or some service accounts. Such a subject mints tokens for those service
// accounts and acts with their permissions.
// Passes: no binding subject outside the allow-list holds the permission.

import (
	"github.com/kspm-dev/kspm/check"
)

func permServiceAccountToken() permission {
	return permission{what: "create service account tokens", requests: requests([]string{"create"}, "serviceaccounts/token")}
}

func serviceAccountToken(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:serviceaccount-token",
		Title:    "Subjects that can create service account tokens",
		Severity: check.High,
		Description: "Reports binding subjects allowed to create serviceaccounts/token: they can obtain a token " +
			"for a service account and use its permissions.",
		Remediation: "Restrict serviceaccounts/token to the components that issue tokens, with resourceNames; " +
			"add expected grants to the allow parameter.",
	}, permServiceAccountToken())
}
