// network:namespace-network-policy inspects every namespace for a NetworkPolicy that isolates its
// pods. It passes when at least one NetworkPolicy of the namespace selects at least one of its
// pods (an empty podSelector selects them all), and fails when none does: with no policy, every
// pod of the namespace accepts traffic from anywhere and may connect anywhere.
//
// Decisions, written down:
//   - A NetworkPolicy whose podSelector matches none of the namespace's pods isolates nothing,
//     so it does not count; the failure names it and its selector. (A typo in a selector is
//     the usual cause.) This is judged only on inventories listed from a cluster with every
//     pod and workload seen, where each pod shows every label it carries. Read from
//     manifests, pod templates do not show the labels pods get at run time (operators label
//     pods with a database role, say), so there such a policy counts and the pass message
//     names it. A policy also counts when the namespace runs no pods at all, or when its
//     selector reads a label controllers add to the pods they create (pod-template-hash,
//     statefulset.kubernetes.io/pod-name, job-name, ...).
//   - policyTypes: a selected pod is isolated for each direction its policy's policyTypes
//     lists (Ingress, Egress or both; the API server fills it in when left out). Either
//     direction counts. How much the policy's rules still allow (an ingress rule {} allows
//     everything) is not judged here.
//   - Policies of CNI plugins and of the Network Policy API (inventory.OtherNetworkPolicyKinds:
//     CiliumNetworkPolicy, Calico and Antrea policies, AdminNetworkPolicy, ...; recognised by
//     API group and kind) also isolate pods, but kspm does not model their selectors. A
//     namespace that no NetworkPolicy isolates is therefore not evaluated, rather than failed,
//     when such a policy is in it, when a cluster-scoped one (or a namespaced one without
//     metadata.namespace) exists, or when those kinds were not all seen: on a live scan the
//     loader does not list them, so a cluster that serves one of them gives notEvaluated.
//     They never make a namespace pass.
//
// Which namespaces: every Namespace object, reported on that object; and every namespace that
// holds pods or workloads but has no Namespace object in the inventory (manifests seldom include
// one), reported on each pod and workload there. A namespace listed in the parameter
// exemptNamespaces (default: kube-system, kube-public, kube-node-lease) is reported as not
// applicable. The verdicts depend on knowing every NetworkPolicy, so the check requires the
// NetworkPolicy kind: when it was not listed completely, or manifests hold none, the runner
// reports notEvaluated instead.

package network

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/netpolicy"
	"github.com/kspm-dev/kspm/inventory"
)

// DefaultExemptNamespaces are the namespaces network:namespace-network-policy exempts unless its
// exemptNamespaces parameter says otherwise.
func DefaultExemptNamespaces() []string {
	return []string{"kube-system", "kube-public", "kube-node-lease"}
}

const paramExemptNamespaces = "exemptNamespaces"

// namespaceNetworkPolicy returns the check network:namespace-network-policy: every namespace has a
// NetworkPolicy. Its parameter exemptNamespaces (a list of namespace names) replaces
// DefaultExemptNamespaces.
func namespaceNetworkPolicy(*engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:namespace-network-policy",
		Section: Section,
		Title:   "Every namespace has a NetworkPolicy",
		Description: "Without a NetworkPolicy, the pods of a namespace accept connections from " +
			"every pod of the cluster and may connect anywhere, so one compromised pod reaches " +
			"them all. Inspects every Namespace, and every namespace holding workloads that has no " +
			"Namespace object in the inventory. Passes when at least one NetworkPolicy of the " +
			"namespace selects at least one of its pods; listed from a cluster, a policy whose " +
			"podSelector matches none of them isolates nothing and does not count (read from " +
			"manifests, whose pod templates lack the labels pods get at run time, it counts and " +
			"the result names it). A namespace no NetworkPolicy isolates fails, unless a policy of a " +
			"CNI plugin or of the Network Policy API (Cilium, Calico, Antrea, AdminNetworkPolicy, ...) " +
			"may cover it or those kinds were not all seen: kspm does not evaluate them, so it is then " +
			"not evaluated. Namespaces listed in the parameter " +
			"exemptNamespaces (default: kube-system, kube-public, kube-node-lease) are not " +
			"applicable.",
		Severity: check.Medium,
		Remediation: "Add a NetworkPolicy to the namespace; start with a default-deny policy " +
			"(podSelector: {}, policyTypes: [Ingress, Egress]) and allow the traffic each workload " +
			"needs. Where a CNI plugin's own policies (CiliumNetworkPolicy, Calico or Antrea policies) " +
			"or AdminNetworkPolicies isolate the namespace instead, review them by hand.",
		References: []string{refNetPol, refCIS + " 5.3.2"},
		Kinds:      append([]schema.GroupKind{inventory.KindNamespace}, workloadKinds...),
		Requires:   []schema.GroupKind{inventory.KindNetworkPolicy},
		Params: []check.Param{{Name: paramExemptNamespaces, Type: check.ParamStringList,
			Default:     DefaultExemptNamespaces(),
			Description: "Namespaces the control does not apply to (replaces the default list)."}},
	}, runNamespaceNetworkPolicy)
}

