package cis

import "github.com/kspm-dev/kspm/check"

// authControls are section 3.1 and 3.2.2: organisational controls that need a person's
// judgement. 3.2.1 (the audit policy flag) is with the API server controls.
func authControls() []control {
	return []control{
		{id: "3.1.1", title: "Avoid client certificates for human user authentication", level: l1, cisManual: true,
			severity: check.Medium, manual: true,
			what: "Client certificates cannot be revoked; review how people authenticate (certificate " +
				"signing requests and RBAC subjects only hint at it)",
			remediation: "Authenticate people through OIDC or another identity provider; keep client certificates for components and break-glass access."},
		{id: "3.1.2", title: "Avoid service account tokens for human users", level: l1, cisManual: true,
			severity: check.Medium, manual: true,
			what:        "Service account tokens are meant for workloads; review whether people use them",
			remediation: "Give people identities from an identity provider; do not hand out service account tokens to users."},
		{id: "3.1.3", title: "Avoid bootstrap tokens for user authentication", level: l1, cisManual: true,
			severity: check.Medium, manual: true,
			what:        "Bootstrap tokens (Secrets of type bootstrap.kubernetes.io/token in kube-system) are for joining nodes; review their use",
			remediation: "Use bootstrap tokens only to join nodes, with short lifetimes; delete expired or unused ones."},
		{id: "3.2.2", title: "Audit policy covers key security concerns", level: l2, cisManual: true,
			severity: check.Medium, manual: true,
			what: "Review the audit policy file (--audit-policy-file): it should record access to Secrets, " +
				"ConfigMaps and TokenReviews at Metadata level, changes to pods and RBAC, and exec/attach/portforward",
			remediation: "Extend the audit policy so that security-relevant requests are logged at the right level, without logging Secret contents."},
		{id: "5.3.1", title: "CNI plugin supports NetworkPolicy", level: l1, cisManual: true,
			severity: check.Medium, manual: true,
			what:        "Review whether the cluster's network plugin enforces NetworkPolicy objects (Calico, Cilium, Antrea and others do; flannel alone does not)",
			remediation: "Run a network plugin that enforces NetworkPolicy."},
		{id: "5.4.2", title: "Consider external secret storage", level: l2, cisManual: true,
			severity: check.Low, manual: true,
			what:        "Review whether secrets belong in an external store (through the External Secrets Operator or the Secrets Store CSI driver)",
			remediation: "Keep sensitive secrets in an external secret manager with auditing and rotation, and sync or mount them into the cluster."},
		{id: "5.6.1", title: "Use namespaces as administrative boundaries", level: l1, cisManual: true,
			severity: check.Low, manual: true,
			what:        "Review that teams and applications are separated by namespaces, with RBAC, quotas and network policies per namespace",
			remediation: "Create a namespace per team or application and scope access, quotas and network policies to it."},
	}
}
