package pss

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// What the controls' results depend on (check.Dependencies), for a driver that keeps them
// current while the cluster changes (package monitor).
var (
	// templateDeps: the controls of pss-baseline and pss-restricted judge each pod template
	// alone, as the admission controller judges a pod.
	templateDeps = &check.Dependencies{Kinds: workloadKinds, Affected: check.AffectedTemplates}
	// namespaceDeps: pss:namespace-enforce-label judges each Namespace by its own labels.
	namespaceDeps = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindNamespace}, Affected: check.AffectedSelf}
	// namespacedTemplateDeps: the namespace violation controls judge each pod template against
	// the policy its Namespace's labels set: a Namespace's change re-evaluates the templates
	// of that namespace.
	namespacedTemplateDeps = check.TemplatesWith(workloadKinds, inventory.KindNamespace)
)