func runNamespaceNetworkPolicy(ctx context.Context, pass *check.Pass) error {
	list, _ := pass.Params[paramExemptNamespaces].([]string) // declared: the runner converts it
	exempt := make(map[string]bool, len(list))
	for _, ns := range list {
		exempt[ns] = true
	}
	inv := pass.Inventory
	reportUnseen(pass, append([]schema.GroupKind{inventory.KindNamespace}, workloadKinds...)...)

	// Pod labels by namespace, to tell policies that select pods from those that select none:
	// the labels of pod templates, and of every pod listed (controllers and operators add
	// labels of their own to the pods they run). Whether a policy selects no pod is known only
	// when every pod was listed from a cluster; templates read from manifests lack the labels
	// pods get at run time.
	podsKnown := inv.Mode() == inventory.ModeCluster && check.UnseenKinds(inv, workloadKinds...) == ""
	podLabels := make(map[string][]labels.Set)
	for _, t := range inv.PodTemplates() {
		podLabels[t.Namespace()] = append(podLabels[t.Namespace()], labels.Set(t.Metadata.Labels))
	}
	for _, o := range inv.ByKind(inventory.KindPod) {
		podLabels[o.Namespace()] = append(podLabels[o.Namespace()], labels.Set(o.Meta().GetLabels()))
	}
	// Policies of CNI plugins and of the Network Policy API: kspm does not model them, so a
	// namespace one of them may cover is not failed.
	others := netpolicy.Read(inv)
	judged := make(map[string]nsVerdict)
	judge := func(ns string) nsVerdict {
		if v, ok := judged[ns]; ok {
			return v
		}
		v := judgeNamespacePolicies(inv.InNamespace(inventory.KindNetworkPolicy, ns), podLabels[ns], podsKnown)
		judged[ns] = v
		return v
	}

	// verdict reports on o, a Namespace (subject "") or a workload in namespace ns.
	verdict := func(o *inventory.Object, ns string, workload bool) {
		subject := "namespace"
		if workload {
			subject = "runs in namespace " + strconv.Quote(ns) + ", which"
			if ns == "" {
				subject = "runs in the namespace it is applied to (metadata.namespace is not set), which"
			}
		}
		if exempt[ns] {
			pass.NotApplicable(o, fmt.Sprintf("%s is exempt (parameter %s)", subject, paramExemptNamespaces))
			return
		}
		v := judge(ns)
		has := "has no NetworkPolicy"
		switch v.total {
		case 0:
		case 1:
			has = "has 1 NetworkPolicy"
		default:
			has = fmt.Sprintf("has %d NetworkPolicies", v.total)
		}
		if v.isolating {
			msg := subject + " " + has
			if len(v.idle) > 0 {
				msg += " (but " + strings.Join(v.idle, "; ") + ", matching none of the pods and pod templates seen: " +
					"check for a typo unless the pods get those labels at run time)"
			}
			pass.Pass(o, msg)
			return
		}
		msg := subject + " " + has
		if v.total > 0 {
			msg += ", but none selects any of its pods (" + strings.Join(v.idle, "; ") + "), so none is isolated"
		}
		if why := others.MayIsolate(ns); why != "" {
			pass.NotEvaluated(o, msg+"; but "+why)
			return
		}
		pass.Fail(o, "", msg)
	}

	hasObject := make(map[string]bool)
	for _, o := range inv.ByKind(inventory.KindNamespace) {
		if err := ctx.Err(); err != nil {
			return err
		}
		hasObject[o.Name()] = true
		verdict(o, o.Name(), false)
	}
	for _, t := range inv.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ns := t.Namespace(); !hasObject[ns] {
			verdict(t.Owner, ns, true)
		}
	}
	return nil
}

// nsVerdict is what the NetworkPolicies of one namespace do for its pods.
type nsVerdict struct {
	total     int      // NetworkPolicies in the namespace
	isolating bool     // at least one selects some pod, or cannot be shown to select none
	idle      []string // the policies that select none of the pods seen, with their selectors
}

// judgeNamespacePolicies tells whether policies isolate any of the pods (and pod templates)
// whose labels are pods. podsKnown says whether pods holds every pod of the namespace with
// every label it carries; when it does not, a policy that selects none of them still counts,
// and is only named in idle.
func judgeNamespacePolicies(policies []*inventory.Object, pods []labels.Set, podsKnown bool) nsVerdict {
	v := nsVerdict{total: len(policies)}
	if len(policies) == 0 {
		return v
	}
	if len(pods) == 0 {
		v.isolating = true // nothing runs yet: no policy can be shown to select nothing
		return v
	}
	for _, o := range policies {
		np, ok := o.Object().(*networkingv1.NetworkPolicy)
		if !ok {
			v.isolating = true // not readable as a policy: do not claim it selects nothing
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil {
			v.idle = append(v.idle, fmt.Sprintf("NetworkPolicy %q has an invalid podSelector: %v", np.Name, err))
			continue
		}
		if sel.Empty() || readsControllerLabels(sel) || slices.ContainsFunc(pods, func(l labels.Set) bool { return sel.Matches(l) }) {
			v.isolating = true
			continue
		}
		v.idle = append(v.idle, fmt.Sprintf("NetworkPolicy %q selects %s", np.Name, sel))
	}
	if v.isolating {
		v.idle = nil // some policy isolates pods: the others are not the question
	} else if !podsKnown {
		v.isolating = true
	}
	return v
}

// controllerLabels are the label keys workload controllers add to the pods they create, which
// pod templates do not show.
var controllerLabels = []string{
	"pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
	"apps.kubernetes.io/pod-index", "job-name", "controller-uid", "batch.kubernetes.io/job-name",
	"batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index",
}

// readsControllerLabels reports whether sel reads a label key that controllers add to pods:
// whether it selects pods created from a template cannot be told from the template.
func readsControllerLabels(sel labels.Selector) bool {
	reqs, _ := sel.Requirements()
	return slices.ContainsFunc(reqs, func(r labels.Requirement) bool { return slices.Contains(controllerLabels, r.Key()) })
}
