package rbac

// rbac:csr-approval
//
// Inspects: subjects that can both update certificatesigningrequests/approval and approve
// for a signer (the approve verb on signers in certificates.k8s.io, for any or some signer
// names). Together they approve certificate requests, e.g. a client certificate for the
// kube-apiserver-client signer naming any user and group, system:masters included.
// Passes: no binding subject outside the allow-list holds both.

import (
	"context"
	"fmt"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory/rbac"
)

func permCSRApprovalUpdate() permission {
	return permission{what: "update certificate signing request approvals",
		requests: requests([]string{"update", "patch"}, "certificatesigningrequests.certificates.k8s.io/approval")}
}

func permSignerApprove() permission {
	return permission{what: "approve for certificate signers", requests: requests([]string{"approve"}, "signers.certificates.k8s.io")}
}

// signerApprovals returns the grants that let the subject named by a binding approve for a
// signer: for a user or service account, every grant its identity holds; for a group, the
// grants bindings give that group.
func signerApprovals(e *rbac.Engine, s rbac.Subject, allow allowList) []rbac.Grant {
	var out []rbac.Grant
	keep := func(g rbac.Grant) {
		if !allow.allowsGrant(g) {
			out = append(out, g)
		}
	}
	for _, req := range permSignerApprove().requests {
		if u, ok := s.User(); ok {
			_, gs := e.CanAnywhere(u, req)
			for _, g := range gs {
				keep(g)
			}
			continue
		}
		for _, g := range e.WhoCanAnywhere(req) {
			if g.Subject == s {
				keep(g)
			}
		}
	}
	return out
}

func csrApproval(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:csr-approval",
		Title:    "Subjects that can approve certificate signing requests",
		Severity: check.Critical,
		Description: "Reports binding subjects that can update certificatesigningrequests/approval and hold the " +
			"approve verb on a signer: they can approve certificates for any identity the signer issues.",
		Remediation: "Leave CSR approval to the controllers that need it, restricting signers by resourceNames; " +
			"add expected grants to the allow parameter.",
		Section:    Section,
		References: references,
		Kinds:      bindingKinds,
	}, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params)
		if err != nil {
			return err
		}
		e := c.get(pass.Inventory)
		fails := 0
		for _, h := range holdings(e, permCSRApprovalUpdate(), allow) {
			signers := signerApprovals(e, h.grant.Subject, allow)
			if len(signers) == 0 {
				continue
			}
			fails++
			sg := signers[0]
			pass.Fail(h.grant.Binding.Object, h.field(), fmt.Sprintf("%s can approve certificate signing requests: %s %s (%s), and approve for signers %s (%s)",
				h.grant.Subject, h.actions(), h.grant.Scope(), h.chain(), sg.Scope(), sg))
		}
		conclude(pass, e.Complete(), fails, "no subject outside the allow-list can approve certificate signing requests")
		return ctx.Err()
	})
}
