package cis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/rbacdefaults"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// whoCanControl is a 5.1 control that asks who holds some permissions.
type whoCanControl struct {
	id, title string
	severity  check.Severity
	// requests are the permissions asked about, in any namespace.
	requests []authz.Request
	// everyone restricts the question to grants to everyone (any authenticated user, any
	// service account, anonymous requests); otherwise every subject is reported except
	// system:masters (see 5.1.7) and what the API server's bootstrap policy itself grants
	// (see defaultGrant).
	everyone  bool
	what, fix string
}

func req(verb, resource string) authz.Request { return authz.MustParseRequest(verb, resource) }

func reqs(verbs []string, resources ...string) []authz.Request {
	var out []authz.Request
	for _, r := range resources {
		for _, v := range verbs {
			out = append(out, req(v, r))
		}
	}
	return out
}

// rbacControls are section 5.1.
func rbacControls() []control {
	wcs := []whoCanControl{
		{id: "5.1.2", title: "Minimize get/list/watch access to Secrets", severity: check.High, everyone: true,
			requests: reqs([]string{"get", "list", "watch"}, "secrets"),
			what:     "fails for each binding that lets every authenticated user, every service account or anonymous requests get, list or watch Secrets",
			fix:      "Remove the binding, or bind the role to the specific users and service accounts that need to read Secrets."},
		{id: "5.1.4", title: "Minimize permission to create pods", severity: check.High, everyone: true,
			requests: reqs([]string{"create"}, "pods"),
			what:     "fails for each binding that lets every authenticated user, every service account or anonymous requests create pods",
			fix:      "Remove the binding, or bind the role only to the subjects that must create pods."},
		{id: "5.1.8", title: "Limit bind, impersonate and escalate verbs", severity: check.High,
			requests: append(append(reqs([]string{"bind", "escalate"}, "roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io"),
				reqs([]string{"impersonate"}, "users", "groups", "serviceaccounts")...),
				req("impersonate", "uids.authentication.k8s.io"), req("impersonate", "userextras.authentication.k8s.io")),
			what: "fails for each subject granted bind or escalate on roles, or impersonate",
			fix:  "Remove bind, escalate and impersonate from roles bound to subjects that do not administer RBAC."},
		{id: "5.1.9", title: "Minimize permission to create PersistentVolumes", severity: check.High,
			requests: reqs([]string{"create"}, "persistentvolumes"),
			what:     "fails for each subject that can create PersistentVolumes (a hostPath volume reaches the node)",
			fix:      "Grant create on persistentvolumes only to storage administrators; let workloads use PersistentVolumeClaims."},
		{id: "5.1.10", title: "Minimize access to the nodes/proxy subresource", severity: check.High,
			requests: reqs([]string{"get", "create", "update", "patch", "delete"}, "nodes/proxy"),
			what:     "fails for each subject with access to nodes/proxy (the kubelet API, including exec)",
			fix:      "Remove nodes/proxy from roles; monitoring can read metrics through nodes/metrics instead."},
		{id: "5.1.11", title: "Minimize CSR approval permissions", severity: check.High,
			requests: append(reqs([]string{"update", "patch"}, "certificatesigningrequests.certificates.k8s.io/approval"),
				req("approve", "signers.certificates.k8s.io")),
			what: "fails for each subject that can approve certificate signing requests",
			fix:  "Grant update on certificatesigningrequests/approval and approve on signers only to the CSR approvers that need it."},
		{id: "5.1.12", title: "Minimize access to admission webhook configurations", severity: check.High,
			requests: reqs([]string{"create", "update", "patch", "delete"},
				"validatingwebhookconfigurations.admissionregistration.k8s.io", "mutatingwebhookconfigurations.admissionregistration.k8s.io"),
			what: "fails for each subject that can change admission webhook configurations",
			fix:  "Grant write access to webhook configurations only to the cluster administrators and the controllers that own them."},
		{id: "5.1.13", title: "Minimize permission to create service account tokens", severity: check.High,
			requests: reqs([]string{"create"}, "serviceaccounts/token"),
			what:     "fails for each subject that can create service account tokens",
			fix:      "Remove create on serviceaccounts/token from roles bound to subjects that do not mint tokens."},
	}
	cs := []control{
		{id: "5.1.1", title: "Use cluster-admin role only where strictly needed", level: l1, cisManual: true, severity: check.High,
			what: "Reads ClusterRoleBindings to the cluster-admin ClusterRole: each fails for every subject other than " +
				"those of the API server's own binding (ClusterRoleBinding cluster-admin to the group system:masters), " +
				"recognised by its content, not its name or labels",
			remediation: "Bind cluster-admin only where it is truly needed; give other subjects a role with the " +
				"permissions they use, then delete the extra ClusterRoleBinding.",
			kinds: []schema.GroupKind{inventory.KindClusterRoleBinding}, requires: []schema.GroupKind{inventory.KindClusterRoleBinding},
			run: runClusterAdmin, depends: rbacDeps},
		{id: "5.1.3", title: "Minimize wildcards in Roles and ClusterRoles", level: l1, cisManual: true, severity: check.Medium,
			what: "Reads every Role and ClusterRole: fails when a rule has \"*\" in apiGroups, resources, verbs or " +
				"nonResourceURLs, unless the rule allows nothing beyond a rule of the API server's default role of " +
				"that name (so the default roles that need wildcards pass, and an edited one fails)",
			remediation: "Replace wildcards with the API groups, resources and verbs the subject uses.",
			kinds:       []schema.GroupKind{inventory.KindRole, inventory.KindClusterRole},
			requires:    []schema.GroupKind{inventory.KindRole, inventory.KindClusterRole},
			run:         runWildcards,
			depends:     rolesDeps},
		{id: "5.1.5", title: "Default service accounts do not automount tokens", level: l1, cisManual: true, severity: check.Medium,
			what: "Reads every ServiceAccount named default: passes when automountServiceAccountToken is false (unset " +
				"fails). In manifests, a Namespace whose default ServiceAccount the input does not define is not evaluated " +
				"(the control plane creates it, and it automounts)",
			remediation: "Set automountServiceAccountToken: false on each namespace's default ServiceAccount; give " +
				"workloads that call the API a service account of their own.",
			kinds:    []schema.GroupKind{inventory.KindServiceAccount, inventory.KindNamespace},
			requires: []schema.GroupKind{inventory.KindServiceAccount},
			run:      runDefaultServiceAccounts, depends: defaultServiceAccountDeps},
		{id: "5.1.6", title: "Mount service account tokens only where needed", level: l1, cisManual: true, severity: check.Medium,
			what: "Reads every pod specification: passes when no token is mounted (automountServiceAccountToken false on " +
				"the pod, or false on its service account and not true on the pod)",
			remediation: "Set automountServiceAccountToken: false on pods (or their service accounts) that do not call the API.",
			kinds:       podKinds,
			run:         runTokenMounts,
			depends:     tokenMountDeps},
		{id: "5.1.7", title: "Avoid use of the system:masters group", level: l1, cisManual: true, severity: check.High,
			what: "Reads every RoleBinding and ClusterRoleBinding: fails for each that names the group system:masters " +
				"(except the API server's own cluster-admin binding, recognised by its content). Membership through " +
				"client certificates (O=system:masters) is not visible",
			remediation: "Remove system:masters from bindings and do not issue certificates with O=system:masters " +
				"except for break-glass access; grant administrators a ClusterRole through RBAC instead.",
			kinds:    []schema.GroupKind{inventory.KindRoleBinding, inventory.KindClusterRoleBinding},
			requires: []schema.GroupKind{inventory.KindRoleBinding, inventory.KindClusterRoleBinding},
			run:      runSystemMasters,
			depends:  rbacDeps},
	}
	for _, wc := range wcs {
		what := "Asks the RBAC rules who can " + describeRequests(wc.requests) + ": " + wc.what
		if !wc.everyone {
			what += ", except system:masters and what the API server's default bindings grant by design " +
				"(recognised by their exact binding, subjects and role rules, not by names or labels)"
		}
		cs = append(cs, control{id: wc.id, title: wc.title, level: l1, cisManual: true, severity: wc.severity,
			what:        what,
			remediation: wc.fix,
			kinds:       []schema.GroupKind{inventory.KindRoleBinding, inventory.KindClusterRoleBinding},
			run:         runWhoCan(wc),
			depends:     rbacDeps})
	}
	return cs
}

