package cis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/netpolicy"
	"github.com/kspm-dev/kspm/inventory"
)

// systemNamespaces hold the cluster's own components, not user workloads.
var systemNamespaces = set("kube-system", "kube-public", "kube-node-lease")

// userNamespaces returns the Namespace objects that hold user workloads.
func userNamespaces(inv *inventory.Inventory) []*inventory.Object {
	var out []*inventory.Object
	for _, o := range inv.ByKind(inventory.KindNamespace) {
		if !systemNamespaces[o.Name()] {
			out = append(out, o)
		}
	}
	return out
}

// policyControls are 5.2.1, 5.3.2 and 5.6.4: controls over namespaces.
func policyControls() []control {
	// 5.6.4 is workloads:default-namespace's judgement: one implementation, so that the two
	// never disagree about the same namespace.
	defaultNamespace := workloads.DefaultNamespace()
	return []control{
		{id: "5.2.1", title: "At least one active pod admission policy mechanism", level: l1, cisManual: true, severity: check.High,
			what: "Reads each user namespace: passes when its pod-security.kubernetes.io/enforce label is baseline or " +
				"restricted, or a policy engine's validating webhook (Kyverno, Gatekeeper, Kubewarden, jsPolicy) or a " +
				"denying ValidatingAdmissionPolicy covers its pods (the namespace selectors of the webhook, of the " +
				"policy and of its Deny binding select the namespace), and the API server runs the admission plugin " +
				"that applies it (PodSecurity, ValidatingAdmissionWebhook, ValidatingAdmissionPolicy; all on by " +
				"default). The plugins are read from the kube-apiserver pods in kube-system only (a look-alike " +
				"elsewhere is anyone's to make); a plugin whose state is not known leaves the namespace not evaluated",
			remediation: "Label each namespace with pod-security.kubernetes.io/enforce: baseline (or restricted), or " +
				"enforce pod policies with an admission policy engine.",
			kinds:    []schema.GroupKind{inventory.KindNamespace},
			requires: []schema.GroupKind{inventory.KindNamespace},
			run:      runAdmissionPolicy,
			depends:  admissionDeps},
		{id: "5.3.2", title: "Every namespace has NetworkPolicies", level: l2, cisManual: true, severity: check.Medium,
			what: "Reads each user namespace: passes when at least one NetworkPolicy, or a namespaced policy of a CNI " +
				"plugin (CiliumNetworkPolicy, Calico or Antrea NetworkPolicy), is defined in it; when none is, a " +
				"cluster-scoped policy of a CNI plugin or of the Network Policy API (CiliumClusterwideNetworkPolicy, " +
				"GlobalNetworkPolicy, AdminNetworkPolicy, ...) may still apply to it, and kspm does not evaluate those, " +
				"so the namespace is not evaluated; likewise when those kinds were not all seen (a live scan does not " +
				"list them: a cluster that serves one of them gives notEvaluated)",
			remediation: "Give every namespace NetworkPolicies, starting with a default-deny policy for ingress and " +
				"egress, then allow the traffic each application needs. Where cluster-wide policies of the CNI plugin " +
				"or AdminNetworkPolicies isolate namespaces instead, review that they select each one.",
			kinds:    []schema.GroupKind{inventory.KindNamespace},
			requires: []schema.GroupKind{inventory.KindNamespace, inventory.KindNetworkPolicy},
			run:      runNetworkPolicies,
			depends:  networkPolicyDeps},
		{id: "5.6.4", title: "Avoid using the default namespace", level: l2, cisManual: true, severity: check.Low,
			what: "The control workloads:default-namespace, the same judgement: fails for each object in namespace " +
				"default that the control plane did not create (its own are recognised by content, not by name " +
				"alone) and that no controller in the inventory owns; in manifests, every namespaced kind there is " +
				"(PersistentVolumeClaims, custom resources, ...); from a cluster, also the namespace's other resources " +
				"when the load lists them (inventory.WithDefaultNamespaceListing), and not evaluated when it did not " +
				"list them all",
			remediation: "Move workloads and their objects out of the default namespace into namespaces of their own.",
			kinds:       defaultNamespace.Meta().Kinds,
			run:         defaultNamespace.Run,
			depends:     defaultNamespace.Meta().Depends},
	}
}

