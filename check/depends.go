package check

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// Dependencies declares what a check's results depend on, for a driver that keeps results
// current while objects change (package monitor): it re-runs a check only for the changes that
// can alter its results, and, when the check says how, only for the objects they can alter.
// The one-shot runner (kspm.Run, kspm.Scan) ignores it. A check without Dependencies (the
// default) is re-run whole on every change: declaring them is an optimisation, never needed
// for a right result, and a wrong declaration is a wrong result, so declare only what is
// exact.
//
// What a driver does with them, for a set of changed objects (each with its version before
// and after the change, in the inventory before and the inventory after):
//   - a change to an object of a kind not in Kinds (when Kinds are given) leaves the check's
//     results as they are;
//   - a change to the coverage (Inventory.Coverage: state or reason) of a kind in Kinds, or
//     of one of the check's Meta.Kinds or Meta.Requires, re-runs the check whole;
//   - otherwise, without Affected, the check is re-run whole;
//   - with Affected, the driver asks it of each changed object of a kind in Kinds (of any
//     kind, without Kinds), once with
//     the inventory before and the object's old version, once with the inventory after and
//     its new version (once only when the object was created or deleted). When any answer is
//     whole, the check is re-run whole; else it is re-run for the union of the targets only
//     (each looked up by kind, namespace and name in the inventory after: a target that no
//     longer exists just loses its results), and its results about other objects are kept.
type Dependencies struct {
	// Kinds are every kind whose objects the check's results can depend on: the kinds it
	// reports on and those it reads to judge them (a pod's Namespace, the ServiceAccount it
	// runs as, the RBAC objects behind a permission). It includes Meta.Kinds and
	// Meta.Requires (Validate says so). Empty, the results can depend on objects of any kind:
	// Affected, when set, is then asked about every changed object.
	Kinds []schema.GroupKind
	// Affected, when set, makes the check incremental. Given an object o of one of Kinds in
	// inventory inv, it returns the objects of inv whose results o can change (o itself
	// when the check reports on o), or whole true when o can change results beyond such a
	// list, or the results about no object. Every target must be an object the check
	// reports about or could report about; an object whose results do not depend on o may
	// be among them (it is only re-evaluated).
	//
	// A check with Affected must, in a run for targets (Pass.Targets), report about those
	// objects only, reading them through Pass.PodTemplates and Pass.Objects, and report
	// about each exactly what a whole run reports about it. Its results about no object may
	// depend only on the coverage of Kinds, its parameters, and whether it reports about any
	// object at all: the driver keeps those of the last whole run and ignores those of a run
	// for targets, and re-runs the check whole when its results about objects come to
	// nothing or stop being nothing.
	Affected func(inv *inventory.Inventory, o *inventory.Object) (targets []*inventory.Object, whole bool)
	// Clock says that the results depend on the current time as well (an age compared with
	// a limit): a driver re-runs the check whole now and then, whatever changed.
	Clock bool
	// DefaultNamespace says that the results read inventory.Inventory.DefaultNamespaceListing
	// (namespace default's resources beyond the built-in kinds, which a watched inventory lists
	// again now and then): a driver re-runs the check whole when the listing changes.
	DefaultNamespace bool
}

// validate checks the declaration against the check's metadata.
func (d *Dependencies) validate(m Meta) error {
	if d == nil {
		return nil
	}
	if len(d.Kinds) == 0 {
		return nil
	}
	for _, gk := range slices.Concat(m.Kinds, m.Requires) {
		if !slices.Contains(d.Kinds, gk) {
			return fmt.Errorf("Depends.Kinds does not hold %s, which Kinds or Requires names", gk)
		}
	}
	return nil
}

// AffectedSelf is an Affected for a check whose results about each object depend on that
// object alone: the changed object is the one target.
func AffectedSelf(_ *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
	return []*inventory.Object{o}, false
}

// AffectedDefaultServiceAccount is an Affected for a check that judges each ServiceAccount
// alone and, from manifests, each Namespace by whether its default ServiceAccount is defined:
// the changed object is a target, and so is every definition of the Namespace of a changed
// ServiceAccount named default.
func AffectedDefaultServiceAccount(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
	targets := []*inventory.Object{o}
	if o.GroupKind() == inventory.KindServiceAccount && o.Name() == "default" {
		// Every definition of its Namespace (Variants: one, or none, outside manifests).
		targets = append(targets, inv.Variants(inventory.KindNamespace, "", o.Namespace())...)
	}
	return targets, false
}

// AffectedTemplates is an Affected for a check whose results about each pod template
// (Inventory.PodTemplates) depend on the template's owner alone: the changed object and the
// objects whose template it can add, remove or replace (Inventory.PodTemplateDependents).
func AffectedTemplates(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
	return inv.PodTemplateDependents(o), false
}

// TemplatesIn returns the objects of namespace ns that can hold a pod template (those of
// inventory.PodTemplateKinds), in inventory order: for an Affected that maps an object every
// pod template of its namespace reads (the Namespace's labels, a LimitRange, the namespace's
// NetworkPolicies) to the owners of those templates.
func TemplatesIn(inv *inventory.Inventory, ns string) []*inventory.Object {
	var out []*inventory.Object
	for _, gk := range inventory.PodTemplateKinds() {
		out = append(out, inv.InNamespace(gk, ns)...)
	}
	return out
}

// TemplatesWith returns the dependencies of a check over the pod templates of kinds
// templateKinds (inventory.PodTemplateKinds, or those of them it reads) whose result about a
// template reads, besides the template, the objects of kind gk of the template's namespace
// (its LimitRanges, its ServiceAccounts; for Namespace, its Namespace): a change to one of
// those re-evaluates every template of its namespace, a change to a template's owner the
// templates it can add, remove or replace (Inventory.PodTemplateDependents).
func TemplatesWith(templateKinds []schema.GroupKind, gk schema.GroupKind) *Dependencies {
	return &Dependencies{Kinds: append(slices.Clone(templateKinds), gk),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch {
			case o.GroupKind() == gk && gk == inventory.KindNamespace:
				return TemplatesIn(inv, o.Name()), false
			case o.GroupKind() == gk:
				return TemplatesIn(inv, o.Namespace()), false
			}
			return inv.PodTemplateDependents(o), false
		}}
}
