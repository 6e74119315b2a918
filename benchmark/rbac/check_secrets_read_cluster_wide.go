package rbac

// rbac:secrets-read-cluster-wide
//
// Inspects: ClusterRoleBindings whose role allows get, list or watch on secrets (core group)
// for any name. Such a subject reads every secret of every namespace, including service
// account tokens and TLS keys. Rules restricted by resourceNames (reading named secrets) are
// not reported.
// Passes: no binding subject outside the allow-list holds the permission cluster-wide.

import (
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory/authz"
)

func permSecretsRead(scope permScope) permission {
	return permission{what: "read secrets", scope: scope, requests: []authz.Request{
		authz.MustParseRequest("get", "secrets"), authz.MustParseRequest("list", "secrets"), authz.MustParseRequest("watch", "secrets"),
	}}
}

func secretsReadClusterWide(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:secrets-read-cluster-wide",
		Title:    "Subjects that can read secrets in every namespace",
		Severity: check.Critical,
		Description: "Reports ClusterRoleBinding subjects whose role allows get, list or watch on secrets: " +
			"they can read every secret in the cluster, service account tokens and private keys included.",
		Remediation: "Bind read access to secrets with RoleBindings in the namespaces that need it, restrict it " +
			"with resourceNames to the secrets needed, or remove it; add expected grants to the allow parameter.",
	}, permSecretsRead(clusterWideOnly))
}
