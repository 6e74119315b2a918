package cis

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/internal/netpolicy"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// What the controls' results depend on (check.Dependencies), for a driver that keeps them
// current while the cluster changes (package monitor). The controls of the cluster's own
// components read the objects where only administrators put them (kube-system; in
// manifests, static pod manifests) and look-alikes with the marks of a static pod, node scans
// and Nodes: a change to one of those re-runs them whole, and a change to a user's pod
// elsewhere does not touch them.

var otherPolicyKinds = netpolicy.Kinds()

// wholeUnless returns an Affected that re-runs a control whole for every change but to an
// object of kind gk for which read is false.
func wholeUnless(gk schema.GroupKind, read func(*inventory.Inventory, *inventory.Object) bool) func(*inventory.Inventory, *inventory.Object) ([]*inventory.Object, bool) {
	return func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
		return nil, o.GroupKind() != gk || read(inv, o)
	}
}

// controlPlace reports whether o is where the component controls look: a pod that may run a
// component (componentCandidate), or another object in kube-system (in manifests, also one
// written without a namespace or in default).
func controlPlace(inv *inventory.Inventory, o *inventory.Object) bool {
	if pod, ok := o.Object().(*corev1.Pod); ok {
		candidate, _, _ := componentCandidate(inv, pod)
		return candidate
	}
	switch ns := o.Namespace(); {
	case ns == metav1.NamespaceSystem:
		return true
	case inv.Mode() == inventory.ModeManifests && (ns == "" || ns == metav1.NamespaceDefault):
		return true
	}
	return false
}

// runsKubeProxy reports whether a DaemonSet's containers run kube-proxy: the 4.3.1 control
// reads such a DaemonSet wherever it is (one outside kube-system is reported, not judged).
func runsKubeProxy(o *inventory.Object) bool {
	ds, ok := o.Object().(*appsv1.DaemonSet)
	if !ok {
		return false
	}
	for _, ctr := range ds.Spec.Template.Spec.Containers {
		if _, found := flags.Locate(ctr.Command, ctr.Args, envOf(ctr), "kube-proxy"); found {
			return true
		}
	}
	return false
}

var (
	nodeFileDeps  = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindNodeFiles}}
	componentDeps = &check.Dependencies{
		Kinds:    []schema.GroupKind{inventory.KindPod, inventory.KindNodeFiles, inventory.KindNode},
		Affected: wholeUnless(inventory.KindPod, controlPlace),
	}
	kubeletDeps = &check.Dependencies{
		Kinds: []schema.GroupKind{inventory.KindKubeletConfiguration, inventory.KindConfigMap, inventory.KindNode,
			inventory.KindNodeFiles},
		Affected: wholeUnless(inventory.KindConfigMap, controlPlace),
	}
	kubeProxyDeps = &check.Dependencies{
		Kinds: []schema.GroupKind{inventory.KindDaemonSet, inventory.KindPod, inventory.KindConfigMap, inventory.KindNode,
			inventory.KindNodeFiles},
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch o.GroupKind() {
			case inventory.KindDaemonSet:
				return nil, controlPlace(inv, o) || runsKubeProxy(o)
			case inventory.KindPod, inventory.KindConfigMap:
				return nil, controlPlace(inv, o)
			}
			return nil, true
		},
	}
	admissionDeps = &check.Dependencies{
		Kinds: []schema.GroupKind{inventory.KindNamespace, inventory.KindValidatingWebhookConfiguration,
			inventory.KindValidatingAdmissionPolicy, inventory.KindValidatingAdmissionPolicyBinding,
			inventory.KindPod, inventory.KindNodeFiles, inventory.KindNode},
		Affected: wholeUnless(inventory.KindPod, controlPlace),
	}
	// networkPolicyDeps: 5.3.2 judges each user Namespace by the policies defined in it.
	networkPolicyDeps = &check.Dependencies{
		Kinds: append([]schema.GroupKind{inventory.KindNamespace, inventory.KindNetworkPolicy}, otherPolicyKinds...),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch o.GroupKind() {
			case inventory.KindNamespace:
				return []*inventory.Object{o}, false
			case inventory.KindNetworkPolicy:
				if ns := inv.Get(inventory.KindNamespace, "", o.Namespace()); ns != nil {
					return []*inventory.Object{ns}, false
				}
				return nil, false
			}
			return nil, true
		},
	}
	rbacDeps                  = &check.Dependencies{Kinds: authz.Kinds()}
	rolesDeps                 = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindRole, inventory.KindClusterRole}, Affected: check.AffectedSelf}
	defaultServiceAccountDeps = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindServiceAccount, inventory.KindNamespace},
		Affected: check.AffectedDefaultServiceAccount}
	// podDeps: the controls over pod specifications judge each template alone.
	podDeps = &check.Dependencies{Kinds: podKinds, Affected: check.AffectedTemplates}
	// tokenMountDeps (5.1.6) and secretEnvDeps (5.4.1) judge each template with the
	// ServiceAccounts, the ConfigMaps, of its namespace.
	tokenMountDeps = check.TemplatesWith(podKinds, inventory.KindServiceAccount)
	secretEnvDeps  = check.TemplatesWith(podKinds, inventory.KindConfigMap)
)
