package rbac

// rbac:bind-escalate
//
// Inspects: bindings whose role allows the bind or escalate verbs on roles or clusterroles
// (rbac.authorization.k8s.io), for any or some names. bind lets a subject create bindings to
// roles it does not hold; escalate lets it write roles with permissions it does not hold.
// Either defeats RBAC's escalation prevention. Both are asked as the API server asks them: bind
// on a ClusterRole in the namespace of the RoleBinding being written (so a Role granting it
// lets its subjects bind any ClusterRole, cluster-admin included, in their namespace), escalate
// on a ClusterRole cluster-wide (a RoleBinding cannot grant it), and both on Roles in the
// Role's namespace.
// Passes: no binding subject outside the allow-list holds either verb.

import (
	"github.com/kspm-dev/kspm/check"
)

func permBindEscalate() permission {
	return permission{what: "bind or escalate roles",
		requests: requests([]string{"bind", "escalate"}, "roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io")}
}

func bindEscalate(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:bind-escalate",
		Title:    "Subjects that can bind or escalate roles",
		Severity: check.Critical,
		Description: "Reports binding subjects allowed the bind or escalate verb on Roles or ClusterRoles: they " +
			"can grant themselves any permission.",
		Remediation: "Remove bind and escalate from roles outside the cluster's RBAC administrators; add expected " +
			"grants to the allow parameter.",
	}, permBindEscalate())
}