const labelEnforce = "pod-security.kubernetes.io/enforce"

var policyEngines = []string{"kyverno", "gatekeeper", "kubewarden", "jspolicy", "k-rail", "polaris"}

func runAdmissionPolicy(_ context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	nss := userNamespaces(inv)
	if len(nss) == 0 {
		pass.NotApplicable(nil, "no user namespaces")
		return nil
	}
	// The policies a Namespace sees: of a policy or binding defined in several places, the
	// definition nearest it (one set for every namespace when the input has no variants).
	vapsOf := map[inventory.View][]podPolicy{}
	unseen := inv.Unseen(inventory.KindValidatingWebhookConfiguration, inventory.KindValidatingAdmissionPolicy,
		inventory.KindValidatingAdmissionPolicyBinding)
	admissionConfig := ""
	// The admission plugins that make labels, webhooks and policies work, as every API
	// server of the cluster's own (in kube-system) runs them; all are on by default, e.g. on
	// a managed control plane. pluginOff says why a plugin is off, pluginUnknown why its
	// state is not known.
	pluginOff, pluginUnknown := map[string]string{}, map[string]string{}
	for _, in := range findInstances(inv, kubeAPIServer) {
		if v, ok := in.flags.Lookup("admission-control-config-file"); ok {
			admissionConfig = v.Raw
		}
		for _, p := range []string{"PodSecurity", "ValidatingAdmissionWebhook", "ValidatingAdmissionPolicy"} {
			on, why, _, unknown := admissionPlugin(in.flags, p)
			switch {
			case unknown != "":
				pluginUnknown[p] = "whether " + p + " runs is not known: " + unknown + " (" + in.obj.String() + ")"
			case !on:
				pluginOff[p] = why + " (" + in.obj.String() + ")"
			}
		}
	}
	for _, o := range nss {
		ns, _ := o.Object().(*corev1.Namespace)
		if ns == nil {
			continue
		}
		view := inv.From(o)
		vaps, ok := vapsOf[view]
		if !ok && pluginOff["ValidatingAdmissionPolicy"] == "" { // else policies are not evaluated
			vaps = denyingPodPolicies(view)
			vapsOf[view] = vaps
		}
		level := ns.Labels[labelEnforce]
		// notes say why the namespace fails; maybe lists what would pass it but hangs on a
		// plugin whose state is not known.
		var notes, maybe []string
		switch level {
		case "baseline", "restricted":
			if off := pluginOff["PodSecurity"]; off != "" {
				notes = append(notes, "its Pod Security enforce label ("+level+") has no effect: "+off)
				break
			}
			if u := pluginUnknown["PodSecurity"]; u != "" {
				maybe = append(maybe, "its Pod Security enforce label ("+level+") works only if PodSecurity runs; "+u)
				break
			}
			pass.Pass(o, "Pod Security admission enforces "+level)
			continue
		case "privileged":
			notes = append(notes, "Pod Security admission enforces privileged, which allows everything")
		}
		if name := coveringWebhook(view, ns); name != "" {
			switch {
			case pluginOff["ValidatingAdmissionWebhook"] != "":
				notes = append(notes, "policy engine webhook "+name+" is not called: "+pluginOff["ValidatingAdmissionWebhook"])
			case pluginUnknown["ValidatingAdmissionWebhook"] != "":
				maybe = append(maybe, "policy engine webhook "+name+" is called only if ValidatingAdmissionWebhook runs; "+
					pluginUnknown["ValidatingAdmissionWebhook"])
			default:
				pass.Pass(o, "pods are validated by policy engine webhook "+name)
				continue
			}
		}
		if names := coveringPolicies(vaps, namespaceLabels(ns)); len(names) > 0 {
			if u := pluginUnknown["ValidatingAdmissionPolicy"]; u != "" {
				maybe = append(maybe, "ValidatingAdmissionPolicy "+strings.Join(names, ", ")+" is evaluated only if "+
					"ValidatingAdmissionPolicy runs; "+u)
			} else {
				pass.Pass(o, "pods are validated by ValidatingAdmissionPolicy "+strings.Join(names, ", "))
				continue
			}
		}
		if level == "" {
			notes = append(notes, "no Pod Security enforce label")
		}
		switch {
		case len(maybe) > 0:
			if unseen != "" {
				notes = append(notes, "policy engines could not be seen: "+unseen)
			}
			pass.NotEvaluated(o, strings.Join(append(maybe, notes...), "; "))
		case unseen != "":
			pass.NotEvaluated(o, strings.Join(notes, "; ")+"; policy engines could not be seen: "+unseen)
		case admissionConfig != "" && level == "" && pluginOff["PodSecurity"] == "":
			pass.NotEvaluated(o, strings.Join(notes, "; ")+"; cluster-wide Pod Security defaults may be set in "+
				"the API server's --admission-control-config-file="+admissionConfig+", which is not visible")
		default:
			pass.Fail(o, "metadata.labels", strings.Join(notes, "; ")+"; no policy engine validates its pods")
		}
	}
	return nil
}

