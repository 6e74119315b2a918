package network

import (
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// NetworkName is the name of the benchmark Network returns, as the scanner's -b takes it.
const NetworkName = "network"

// Section is the report section of every control of the benchmark.
const Section = "network: segmentation and exposure"

// Network returns a fresh copy of the "network" benchmark. Its checks share a reachability
// engine: the engine for an inventory is built once, by the first check that needs it.
func Network() benchmark.Benchmark {
	c := &engineCache{}
	return benchmark.Benchmark{
		Name:  NetworkName,
		Title: "kspm network segmentation and exposure",
		Description: "Whether NetworkPolicies isolate each namespace and workload, policies that " +
			"allow everything or select nothing, and what is exposed.",
		Checks: []check.Check{
			namespaceDefaultDeny(c),
			workloadIngressIsolation(c),
			workloadEgressIsolation(c),
			reachableFromAllNamespaces(c),
			policyAllowsAll(c),
			policySelectsNothing(c),
			exposedServices(c),
			ingressTLS(c),
			danglingServices(c),
			danglingIngresses(c),
		},
	}
}

// engineCache holds the engine of the last inventory seen. Inventories are immutable, so an
// engine keyed by the inventory's identity stays right. The engine of the next inventory takes
// over what the last one computed that stays right (netreach.Engine.For): when a monitor
// derives each inventory from the one before, a change costs what its namespace holds.
type engineCache struct {
	mu  sync.Mutex
	inv *inventory.Inventory
	e   *netreach.Engine
}

func (c *engineCache) get(inv *inventory.Inventory) *netreach.Engine {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.e == nil:
		c.inv, c.e = inv, netreach.New(inv)
	case c.inv != inv:
		c.inv, c.e = inv, c.e.For(inv)
	}
	return c.e
}

// workloadKinds are the kinds that hold pod templates.
var workloadKinds = inventory.PodTemplateKinds()

// Reference documents cited by the controls.
const (
	refNetPol   = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
	refServices = "https://kubernetes.io/docs/concepts/services-networking/service/"
	refIngress  = "https://kubernetes.io/docs/concepts/services-networking/ingress/"
	refCIS      = "CIS Kubernetes Benchmark v1.12"
)

// lookupService returns the Service of namespace ns named name that the object from
// references (of a Service defined in several places, the definition nearest from), or nil.
// Every lookup of an object another one references goes through here.
func lookupService(inv *inventory.Inventory, from *inventory.Object, ns, name string) *inventory.Object {
	return inv.From(from).Get(inventory.KindService, ns, name)
}

// serviceObject returns o as a Service, when it is one.
func serviceObject(o *inventory.Object) (*corev1.Service, bool) {
	if o == nil {
		return nil, false
	}
	svc, ok := o.Object().(*corev1.Service)
	return svc, ok
}

func itoa(n int) string { return strconv.Itoa(n) }

// reached names the workloads whose pods a Service's selector selects, among those of the
// Service's world (o is the Service, see netreach.Engine.PodsFrom): "Deployment shop/web",
// "no workload of the inventory", "the pods of its hand-managed endpoints".
func reached(e *netreach.Engine, o *inventory.Object, svc *corev1.Service) string {
	if len(svc.Spec.Selector) == 0 {
		return "the endpoints set by hand (it has no selector)"
	}
	sel, err := e.SelectFrom(o, svc.Namespace, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector})
	switch {
	case err != nil:
		return "nothing (its selector is invalid)"
	case len(sel.Selected) > 0:
		s := objectNames(sel.Selected)
		if len(sel.Maybe) > 0 {
			s += ", perhaps " + objectNames(sel.Maybe)
		}
		return s
	case len(sel.Maybe) > 0:
		return "perhaps " + objectNames(sel.Maybe)
	}
	return "no workload of the inventory"
}