func describeRequests(rs []authz.Request) string {
	var parts []string
	for _, r := range rs {
		s := r.Verb + " " + r.GroupResource()
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// everyoneSubject reports subjects that stand for every user or every service account.
func everyoneSubject(s authz.Subject) bool {
	switch s.Kind {
	case authz.KindGroup:
		return s.Name == authz.GroupAuthenticated || s.Name == authz.GroupUnauthenticated || s.Name == authz.GroupServiceAccounts
	case authz.KindUser:
		return s.Name == authz.AnonymousUserName
	}
	return false
}

// rbacEngines shares one RBAC engine among the 5.1 checks of a scan.
var rbacEngines memo[*authz.Engine]

// defaultGrant reports a grant of req to system:masters, or one the API server's bootstrap
// policy itself makes: the grant's binding has the kind, name, role and subject of a default
// binding, and the default role allows req. Defaults are recognised by content: a binding
// named or labelled like a default one, or a default role edited to grant more, is not
// default.
func defaultGrant(g authz.Grant, req authz.Request) bool {
	if g.Subject.Kind == authz.KindGroup && g.Subject.Name == authz.GroupMasters {
		return true
	}
	return rbacdefaults.APIServer().Grants(g, req)
}

func runWhoCan(wc whoCanControl) check.RunFunc {
	return func(ctx context.Context, pass *check.Pass) error {
		e := rbacEngines.get(pass.Inventory, authz.New)
		type key struct {
			binding *inventory.Object
			subject authz.Subject
		}
		perms := make(map[key][]string)
		scopes := make(map[key]string)
		var order []key
		for _, r := range wc.requests {
			if err := ctx.Err(); err != nil {
				return err
			}
			for _, g := range e.WhoCanAnywhere(r) {
				report := everyoneSubject(g.Subject)
				if !wc.everyone {
					report = !defaultGrant(g, r)
				}
				if !report || g.Binding.Object == nil {
					continue
				}
				k := key{g.Binding.Object, g.Subject}
				p := r.Verb + " " + r.GroupResource()
				if _, ok := perms[k]; !ok {
					order = append(order, k)
					scopes[k] = g.Scope() + " through " + g.Role.String()
				}
				if !slices.Contains(perms[k], p) {
					perms[k] = append(perms[k], p)
				}
			}
		}
		for _, k := range order {
			pass.Failf(k.binding, "subjects", "%s can %s (%s)", k.subject, strings.Join(perms[k], ", "), scopes[k])
		}
		if len(order) > 0 {
			return nil
		}
		if reason := e.Incomplete(); reason != "" {
			pass.NotEvaluated(nil, reason)
			return nil
		}
		if wc.everyone {
			pass.Pass(nil, "no binding grants this to every user, every service account or anonymous requests")
		} else {
			pass.Pass(nil, "only the API server's default bindings grant this")
		}
		return nil
	}
}

func runClusterAdmin(_ context.Context, pass *check.Pass) error {
	defaults := rbacdefaults.APIServer()
	found := false
	for _, b := range rbacEngines.get(pass.Inventory, authz.New).Bindings() {
		if !b.ClusterWide() || b.RoleRef.Kind != authz.KindClusterRole || b.RoleRef.Name != authz.ClusterAdmin {
			continue
		}
		found = true
		if len(b.Subjects) == 0 {
			pass.Fail(b.Object, "subjects", "binds cluster-admin to no subjects")
			continue
		}
		field := ""
		var others []string
		for i, s := range b.Subjects {
			if !defaults.Binds(b, s) {
				if field == "" {
					field = fmt.Sprintf("subjects[%d]", i)
				}
				others = append(others, s.String())
			}
		}
		if len(others) == 0 {
			pass.Pass(b.Object, "the API server's own cluster-admin binding")
			continue
		}
		pass.Failf(b.Object, field, "binds cluster-admin to %s", strings.Join(others, ", "))
	}
	if !found {
		pass.Pass(nil, "no ClusterRoleBinding grants cluster-admin")
	}
	return nil
}

// runWildcards judges each role's rules that hold wildcards. A rule of a role named like one
// of the API server's default roles passes when it allows nothing beyond one rule of that
// default role: the default roles that need wildcards (cluster-admin, several controllers)
// pass, and one edited to hold other wildcards fails.
func runWildcards(_ context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	defaults := rbacdefaults.APIServer()
	judge := func(o *inventory.Object, kind string, rules []rbacv1.PolicyRule) {
		var found, defaultFound []string
		field := ""
		for i, r := range rules {
			isDefault := defaults.DefaultRule(kind, o.Namespace(), o.Name(), &r)
			for _, part := range []struct {
				name string
				vals []string
			}{{"apiGroups", r.APIGroups}, {"resources", r.Resources}, {"verbs", r.Verbs}, {"nonResourceURLs", r.NonResourceURLs}} {
				for _, v := range part.vals {
					if v != "*" && !strings.HasPrefix(v, "*/") {
						continue
					}
					w := fmt.Sprintf("rules[%d].%s %q", i, part.name, v)
					if isDefault {
						defaultFound = append(defaultFound, w)
						continue
					}
					if field == "" {
						field = fmt.Sprintf("rules[%d].%s", i, part.name)
					}
					found = append(found, w)
				}
			}
		}
		switch {
		case len(found) > 0:
			pass.Fail(o, field, "wildcards: "+strings.Join(found, ", "))
		case len(defaultFound) > 0:
			pass.Pass(o, "wildcards as in the API server's default role of this name: "+strings.Join(defaultFound, ", "))
		default:
			pass.Pass(o, "")
		}
	}
	for _, o := range pass.Objects(inventory.KindClusterRole) {
		if cr, ok := o.Object().(*rbacv1.ClusterRole); ok {
			judge(o, authz.KindClusterRole, cr.Rules)
		}
	}
	for _, o := range pass.Objects(inventory.KindRole) {
		if r, ok := o.Object().(*rbacv1.Role); ok {
			judge(o, authz.KindRole, r.Rules)
		}
	}
	if len(inv.ByKind(inventory.KindClusterRole))+len(inv.ByKind(inventory.KindRole)) == 0 {
		pass.Pass(nil, "no Role or ClusterRole")
	}
	return nil
}

func runDefaultServiceAccounts(_ context.Context, pass *check.Pass) error {
	found := false
	for _, o := range pass.Objects(inventory.KindServiceAccount) {
		sa, ok := o.Object().(*corev1.ServiceAccount)
		if !ok || sa.Name != "default" {
			continue
		}
		found = true
		switch {
		case sa.AutomountServiceAccountToken == nil:
			pass.Fail(o, "automountServiceAccountToken", "automountServiceAccountToken is not set: pods mount its token by default")
		case *sa.AutomountServiceAccountToken:
			pass.Fail(o, "automountServiceAccountToken", "automountServiceAccountToken is true")
		default:
			pass.Pass(o, "automountServiceAccountToken is false")
		}
	}
	if pass.Inventory.Mode() != inventory.ModeManifests {
		if !found {
			pass.NotApplicable(nil, "no default ServiceAccount in the cluster")
		}
		return nil
	}
	// Manifests that leave a namespace's default ServiceAccount to the control plane get one
	// without automountServiceAccountToken, which automounts: unknown, not "nothing to check".
	missing := false
	for _, o := range pass.Objects(inventory.KindNamespace) {
		if pass.Inventory.From(o).Get(inventory.KindServiceAccount, o.Name(), "default") == nil {
			missing = true
			pass.NotEvaluated(o, "its default ServiceAccount is not in the input: the control plane creates it without "+
				"automountServiceAccountToken, so it automounts unless something outside the input sets it")
		}
	}
	if !found && !missing {
		pass.NotEvaluated(nil, "the input defines no default ServiceAccount: every namespace has one, which the control "+
			"plane creates without automountServiceAccountToken unless something outside the input defines it")
	}
	return nil
}

func runTokenMounts(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	saUnseen := inv.Unseen(inventory.KindServiceAccount)
	return runPods(func(t inventory.PodTemplate) []problem {
		if _, mirror := t.Metadata.Annotations[annotationMirror]; mirror {
			return nil // the mirror pod of a static pod: the kubelet mounts no service account token
		}
		if v := t.Spec.AutomountServiceAccountToken; v != nil {
			if *v {
				return []problem{{field: "automountServiceAccountToken", msg: "the pod mounts its service account token (automountServiceAccountToken: true)"}}
			}
			return nil
		}
		name := t.Spec.ServiceAccountName
		if name == "" {
			name = t.Spec.DeprecatedServiceAccount
		}
		if name == "" {
			name = "default"
		}
		so := inv.From(t.Owner).Get(inventory.KindServiceAccount, t.Namespace(), name)
		if so != nil {
			if sa, ok := so.Object().(*corev1.ServiceAccount); ok && sa.AutomountServiceAccountToken != nil && !*sa.AutomountServiceAccountToken {
				return nil
			}
			return []problem{{field: "automountServiceAccountToken", msg: fmt.Sprintf("the pod mounts the token of service account %q "+
				"(automountServiceAccountToken is not false on the pod or the service account)", name)}}
		}
		if inv.Whole() && saUnseen == "" && inv.Mode() != inventory.ModeCluster && name == "default" {
			// Manifests declared complete hold no default service account: the control plane
			// creates it in every namespace, without automountServiceAccountToken.
			return []problem{{field: "automountServiceAccountToken", msg: "the pod mounts the token of service account " +
				`"default", which the control plane creates without automountServiceAccountToken: false`}}
		}
		if inv.Whole() && saUnseen == "" {
			// Every service account was seen (listed, or manifests declared complete): this
			// one does not exist.
			return []problem{{field: "automountServiceAccountToken", msg: fmt.Sprintf("the pod does not set "+
				"automountServiceAccountToken: false, and its service account %q does not exist", name)}}
		}
		why := "it is not in the input"
		if saUnseen != "" {
			why = saUnseen
		}
		return []problem{{field: "automountServiceAccountToken", unknown: true, msg: fmt.Sprintf("the pod leaves token "+
			"mounting to its service account %q, which cannot be read (%s)", name, why)}}
	})(ctx, pass)
}

func runSystemMasters(_ context.Context, pass *check.Pass) error {
	defaults := rbacdefaults.APIServer()
	found := false
	for _, b := range rbacEngines.get(pass.Inventory, authz.New).Bindings() {
		for i, s := range b.Subjects {
			// The API server's own cluster-admin binding names system:masters by design.
			if s.Kind == authz.KindGroup && s.Name == authz.GroupMasters && !defaults.Binds(b, s) {
				found = true
				pass.Failf(b.Object, fmt.Sprintf("subjects[%d]", i), "binds the group system:masters, which bypasses RBAC")
				break
			}
		}
	}
	if !found {
		pass.Pass(nil, "no binding names system:masters (membership through client certificates is not visible)")
	}
	return nil
}