// namespaceLabels returns the labels of ns as namespace selectors see them: with
// kubernetes.io/metadata.name, which the API server sets on every namespace.
func namespaceLabels(ns *corev1.Namespace) labels.Set {
	set := labels.Set{corev1.LabelMetadataName: ns.Name}
	for k, v := range ns.Labels {
		set[k] = v
	}
	return set
}

// coveringWebhook returns the name of a known policy engine's validating webhook that sees
// pod creation in ns (among the configurations view sees), or "".
func coveringWebhook(view inventory.View, ns *corev1.Namespace) string {
	nsLabels := namespaceLabels(ns)
	for _, o := range view.ByKind(inventory.KindValidatingWebhookConfiguration) {
		vwc, ok := o.Object().(*admissionregistrationv1.ValidatingWebhookConfiguration)
		if !ok || !isPolicyEngine(vwc.Name) {
			continue
		}
		for _, wh := range vwc.Webhooks {
			if !rulesCoverPods(wh.Rules) {
				continue
			}
			if wh.NamespaceSelector != nil {
				sel, err := metav1.LabelSelectorAsSelector(wh.NamespaceSelector)
				if err != nil || !sel.Matches(nsLabels) {
					continue
				}
			}
			return vwc.Name
		}
	}
	return ""
}

func isPolicyEngine(name string) bool {
	name = strings.ToLower(name)
	for _, e := range policyEngines {
		if strings.Contains(name, e) {
			return true
		}
	}
	return false
}

func rulesCoverPods(rules []admissionregistrationv1.RuleWithOperations) bool {
	for _, r := range rules {
		core := false
		for _, g := range r.APIGroups {
			core = core || g == "" || g == "*"
		}
		create := false
		for _, op := range r.Operations {
			create = create || op == admissionregistrationv1.Create || op == admissionregistrationv1.OperationAll
		}
		res := false
		for _, rs := range r.Resources {
			res = res || rs == "pods" || rs == "*" || rs == "*/*"
		}
		if core && create && res {
			return true
		}
	}
	return false
}

// podPolicy is a ValidatingAdmissionPolicy that matches pod creation, with the namespaces
// it applies to: those its own namespaceSelector selects, among those one of its bindings with
// the Deny action selects.
type podPolicy struct {
	name     string
	selector labels.Selector
	bindings []labels.Selector
}

