package secrets

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// referringKinds are the kinds whose objects can name a Secret of their namespace: the
// workloads (through their pod templates), ServiceAccounts and Ingresses.
var referringKinds = append([]schema.GroupKind{inventory.KindServiceAccount, inventory.KindIngress}, workloadKinds...)

// secretRef is one reference to a Secret, by name, from an object of its namespace.
type secretRef struct {
	from  *inventory.Object
	field string // the reference's field path in from
	// mounted marks a reference that puts the Secret's keys into a pod's files (a secret
	// volume or a projected volume's secret source).
	mounted bool
}

// String names the reference for messages: "Deployment shop/web (spec.template.spec.volumes[0].secret)".
func (r secretRef) String() string { return r.from.Ref().String() + " (" + r.field + ")" }

// nsName is a namespaced object's namespace and name.
type nsName struct{ namespace, name string }

// secretReferences indexes every reference to a Secret that the inventory's pod templates,
// ServiceAccounts and Ingresses hold, by the Secret's namespace and name, in inventory order.
// A pod template refers to a Secret through a volume (secret, projected, and the secretRef of
// CSI, CephFS, RBD, iSCSI, FlexVolume, Cinder, ScaleIO and StorageOS volumes, Azure File's
// secretName), an environment variable (secretKeyRef), envFrom (secretRef) or
// imagePullSecrets; a ServiceAccount through secrets and imagePullSecrets; an Ingress through
// spec.tls[].secretName. This is the one place that says which objects refer to which
// Secrets.
func secretReferences(inv *inventory.Inventory) map[nsName][]secretRef {
	return referencesFrom(inv.PodTemplates(), inv.ByKind(inventory.KindServiceAccount), inv.ByKind(inventory.KindIngress))
}

// referencesTo returns how a check run finds the references to a Secret (see
// secretReferences): over the whole inventory, or, in a run for some Secrets only (see
// check.Dependencies), over the objects of the Secret's namespace, read once per namespace.
func referencesTo(pass *check.Pass) func(nsName) []secretRef {
	inv := pass.Inventory
	if _, some := pass.Targets(); !some {
		var refs map[nsName][]secretRef // built on first use
		return func(k nsName) []secretRef {
			if refs == nil {
				refs = secretReferences(inv)
			}
			return refs[k]
		}
	}
	byNS := make(map[string]map[nsName][]secretRef)
	return func(k nsName) []secretRef {
		refs, ok := byNS[k.namespace]
		if !ok {
			ns := k.namespace
			refs = referencesFrom(inv.PodTemplatesIn(ns), inv.InNamespace(inventory.KindServiceAccount, ns),
				inv.InNamespace(inventory.KindIngress, ns))
			byNS[ns] = refs
		}
		return refs[k]
	}
}

// referencesFrom indexes the references to Secrets that templates, ServiceAccounts sas and
// Ingresses ings hold (see secretReferences).
func referencesFrom(templates []inventory.PodTemplate, sas, ings []*inventory.Object) map[nsName][]secretRef {
	refs := make(map[nsName][]secretRef)
	add := func(from *inventory.Object, name, field string, mounted bool) {
		if name == "" {
			return
		}
		k := nsName{from.Namespace(), name}
		refs[k] = append(refs[k], secretRef{from: from, field: field, mounted: mounted})
	}
	for _, t := range templates {
		s := t.Spec
		for i, v := range s.Volumes {
			field := t.Path + ".volumes[" + strconv.Itoa(i) + "]"
			for _, r := range volumeSecrets(v) {
				add(t.Owner, r.name, field+"."+r.field, r.mounted)
			}
		}
		for c := range containers(t) {
			for i, e := range c.env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					add(t.Owner, e.ValueFrom.SecretKeyRef.Name, c.field(fmt.Sprintf("env[%d].valueFrom.secretKeyRef", i)), false)
				}
			}
			for i, e := range c.envFrom {
				if e.SecretRef != nil {
					add(t.Owner, e.SecretRef.Name, c.field(fmt.Sprintf("envFrom[%d].secretRef", i)), false)
				}
			}
		}
		for i, p := range s.ImagePullSecrets {
			add(t.Owner, p.Name, fmt.Sprintf("%s.imagePullSecrets[%d]", t.Path, i), false)
		}
	}
	for _, o := range sas {
		sa, ok := o.Object().(*corev1.ServiceAccount)
		if !ok {
			continue
		}
		for i, s := range sa.Secrets {
			add(o, s.Name, fmt.Sprintf("secrets[%d]", i), false)
		}
		for i, p := range sa.ImagePullSecrets {
			add(o, p.Name, fmt.Sprintf("imagePullSecrets[%d]", i), false)
		}
	}
	for _, o := range ings {
		ing, ok := o.Object().(*networkingv1.Ingress)
		if !ok {
			continue
		}
		for i, tls := range ing.Spec.TLS {
			add(o, tls.SecretName, fmt.Sprintf("spec.tls[%d].secretName", i), false)
		}
	}
	return refs
}

// volumeSecret is a Secret one volume names.
type volumeSecret struct {
	name, field string
	mounted     bool
}

// volumeSecrets returns the Secrets volume v names, with their field paths within it.
func volumeSecrets(v corev1.Volume) []volumeSecret {
	var out []volumeSecret
	local := func(r *corev1.LocalObjectReference, field string) {
		if r != nil {
			out = append(out, volumeSecret{name: r.Name, field: field})
		}
	}
	switch {
	case v.Secret != nil:
		out = append(out, volumeSecret{v.Secret.SecretName, "secret.secretName", true})
	case v.Projected != nil:
		for i, src := range v.Projected.Sources {
			if src.Secret != nil {
				out = append(out, volumeSecret{src.Secret.Name, fmt.Sprintf("projected.sources[%d].secret", i), true})
			}
		}
	case v.CSI != nil:
		local(v.CSI.NodePublishSecretRef, "csi.nodePublishSecretRef")
	case v.CephFS != nil:
		local(v.CephFS.SecretRef, "cephfs.secretRef")
	case v.RBD != nil:
		local(v.RBD.SecretRef, "rbd.secretRef")
	case v.ISCSI != nil:
		local(v.ISCSI.SecretRef, "iscsi.secretRef")
	case v.FlexVolume != nil:
		local(v.FlexVolume.SecretRef, "flexVolume.secretRef")
	case v.Cinder != nil:
		local(v.Cinder.SecretRef, "cinder.secretRef")
	case v.ScaleIO != nil:
		local(v.ScaleIO.SecretRef, "scaleIO.secretRef")
	case v.StorageOS != nil:
		local(v.StorageOS.SecretRef, "storageos.secretRef")
	case v.AzureFile != nil:
		out = append(out, volumeSecret{name: v.AzureFile.SecretName, field: "azureFile.secretName"})
	}
	return out
}
