package secrets

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// What the controls' results depend on (check.Dependencies), for a driver that keeps them
// current while the cluster changes (package monitor).
var (
	// templateDeps: secrets:secrets-in-env judges each pod template alone.
	templateDeps = &check.Dependencies{Kinds: workloadKinds, Affected: check.AffectedTemplates}
	// configMapDeps: secrets:configmap-credentials judges each ConfigMap alone.
	configMapDeps = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindConfigMap}, Affected: check.AffectedSelf}
	// rotationDeps: secrets:rotation-age judges each Secret alone, by its age: the time.
	rotationDeps = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindSecret}, Affected: check.AffectedSelf, Clock: true}
	// envCredentialsDeps: secrets:env-credentials judges each pod template with the ConfigMaps
	// of its namespace it reads; its result about no object says, when ConfigMaps were not
	// all seen, whether any template reads one: then a template's change re-runs it whole.
	envCredentialsDeps = &check.Dependencies{
		Kinds: append(slices.Clone(workloadKinds), inventory.KindConfigMap),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch {
			case o.GroupKind() == inventory.KindConfigMap:
				return check.TemplatesIn(inv, o.Namespace()), false
			case inv.Gap(inventory.KindConfigMap):
				return nil, true
			}
			return inv.PodTemplateDependents(o), false
		},
	}
	// referencedSecretDeps: secrets:unreferenced and secrets:legacy-sa-token judge each Secret
	// by what of its namespace references it (pod templates, ServiceAccounts, Ingresses) and,
	// for a token, by its ServiceAccount.
	referencedSecretDeps = &check.Dependencies{
		Kinds: append([]schema.GroupKind{inventory.KindSecret}, referringKinds...),
		Affected: func(inv *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			if o.GroupKind() == inventory.KindSecret {
				return []*inventory.Object{o}, false
			}
			return inv.InNamespace(inventory.KindSecret, o.Namespace()), false
		},
	}
	// readersDeps: secrets:readers answers from the RBAC objects, the Namespaces and where
	// Secrets are: a change to one of those re-runs it whole.
	readersDeps = &check.Dependencies{Kinds: append([]schema.GroupKind{inventory.KindNamespace, inventory.KindSecret}, authz.Kinds()...)}
	// encryptionDeps: secrets:encryption-at-rest reads node scans and the API server's pods,
	// which are where only administrators put pods: a change to one of those re-runs it
	// whole.
	encryptionDeps = &check.Dependencies{
		Kinds: []schema.GroupKind{inventory.KindNodeFiles, inventory.KindPod},
		Affected: func(_ *inventory.Inventory, o *inventory.Object) ([]*inventory.Object, bool) {
			switch ns := o.Namespace(); {
			case o.GroupKind() == inventory.KindNodeFiles:
				return nil, true
			case ns == metav1.NamespaceSystem || ns == "" || ns == metav1.NamespaceDefault:
				return nil, true
			}
			return nil, false
		},
	}
)