// namespaceSelector returns the selector of a MatchResources' namespaceSelector: every
// namespace when it is unset, none when it is invalid (a policy that cannot be read is not
// counted).
func namespaceSelector(m *admissionregistrationv1.MatchResources) labels.Selector {
	if m == nil || m.NamespaceSelector == nil {
		return labels.Everything()
	}
	sel, err := metav1.LabelSelectorAsSelector(m.NamespaceSelector)
	if err != nil {
		return labels.Nothing()
	}
	return sel
}

// denyingPodPolicies returns the ValidatingAdmissionPolicies that match pods and are bound
// with the Deny action, among the policies and bindings view sees.
func denyingPodPolicies(view inventory.View) []podPolicy {
	denying := make(map[string][]labels.Selector)
	for _, o := range view.ByKind(inventory.KindValidatingAdmissionPolicyBinding) {
		b, ok := o.Object().(*admissionregistrationv1.ValidatingAdmissionPolicyBinding)
		if !ok || !slices.Contains(b.Spec.ValidationActions, admissionregistrationv1.Deny) {
			continue
		}
		denying[b.Spec.PolicyName] = append(denying[b.Spec.PolicyName], namespaceSelector(b.Spec.MatchResources))
	}
	var out []podPolicy
	for _, o := range view.ByKind(inventory.KindValidatingAdmissionPolicy) {
		p, ok := o.Object().(*admissionregistrationv1.ValidatingAdmissionPolicy)
		if !ok || len(denying[p.Name]) == 0 || p.Spec.MatchConstraints == nil {
			continue
		}
		for _, r := range p.Spec.MatchConstraints.ResourceRules {
			if rulesCoverPods([]admissionregistrationv1.RuleWithOperations{r.RuleWithOperations}) {
				out = append(out, podPolicy{name: p.Name, selector: namespaceSelector(p.Spec.MatchConstraints), bindings: denying[p.Name]})
				break
			}
		}
	}
	return out
}

// coveringPolicies returns the names of the policies among pols that apply to pods of the
// namespace whose labels are nsLabels.
func coveringPolicies(pols []podPolicy, nsLabels labels.Set) []string {
	var out []string
	for _, p := range pols {
		if p.selector.Matches(nsLabels) && slices.ContainsFunc(p.bindings, func(s labels.Selector) bool { return s.Matches(nsLabels) }) {
			out = append(out, p.name)
		}
	}
	return out
}

func runNetworkPolicies(_ context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	nss := userNamespaces(inv)
	if len(nss) == 0 {
		pass.NotApplicable(nil, "no user namespaces")
		return nil
	}
	others := netpolicy.Read(inv)
	for _, o := range pass.Objects(inventory.KindNamespace) {
		if systemNamespaces[o.Name()] {
			continue
		}
		// The policies the Namespace sees: of one defined in several places, the nearest.
		view := inv.From(o)
		if n := len(view.InNamespace(inventory.KindNetworkPolicy, o.Name())); n > 0 {
			pass.Pass(o, fmt.Sprintf("%d NetworkPolicies", n))
			continue
		}
		// A namespaced policy of a CNI plugin is a network policy defined in the namespace,
		// which is what the control asks; its selectors are not judged, as those of
		// NetworkPolicies are not.
		if cni := others.InNamespace(view, o.Name()); len(cni) > 0 {
			names := make([]string, len(cni))
			for i, p := range cni {
				names[i] = netpolicy.Name(p)
			}
			pass.Pass(o, "no NetworkPolicy, but network policies of the CNI plugin: "+strings.Join(names, "; "))
			continue
		}
		msg := "no NetworkPolicy in namespace " + o.Name()
		if why := others.MayIsolate(view, o.Name()); why != "" {
			pass.NotEvaluated(o, msg+"; but "+why)
			continue
		}
		pass.Fail(o, "", msg+": all traffic to and from its pods is allowed")
	}
	return nil
}
