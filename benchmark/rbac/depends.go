package rbac

import (
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// What the controls' results depend on (check.Dependencies), for a driver that keeps them
// current while the cluster changes (package monitor). Every control reads the RBAC objects
// through the engine, whose answers a change to any of them can move anywhere: such a change
// re-runs the controls whole.
var (
	// bindingDeps: the controls over bindings and what they grant read the RBAC objects only.
	bindingDeps = &check.Dependencies{Kinds: authz.Kinds()}
	// missingServiceAccountDeps: rbac:missing-serviceaccount reads the ServiceAccounts too.
	missingServiceAccountDeps = &check.Dependencies{Kinds: append(authz.Kinds(), inventory.KindServiceAccount)}
	// workloadServiceAccountDeps: rbac:workload-serviceaccount judges each pod template by the
	// ServiceAccount it runs as (of its namespace) and what RBAC grants it.
	workloadServiceAccountDeps = &check.Dependencies{
		Kinds: slices.Concat(podTemplateKinds, []schema.GroupKind{inventory.KindServiceAccount}, authz.Kinds()),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch gk := o.GroupKind(); {
			case slices.Contains(authz.Kinds(), gk):
				return nil, true
			case gk == inventory.KindServiceAccount:
				return check.TemplatesIn(inv, o.Namespace()), false
			}
			return inv.PodTemplateDependents(o), false
		},
	}
	// unusedServiceAccountDeps: rbac:unused-serviceaccount judges each ServiceAccount by the
	// pod templates and token Secrets of its namespace and the bindings that name it.
	unusedServiceAccountDeps = &check.Dependencies{
		Kinds: slices.Concat([]schema.GroupKind{inventory.KindServiceAccount, inventory.KindSecret}, podTemplateKinds, authz.Kinds()),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch gk := o.GroupKind(); {
			case slices.Contains(authz.Kinds(), gk):
				return nil, true
			case gk == inventory.KindServiceAccount:
				return []*inventory.Object{o}, false
			}
			return inv.InNamespace(inventory.KindServiceAccount, o.Namespace()), false
		},
	}
)
