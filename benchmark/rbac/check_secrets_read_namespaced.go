package rbac

// rbac:secrets-read-namespaced
//
// Inspects: RoleBindings whose role allows get, list or watch on secrets (core group) for any
// name. Such a subject reads every secret of the binding's namespace, including the tokens
// and keys of the workloads there. Rules restricted by resourceNames are not reported.
// Passes: no RoleBinding subject outside the allow-list holds the permission.

import (
	"github.com/kspm-dev/kspm/check"
)

func secretsReadNamespaced(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:secrets-read-namespaced",
		Title:    "Subjects that can read every secret of a namespace",
		Severity: check.High,
		Description: "Reports RoleBinding subjects whose role allows get, list or watch on secrets in the " +
			"binding's namespace, so they can read every secret there.",
		Remediation: "Restrict secret access with resourceNames to the secrets a subject needs, or remove it; add " +
			"expected grants to the allow parameter.",
	}, permSecretsRead(namespacedOnly))
}
