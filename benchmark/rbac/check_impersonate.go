package rbac

// rbac:impersonate
//
// Inspects: bindings whose role allows the impersonate verb on users, groups or
// serviceaccounts (core group) or uids (authentication.k8s.io), for any or some names. A
// subject that can impersonate acts as another user, group or service account, e.g. as a
// member of system:masters.
// Passes: no binding subject outside the allow-list holds the permission.

import (
	"github.com/kspm-dev/kspm/check"
)

func permImpersonate() permission {
	return permission{what: "impersonate users, groups, service accounts or UIDs",
		requests: requests([]string{"impersonate"}, "users", "groups", "serviceaccounts", "uids.authentication.k8s.io")}
}

func impersonate(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:impersonate",
		Title:    "Subjects that can impersonate users, groups or service accounts",
		Severity: check.Critical,
		Description: "Reports binding subjects allowed to impersonate users, groups, service accounts or UIDs: " +
			"they can act with anyone's permissions.",
		Remediation: "Remove impersonate from roles outside trusted proxies and administrators, or restrict it " +
			"with resourceNames; add expected grants to the allow parameter.",
	}, permImpersonate())
}
