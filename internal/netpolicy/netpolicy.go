package netpolicy

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// maxNamed bounds how many policies a message names.
const maxNamed = 3

// Others is what an inventory holds of the network policies of OtherNetworkPolicyKinds. It
// is read once per check run and safe for concurrent reads.
type Others struct {
	inNamespace map[string][]*inventory.Object // namespaced policies, by namespace
	anywhere    []*inventory.Object            // cluster-scoped ones, and namespaced ones with no namespace
	unseen      string                         // why some kinds were not seen completely, or ""
}

// Kinds returns the group and kind of each of inventory.OtherNetworkPolicyKinds, in its order.
func Kinds() []schema.GroupKind {
	var out []schema.GroupKind
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		out = append(out, k.GroupKind())
	}
	return out
}

// Read collects the policies of OtherNetworkPolicyKinds in inv and the kinds it did not see
// completely: on a cluster, a kind that is not Listed or NotServed (the loader does not list
// custom resources, so a kind the server serves is a gap); from manifests, none, since a kind
// absent from manifests is not in the input asked about.
func Read(inv *inventory.Inventory) *Others {
	o := &Others{inNamespace: make(map[string][]*inventory.Object)}
	var gaps []schema.GroupKind
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		gk := k.GroupKind()
		if inv.Gap(gk) {
			gaps = append(gaps, gk)
		}
		for _, obj := range inv.ByKind(gk) {
			if k.Namespaced && obj.Namespace() != "" {
				o.inNamespace[obj.Namespace()] = append(o.inNamespace[obj.Namespace()], obj)
			} else {
				o.anywhere = append(o.anywhere, obj)
			}
		}
	}
	var reasons []string
	for i, gk := range gaps {
		if i == maxNamed {
			reasons = append(reasons, fmt.Sprintf("and %d more kinds", len(gaps)-maxNamed))
			break
		}
		reasons = append(reasons, inv.Unseen(gk))
	}
	o.unseen = strings.Join(reasons, "; ")
	return o
}

// InNamespace returns the namespaced policies of namespace ns as view sees them (of a policy
// the input defines in several places, the definition nearest view's object): each selects
// pods of ns only.
func (o *Others) InNamespace(view inventory.View, ns string) []*inventory.Object {
	return view.Nearest(o.inNamespace[ns])
}

// Anywhere returns the policies that may select pods of any namespace, as view sees them:
// cluster-scoped ones, and namespaced ones whose metadata.namespace is not set (they land in
// the namespace they are applied to, which the input does not say).
func (o *Others) Anywhere(view inventory.View) []*inventory.Object { return view.Nearest(o.anywhere) }

// Unseen returns why some of OtherNetworkPolicyKinds were not seen completely, or "".
func (o *Others) Unseen() string { return o.unseen }

// MayIsolate returns, when policies other than NetworkPolicies may select pods of namespace
// ns (as view sees them, see InNamespace) or when their kinds were not seen completely, a
// clause saying so, for a verdict that must then be notEvaluated; and "" when neither is the
// case.
func (o *Others) MayIsolate(view inventory.View, ns string) string {
	var named []string
	for _, p := range o.InNamespace(view, ns) {
		named = append(named, Name(p))
	}
	for _, p := range o.Anywhere(view) {
		named = append(named, Name(p))
	}
	if len(named) > 0 {
		if len(named) > maxNamed {
			named = append(named[:maxNamed], fmt.Sprintf("and %d more", len(named)-maxNamed))
		}
		return "policies kspm does not evaluate may isolate its pods: " + strings.Join(named, "; ")
	}
	if o.unseen != "" {
		return "network policies of CNI plugins, which may isolate its pods, were not all seen: " + o.unseen
	}
	return ""
}

// Name names a policy as messages do: `CiliumNetworkPolicy "deny" (cilium.io)`, followed, for
// one that may select pods of any namespace, by the reason.
func Name(p *inventory.Object) string {
	gk := p.GroupKind()
	s := gk.Kind + " " + strconv.Quote(p.Name()) + " (" + gk.Group + ")"
	switch {
	case p.Namespace() != "":
	case namespaced(gk):
		s += ", whose metadata.namespace is not set, so it may be in any namespace"
	default:
		s += ", which may select pods of any namespace"
	}
	return s
}

func namespaced(gk schema.GroupKind) bool {
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		if k.GroupKind() == gk {
			return k.Namespaced
		}
	}
	return false
}
