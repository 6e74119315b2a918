package rbac

// rbac:admission-write
//
// Inspects: bindings whose role allows create, update, patch or delete on admission
// configuration (admissionregistration.k8s.io): validating and mutating webhook
// configurations, ValidatingAdmissionPolicies and their bindings, and
// MutatingAdmissionPolicies and their bindings. Whoever writes them can switch off the
// policies that guard the cluster, or intercept and rewrite every object sent to the API.
// Passes: no binding subject outside the allow-list holds the permission.

import (
	"github.com/kspm-dev/kspm/check"
)

func permAdmissionWrite() permission {
	return permission{what: "write admission webhooks or admission policies",
		requests: requests([]string{"create", "update", "patch", "delete"},
			"validatingwebhookconfigurations.admissionregistration.k8s.io",
			"mutatingwebhookconfigurations.admissionregistration.k8s.io",
			"validatingadmissionpolicies.admissionregistration.k8s.io",
			"validatingadmissionpolicybindings.admissionregistration.k8s.io",
			"mutatingadmissionpolicies.admissionregistration.k8s.io",
			"mutatingadmissionpolicybindings.admissionregistration.k8s.io")}
}

func admissionWrite(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:admission-write",
		Title:    "Subjects that can change admission webhooks or admission policies",
		Severity: check.High,
		Description: "Reports binding subjects allowed to create, update, patch or delete webhook configurations " +
			"or admission policies and their bindings: they can disable policy enforcement or intercept objects.",
		Remediation: "Limit admission configuration to cluster administrators and the operators that own their " +
			"webhooks, with resourceNames; add expected grants to the allow parameter.",
	}, permAdmissionWrite())
}
