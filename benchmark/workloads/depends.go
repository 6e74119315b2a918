package workloads

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// What the controls' results depend on (check.Dependencies), for a driver that keeps them
// current while the cluster changes (package monitor). Each is one value shared by the controls
// that depend alike, so that a driver asks it once per change for all of them.
var (
	// templateDeps: a result about a pod template reads the template alone.
	templateDeps = &check.Dependencies{Kinds: workloadKinds, Affected: check.AffectedTemplates}
	// limitRangeDeps: a result about a pod template reads also the LimitRanges of its
	// namespace (workloads:resource-requests, workloads:resource-limits).
	limitRangeDeps = check.TemplatesWith(workloadKinds, inventory.KindLimitRange)
	// serviceAccountDeps: a result about a pod template reads also the ServiceAccounts of its
	// namespace (workloads:missing-serviceaccount, workloads:workload-default-sa).
	serviceAccountDeps = check.TemplatesWith(workloadKinds, inventory.KindServiceAccount)
	// allowedRegistriesDeps: workloads:allowed-registries, whose CEL rule runs over every pod
	// template, is re-run whole when one changes, and only then.
	allowedRegistriesDeps = &check.Dependencies{Kinds: workloadKinds}
	// podDeps and serviceAccountsDeps: a result about a Pod (workloads:naked-pod), a
	// ServiceAccount (workloads:default-sa-automount) reads that object alone.
	podDeps             = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindPod}, Affected: check.AffectedSelf}
	serviceAccountsDeps = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindServiceAccount}, Affected: check.AffectedSelf}
	// defaultSADeps: workloads:default-sa-automount judges each default ServiceAccount alone,
	// and, from manifests, each Namespace by whether its default ServiceAccount is there.
	defaultSADeps = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindServiceAccount, inventory.KindNamespace},
		Affected: check.AffectedDefaultServiceAccount}
	// defaultNamespaceDeps: workloads:default-namespace reads the objects of namespace default
	// (and their owners, there too), those written without a namespace whose kind may be
	// namespaced, and CustomResourceDefinitions (the scope of kinds); its results about no
	// object count what it found; and the listing of namespace default's other resources. A
	// change to any of those re-runs it whole; no other does.
	defaultNamespaceDeps = &check.Dependencies{DefaultNamespace: true, Affected: func(_ *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
		gk := o.GroupKind()
		switch ns := o.Namespace(); {
		case ns == metav1.NamespaceDefault || gk == inventory.KindCustomResourceDefinition:
			return nil, true
		case ns == "":
			return nil, inventory.ScopeOf(gk, nil) != inventory.ScopeCluster
		}
		return nil, false
	}}
)
