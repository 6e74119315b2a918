package workloads

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// lookup returns the object of kind gk named name in namespace ("" for a cluster-scoped
// kind) that the object from refers to, or nil when the inventory holds none. Every lookup
// of an object another one names (the ServiceAccount a pod runs as, the owner of an object)
// goes through it, so that which definition a reference resolves to is decided in one place;
// from is what a rule that depends on the referring object (the nearest of several
// definitions in manifests) needs.
func lookup(inv *inventory.Inventory, from *inventory.Object, gk schema.GroupKind, namespace, name string) *inventory.Object {
	return inv.From(from).Get(gk, namespace, name)
}
