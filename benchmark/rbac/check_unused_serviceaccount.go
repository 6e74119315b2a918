package rbac

// rbac:unused-serviceaccount
//
// Inspects: service accounts that no pod or workload template runs as, and that hold
// something: a binding that names them, or a long-lived token Secret
// (kubernetes.io/service-account-token). Such a service account is a dormant credential:
// its permissions serve no workload, and its tokens, or any pod someone creates under it,
// carry them. Every namespace's "default" service account and service accounts on the
// allow-list are not reported. A service account is used, and holds what its bindings and
// tokens give, by namespace and name: of one the input defines in several places (variants),
// each definition is judged, used when any workload runs as that name.
// Passes: every service account with bindings or token Secrets is used. Needs ServiceAccounts
// and every workload kind completely known (in manifests, a workload kind the input does not
// hold counts as none, but an input with no workload at all is not evaluated).

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

func unusedServiceAccount(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:       "rbac:unused-serviceaccount",
		Title:    "Unused service accounts that hold bindings or tokens",
		Severity: check.Low,
		Description: "Reports service accounts that no pod or workload uses but that a binding names or a " +
			"long-lived token Secret belongs to.",
		Remediation: "Delete the service account and its bindings and token Secrets, or add it to the allow " +
			"parameter if something outside the cluster uses it.",
		Section:    Section,
		Params:     allowParams(),
		References: references,
		Kinds:      []schema.GroupKind{inventory.KindServiceAccount},
		Depends:    unusedServiceAccountDeps,
		Requires:   []schema.GroupKind{inventory.KindServiceAccount},
	}, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params)
		if err != nil {
			return err
		}
		inv := pass.Inventory
		// Which service accounts are used is known only when every workload is: a workload
		// not seen may use any of them.
		if u := workloadGaps(inv); u != "" {
			pass.NotEvaluated(nil, "cannot be evaluated: workloads not completely known: "+u)
			return nil
		}
		// Manifests without any workload are a part of a cluster whose workloads are
		// elsewhere, unless they are declared to be the whole cluster.
		if !inv.Whole() && len(inv.PodTemplates()) == 0 {
			pass.NotEvaluated(nil, "cannot be evaluated: the input holds no pod or workload, so which service accounts are used cannot be told")
			return nil
		}
		e := c.get(inv)
		type saKey struct{ ns, name string }
		// The service accounts each namespace's workloads run as, and its token Secrets: of
		// the whole inventory, or, in a run for some ServiceAccounts, of their namespaces.
		used := make(map[saKey]bool)
		tokens := make(map[saKey][]string)
		read := func(templates []inventory.PodTemplate, secrets []*inventory.Object) {
			for _, t := range templates {
				used[saKey{t.Namespace(), serviceAccountName(t.Spec)}] = true
			}
			for _, o := range secrets {
				if s, ok := o.Object().(*corev1.Secret); ok && s.Type == corev1.SecretTypeServiceAccountToken {
					k := saKey{s.Namespace, s.Annotations[corev1.ServiceAccountNameKey]}
					tokens[k] = append(tokens[k], s.Name)
				}
			}
		}
		readNS := map[string]bool{}
		if _, some := pass.Targets(); !some {
			read(inv.PodTemplates(), inv.ByKind(inventory.KindSecret))
		}
		fails := 0
		for _, o := range pass.Objects(inventory.KindServiceAccount) {
			if _, some := pass.Targets(); some && !readNS[o.Namespace()] {
				readNS[o.Namespace()] = true
				read(inv.PodTemplatesIn(o.Namespace()), inv.InNamespace(inventory.KindSecret, o.Namespace()))
			}
			k := saKey{o.Namespace(), o.Name()}
			subject := authz.Subject{Kind: authz.KindServiceAccount, Namespace: k.ns, Name: k.name}
			if k.name == "default" || used[k] || allow.allowsSubject(subject) {
				continue
			}
			var held []string
			bindings := e.SubjectBindings(subject)
			bindings = append(bindings, e.SubjectBindings(authz.Subject{Kind: authz.KindUser, Name: authz.ServiceAccountUsername(k.ns, k.name)})...)
			for _, b := range bindings {
				held = append(held, fmt.Sprintf("%s (%s %s)", b, b.RoleRefString(), scopeOf(b)))
			}
			if n := tokens[k]; len(n) > 0 {
				held = append(held, "token Secret "+strings.Join(n, ", "))
			}
			if len(held) == 0 {
				continue
			}
			fails++
			pass.Fail(o, "", fmt.Sprintf("ServiceAccount %s/%s is used by no pod or workload but holds %s", k.ns, k.name, strings.Join(held, "; ")))
		}
		reason := inv.Unseen(inventory.KindRoleBinding, inventory.KindClusterRoleBinding, inventory.KindSecret)
		conclude(pass, reason, fails, "every service account holding bindings or tokens is used by a workload")
		return ctx.Err()
	})
}
