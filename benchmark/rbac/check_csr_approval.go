package rbac

// rbac:csr-approval
//
// Inspects: subjects that can both update certificatesigningrequests/approval and approve
// for a signer (the approve verb on signers in certificates.k8s.io, for any or some signer
// names). Together they approve certificate requests, e.g. a client certificate for the
// kube-apiserver-client signer naming any user and group, system:masters included. A subject
// may hold one half through a group all its members are in (system:authenticated, or
// system:serviceaccounts for service accounts): it holds both all the same.
// Passes: no binding subject outside the allow-list holds both.

import (
	"context"
	"fmt"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory/authz"
)

func permCSRApprovalUpdate() permission {
	return permission{what: "update certificate signing request approvals",
		requests: requests([]string{"update", "patch"}, "certificatesigningrequests.certificates.k8s.io/approval")}
}

func permSignerApprove() permission {
	return permission{what: "approve for certificate signers", requests: requests([]string{"approve"}, "signers.certificates.k8s.io")}
}

// subjectHolds returns the first grant in h (holders of a permission) that the subject named
// by a binding holds. A user or service account holds what its identity holds, through its
// own bindings and those of the groups it is in (system:authenticated and, for a service
// account, system:serviceaccounts and system:serviceaccounts:NS). A group's members hold what
// the group holds and what every authenticated user holds (except system:unauthenticated's),
// and a service account group's members what system:serviceaccounts holds; a group stands for
// no user name, so only grants to groups count for it.
func subjectHolds(h heldBy, s authz.Subject) (authz.Grant, bool) {
	if u, ok := s.User(); ok {
		return h.first(u.Subjects())
	}
	if s.Kind != authz.KindGroup {
		return authz.Grant{}, false
	}
	groups := []authz.Subject{s}
	if s.Name != authz.GroupUnauthenticated {
		groups = append(groups, authz.Subject{Kind: authz.KindGroup, Name: authz.GroupAuthenticated})
	}
	if strings.HasPrefix(s.Name, authz.ServiceAccountGroupPrefix) {
		groups = append(groups, authz.Subject{Kind: authz.KindGroup, Name: authz.GroupServiceAccounts})
	}
	return h.first(groups)
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
		Params:     allowParams(),
		References: references,
		Kinds:      bindingKinds,
		Depends:    bindingDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params)
		if err != nil {
			return err
		}
		e := c.get(pass.Inventory)
		approval, signer := permCSRApprovalUpdate(), permSignerApprove()
		approvals, signers := holders(e, approval.requests, allow), holders(e, signer.requests, allow)
		fails := 0
		// Each binding subject that holds the approval half is judged on its binding; then
		// each subject not judged yet that holds the signer half (it may hold the approval
		// half only through a group), on the binding of that half.
		judged := make(map[authz.Subject]bool)
		judge := func(h *holding, viaApproval bool) {
			s := h.grant.Subject
			judged[s] = true
			ag, ok := subjectHolds(approvals, s)
			if !ok {
				return
			}
			sg, ok := subjectHolds(signers, s)
			if !ok {
				return
			}
			fails++
			half := fmt.Sprintf("update certificate signing request approvals %s (%s)", ag.Scope(), ag)
			if viaApproval {
				half = fmt.Sprintf("%s %s (%s)", h.actions(), h.grant.Scope(), h.chain())
			}
			pass.Fail(h.grant.Binding.Object, h.field(), fmt.Sprintf("%s can approve certificate signing requests: %s, and approve for signers %s (%s)",
				s, half, sg.Scope(), sg))
		}
		for _, h := range holdings(e, approval, allow) {
			judge(h, true)
		}
		for _, h := range holdings(e, signer, allow) {
			if !judged[h.grant.Subject] {
				judge(h, false)
			}
		}
		conclude(pass, e.Incomplete(), fails, "no subject outside the allow-list can approve certificate signing requests")
		return ctx.Err()
	})
}
