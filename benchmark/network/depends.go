package network

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/netpolicy"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// What the controls' results depend on (check.Dependencies), for a driver that keeps them
// current while the cluster changes (package monitor). The reachability engine answers for a
// pod template from the NetworkPolicies of its namespace, its template and the Pods listed for
// its workload, and the label keys every NetworkPolicy reads; policies of other kinds (CNI
// plugins, the Network Policy API) make answers unknown. So a change is felt within its
// namespace, but for a NetworkPolicy that starts or stops reading a label key no other policy
// reads, and for those other policies: those re-run the controls whole.

var otherPolicyKinds = netpolicy.Kinds()

// kinds returns the given kinds, then the kinds of the policies of other kinds.
func kinds(gks ...schema.GroupKind) []schema.GroupKind {
	return append(slices.Clone(gks), otherPolicyKinds...)
}

var (
	// isolationDeps: network:workload-ingress-isolation and network:workload-egress-isolation
	// judge each pod template (network:reachable-from-all-namespaces too: see reachableDeps).
	isolationDeps = &check.Dependencies{
		Kinds: kinds(append([]schema.GroupKind{inventory.KindNetworkPolicy}, workloadKinds...)...),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch gk := o.GroupKind(); {
			case gk == inventory.KindNetworkPolicy:
				if readsOwnKey(inv, o) {
					return nil, true
				}
				return check.TemplatesIn(inv, o.Namespace()), false
			case slices.Contains(otherPolicyKinds, gk):
				return nil, true
			}
			return withWorkloads(inv, inv.PodTemplateDependents(o)), false
		},
	}
	// reachableDeps are isolationDeps and the Namespaces: in a whole cluster, whether every
	// namespace there is admitted reads the labels of each, and the namespaces a pod template
	// without a Namespace object brings.
	reachableDeps = &check.Dependencies{
		Kinds: kinds(append([]schema.GroupKind{inventory.KindNamespace, inventory.KindNetworkPolicy}, workloadKinds...)...),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch {
			case o.GroupKind() == inventory.KindNamespace:
				return nil, true
			case o.Namespace() != "" && inv.Get(inventory.KindNamespace, "", o.Namespace()) == nil:
				return nil, true
			}
			return isolationDeps.Affected(inv, o)
		},
	}
	// defaultDenyDeps: network:namespace-default-deny judges each Namespace by its
	// NetworkPolicies, and the pod templates of namespaces the inventory holds no Namespace
	// object of.
	defaultDenyDeps = &check.Dependencies{
		Kinds: kinds(append([]schema.GroupKind{inventory.KindNamespace, inventory.KindNetworkPolicy}, workloadKinds...)...),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch gk := o.GroupKind(); {
			case gk == inventory.KindNamespace:
				return append([]*inventory.Object{o}, check.TemplatesIn(inv, o.Name())...), false
			case gk == inventory.KindNetworkPolicy:
				out := check.TemplatesIn(inv, o.Namespace())
				if ns := inv.Get(inventory.KindNamespace, "", o.Namespace()); ns != nil {
					out = append(out, ns)
				}
				return out, false
			case slices.Contains(otherPolicyKinds, gk):
				return nil, true
			}
			return inv.PodTemplateDependents(o), false
		},
	}
	// policyDeps: network:policy-allows-all reads each NetworkPolicy alone.
	policyDeps = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindNetworkPolicy}, Affected: check.AffectedSelf}
	// selectsNothingDeps: network:policy-selects-nothing judges each NetworkPolicy by the pods
	// of its namespace.
	selectsNothingDeps = &check.Dependencies{
		Kinds:    append([]schema.GroupKind{inventory.KindNetworkPolicy}, workloadKinds...),
		Affected: ownOrInNamespace(inventory.KindNetworkPolicy),
	}
	// serviceDeps: network:exposed-services and network:dangling-services judge each Service
	// by the pods of its namespace.
	serviceDeps = &check.Dependencies{
		Kinds:    append([]schema.GroupKind{inventory.KindService}, workloadKinds...),
		Affected: ownOrInNamespace(inventory.KindService),
	}
	// ingressDeps: network:ingress-tls judges each Ingress by the Services of its namespace
	// and their pods; network:dangling-ingresses by the Services.
	ingressDeps = &check.Dependencies{
		Kinds:    append([]schema.GroupKind{inventory.KindIngress, inventory.KindService}, workloadKinds...),
		Affected: ownOrInNamespace(inventory.KindIngress),
	}
	danglingIngressDeps = &check.Dependencies{
		Kinds:    []schema.GroupKind{inventory.KindIngress, inventory.KindService},
		Affected: ownOrInNamespace(inventory.KindIngress),
	}
)

// ownOrInNamespace returns an Affected for a control that reports on objects of kind gk, each
// judged by objects of its namespace: the object itself, or, for an object of another kind,
// the objects of kind gk of its namespace.
func ownOrInNamespace(gk schema.GroupKind) func(*inventory.Inventory, *inventory.Object) ([]*inventory.Object, bool) {
	return func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
		if o.GroupKind() == gk {
			return []*inventory.Object{o}, false
		}
		return inv.InNamespace(gk, o.Namespace()), false
	}
}

// readsOwnKey reports whether NetworkPolicy o reads a pod label key no other NetworkPolicy of
// inv reads: adding or removing it changes which listed Pods the engine tells apart from
// their template's, anywhere.
func readsOwnKey(inv *inventory.Inventory, o *inventory.Object) bool {
	own := netreach.KeysRead(o)
	if len(own) == 0 {
		return false
	}
	for _, p := range inv.ByKind(inventory.KindNetworkPolicy) {
		if p == o {
			continue
		}
		for _, k := range netreach.KeysRead(p) {
			own = slices.DeleteFunc(own, func(x string) bool { return x == k })
		}
		if len(own) == 0 {
			return false
		}
	}
	return true
}

// withWorkloads adds to objs the controllers (two levels up, in the same namespace) of each:
// a Pod is listed for the workload whose template stands for it, through a ReplicaSet or a Job.
func withWorkloads(inv *inventory.Inventory, objs []*inventory.Object) []*inventory.Object {
	out := slices.Clone(objs)
	for _, o := range objs {
		c := o
		for range 2 {
			if c = controllerIn(inv, c); c == nil {
				break
			}
			out = append(out, c)
		}
	}
	return out
}

// controllerIn returns the controller o's reference names, in o's namespace, or nil.
func controllerIn(inv *inventory.Inventory, o *inventory.Object) *inventory.Object {
	ref := metav1.GetControllerOfNoCopy(o.Meta())
	if ref == nil {
		return nil
	}
	if c := inv.ByUID(ref.UID); c != nil && c.Namespace() == o.Namespace() {
		return c
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil
	}
	return inv.Get(schema.GroupKind{Group: gv.Group, Kind: ref.Kind}, o.Namespace(), ref.Name)
}
