package rbac

// rbac:workload-serviceaccount
//
// Inspects: every pod and workload template (inventory.PodTemplates), the service account it
// runs as (serviceAccountName, else the deprecated serviceAccount, else "default"), and what
// that service account may do, through its own bindings and those of its groups
// (system:serviceaccounts, system:serviceaccounts:NS, system:authenticated). A workload whose
// service account holds a risky permission hands it to anyone who compromises the workload.
// The risky permissions are those of this benchmark's permission checks: reading secrets,
// creating pods or pod controllers, exec/attach/port-forward/ephemeral containers, bind or
// escalate, impersonate, service account tokens, approving CSRs, nodes/proxy, writing
// admission configuration, creating PersistentVolumes. A template that mounts no token
// (automountServiceAccountToken false on the pod, or on the service account when the pod
// leaves it unset, and no projected service account token volume) is not reported. Of a
// service account the input defines in several places, the definition nearest the workload
// says whether it mounts a token; its permissions are what any of its bindings grants.
// Passes: no workload's service account holds a risky permission outside the allow-list.

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// podTemplateKinds are the kinds inventory.PodTemplates draws from.
var podTemplateKinds = inventory.PodTemplateKinds()

// riskyPermissions are the permissions whose holders rbac:workload-serviceaccount reports.
func riskyPermissions() []permission {
	return []permission{
		permSecretsRead(anywhere), permCreatePods(), permPodExec(), permBindEscalate(), permImpersonate(),
		permServiceAccountToken(), permNodesProxy(), permAdmissionWrite(), permCreatePersistentVolumes(),
	}
}

// serviceAccountName returns the service account a pod spec runs as.
func serviceAccountName(spec *corev1.PodSpec) string {
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount
	}
	return "default"
}

// mountsToken reports whether pods of spec get a token of their service account sa (nil
// when the service account is not in the inventory: assume the default, true).
func mountsToken(spec *corev1.PodSpec, sa *corev1.ServiceAccount) bool {
	for _, v := range spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.ServiceAccountToken != nil {
				return true
			}
		}
	}
	switch {
	case spec.AutomountServiceAccountToken != nil:
		return *spec.AutomountServiceAccountToken
	case sa != nil && sa.AutomountServiceAccountToken != nil:
		return *sa.AutomountServiceAccountToken
	}
	return true
}

// riskIndex answers, for many identities, which risky permissions each holds: the holders of
// each permission (and of each half of CSR approval) found once.
type riskIndex struct {
	perms            []permission
	held             []heldBy
	approval, signer heldBy
}

func newRiskIndex(e *authz.Engine, perms []permission, allow allowList) *riskIndex {
	x := &riskIndex{perms: perms, held: make([]heldBy, len(perms)),
		approval: holders(e, permCSRApprovalUpdate().requests, allow), signer: holders(e, permSignerApprove().requests, allow)}
	for i, p := range perms {
		x.held[i] = holders(e, p.requests, allow)
	}
	return x
}

// risks returns, for each risky permission u holds through grants the allow-list does not
// allow, "WHAT SCOPE (CHAIN)" naming the first such grant.
func (x *riskIndex) risks(u authz.User) []string {
	subjects := u.Subjects()
	var out []string
	for i, p := range x.perms {
		if g, ok := x.held[i].first(subjects); ok {
			out = append(out, fmt.Sprintf("%s %s (%s)", p.what, g.Scope(), g))
		}
	}
	// Approving CSRs takes both the approval update and approve on a signer.
	if a, ok := x.approval.first(subjects); ok {
		if s, ok := x.signer.first(subjects); ok {
			out = append(out, fmt.Sprintf("approve certificate signing requests (%s; %s)", a, s))
		}
	}
	return out
}

func workloadServiceAccount(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:workload-serviceaccount",
		Title:    "Workloads whose service account holds risky permissions",
		Severity: check.High,
		Description: "Reports pods and workload templates that mount a token of a service account able to read " +
			"secrets, create pods, exec into pods, bind or escalate roles, impersonate, create tokens, approve " +
			"CSRs, use nodes/proxy, change admission configuration or create PersistentVolumes.",
		Remediation: "Give the workload a service account with only the permissions it needs, or set " +
			"automountServiceAccountToken: false when it needs none.",
		Section:    Section,
		Params:     allowParams(),
		References: references,
		Kinds:      podTemplateKinds,
		Depends:    workloadServiceAccountDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params)
		if err != nil {
			return err
		}
		inv := pass.Inventory
		e, index := c.riskIndex(inv, allow)
		type saKey struct{ ns, name string }
		risks := make(map[saKey][]string)
		fails := 0
		for _, t := range pass.PodTemplates() {
			if err := ctx.Err(); err != nil {
				return err
			}
			k := saKey{t.Namespace(), serviceAccountName(t.Spec)}
			var sa *corev1.ServiceAccount
			if o := inv.From(t.Owner).Get(inventory.KindServiceAccount, k.ns, k.name); o != nil {
				sa, _ = o.Object().(*corev1.ServiceAccount)
			}
			if !mountsToken(t.Spec, sa) {
				continue
			}
			r, ok := risks[k]
			if !ok {
				r = index.risks(authz.ServiceAccountUser(k.ns, k.name))
				risks[k] = r
			}
			if len(r) == 0 {
				continue
			}
			fails++
			pass.Fail(t.Owner, t.Path+".serviceAccountName", fmt.Sprintf("%s runs as ServiceAccount %s/%s, which can %s",
				t.Owner, k.ns, k.name, strings.Join(r, "; ")))
		}
		incomplete := e.Incomplete()
		if u := workloadGaps(inv); u != "" {
			incomplete = joinReasons(incomplete, "workloads not completely known: "+u)
		}
		conclude(pass, incomplete, fails, "no workload runs as a service account holding a risky permission")
		return nil
	})
}

// workloadGaps says which workload kinds inv did not see completely, or "" when it saw them
// all (see inventory.Inventory.Gap).
func workloadGaps(inv *inventory.Inventory) string {
	return check.UnseenKinds(inv, podTemplateKinds...)
}

func joinReasons(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
