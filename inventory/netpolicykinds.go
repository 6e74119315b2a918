package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// otherNetworkPolicyKinds are the kinds, besides NetworkPolicy (networking.k8s.io), whose
// objects select pods for network isolation: those of the CNI plugins Cilium, Calico and
// Antrea, and those of the Kubernetes Network Policy API (a SIG Network project served as
// custom resources). Calico's staged policies are left out: they are not enforced.
var otherNetworkPolicyKinds = []KindInfo{
	customKind("cilium.io", "v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies", true),
	customKind("cilium.io", "v2", "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", false),
	customKind("crd.projectcalico.org", "v1", "NetworkPolicy", "networkpolicies", true),
	customKind("crd.projectcalico.org", "v1", "GlobalNetworkPolicy", "globalnetworkpolicies", false),
	customKind("projectcalico.org", "v3", "NetworkPolicy", "networkpolicies", true),
	customKind("projectcalico.org", "v3", "GlobalNetworkPolicy", "globalnetworkpolicies", false),
	customKind("crd.antrea.io", "v1beta1", "NetworkPolicy", "networkpolicies", true),
	customKind("crd.antrea.io", "v1beta1", "ClusterNetworkPolicy", "clusternetworkpolicies", false),
	customKind("policy.networking.k8s.io", "v1alpha1", "AdminNetworkPolicy", "adminnetworkpolicies", false),
	customKind("policy.networking.k8s.io", "v1alpha1", "BaselineAdminNetworkPolicy", "baselineadminnetworkpolicies", false),
	customKind("policy.networking.k8s.io", "v1alpha2", "ClusterNetworkPolicy", "clusternetworkpolicies", false),
}

// customKind describes a kind served as a custom resource, held as *unstructured.Unstructured.
func customKind(group, version, kind, resource string, namespaced bool) KindInfo {
	gvk := schema.GroupVersionKind{Group: group, Version: version, Kind: kind}
	return KindInfo{GroupVersionKind: gvk, Resource: resource, Namespaced: namespaced,
		newObject: func() runtime.Object {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			return u
		}}
}

// OtherNetworkPolicyKinds returns the kinds, besides NetworkPolicy, whose objects select pods
// for network isolation: Cilium's CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
// (cilium.io), Calico's NetworkPolicy and GlobalNetworkPolicy (crd.projectcalico.org and
// projectcalico.org), Antrea's NetworkPolicy and ClusterNetworkPolicy (crd.antrea.io), and the
// Network Policy API's AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy
// (policy.networking.k8s.io). Checks that judge whether pods are isolated need them besides
// NetworkPolicies. The version of each is the one its project documents; objects of any
// version are held, as *unstructured.Unstructured. The returned slice is a fresh copy.
//
// Read from manifests, their coverage is that of any kind: Loaded or Absent. Listed from a
// cluster (FromClientset), they are not listed, but the loader asks the server's discovery
// whether it serves each one: one it does not serve is NotServed (so the cluster has none);
// one it serves stays Absent, with a reason saying so, since its objects were not read.
func OtherNetworkPolicyKinds() []KindInfo {
	return append([]KindInfo(nil), otherNetworkPolicyKinds...)
}

// discoverOtherNetworkPolicyKinds records the coverage of OtherNetworkPolicyKinds on a
// cluster: NotServed for each kind the server's discovery shows it does not serve, Absent
// with the reason for the others. Discovery that cannot be read leaves every one Absent,
// with the reason: whether the cluster has such policies is then unknown. With kinds
// requested (WithKinds), those not requested are Absent as not requested, and not asked.
func (l *clusterLoader) discoverOtherNetworkPolicyKinds(ctx context.Context, requested []schema.GroupKind) {
	var discErr error // asked once: a discovery that failed is not asked again for each kind
	for _, k := range otherNetworkPolicyKinds {
		if len(requested) > 0 && !slices.Contains(requested, k.GroupKind()) {
			l.b.SetCoverage(Coverage{Group: k.Group, Kind: k.Kind, State: Absent, Reason: reasonNotRequested})
			continue
		}
		gr := schema.GroupResource{Group: k.Group, Resource: k.Resource}
		cov := Coverage{Group: k.Group, Kind: k.Kind, State: Absent}
		var served []string
		var groupServed bool
		err := discErr
		if err == nil {
			served, groupServed, err = l.disc.servingVersions(ctx, l.cs, k)
			discErr = err
		}
		switch {
		case err != nil:
			cov.Reason = fmt.Sprintf("not listed, and the server's discovery, asked whether it serves %s, failed: %v", gr, err)
		case !groupServed:
			cov.State, cov.Reason = NotServed, fmt.Sprintf("the server does not serve the API group %s", k.Group)
		case len(served) == 0:
			cov.State, cov.Reason = NotServed, fmt.Sprintf("the server does not serve %s in any version", gr)
		default:
			cov.Reason = fmt.Sprintf("the server serves %s (%s), but the loader does not list custom resources",
				gr, strings.Join(served, ", "))
		}
		l.b.SetCoverage(cov)
	}
}

// isOtherNetworkPolicyKind reports whether gk is one of OtherNetworkPolicyKinds.
func isOtherNetworkPolicyKind(gk schema.GroupKind) bool {
	return slices.ContainsFunc(otherNetworkPolicyKinds, func(k KindInfo) bool { return k.GroupKind() == gk })
}
