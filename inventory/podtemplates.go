package inventory

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// PodTemplate is one pod specification in the inventory and the object that owns it.
// Inventory.PodTemplates does not repeat a pod or workload whose controller's template stands
// for it, except one that runs what that template does not describe: a pod with ephemeral
// containers, or a ReplicaSet still scaled up whose template is no longer its Deployment's.
type PodTemplate struct {
	// Owner is the object that holds the template: the Pod itself, or the workload.
	Owner *Object
	// Metadata is the pod's metadata (a template's own metadata for workloads). For a
	// workload template, its namespace is empty: the pod runs in Owner's namespace.
	Metadata *metav1.ObjectMeta
	// Spec is the pod specification.
	Spec *corev1.PodSpec
	// Path is the field path of Spec within Owner, e.g. "spec.template.spec".
	Path string
}

// Namespace returns the namespace the pods run in.
func (t PodTemplate) Namespace() string { return t.Owner.Namespace() }

func buildPodTemplates(inv *Inventory) []PodTemplate {
	var out []PodTemplate
	d := drift{seen: make(map[string]bool), signatures: make(map[*Object]string)}
	for _, o := range inv.Objects() {
		t, ok := templateOf(o)
		if !ok || controlledByInventory(inv, o, &d) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// templateOf returns the pod specification o holds (a Pod's own, a workload's template), with
// o as its owner.
func templateOf(o *Object) (PodTemplate, bool) {
	meta, spec, path, ok := podSpecOf(o.obj)
	return PodTemplate{Owner: o, Metadata: meta, Spec: spec, Path: path}, ok
}

// podSpecOf returns the pod specification a built-in object holds, its metadata and its field
// path: a Pod's own, or the template of a workload kind (including a CronJob's job template).
func podSpecOf(obj runtime.Object) (meta *metav1.ObjectMeta, spec *corev1.PodSpec, path string, ok bool) {
	var tmpl *corev1.PodTemplateSpec
	switch o := obj.(type) {
	case *corev1.Pod:
		return &o.ObjectMeta, &o.Spec, "spec", true
	case *corev1.ReplicationController:
		tmpl = o.Spec.Template
	case *appsv1.Deployment:
		tmpl = &o.Spec.Template
	case *appsv1.ReplicaSet:
		tmpl = &o.Spec.Template
	case *appsv1.StatefulSet:
		tmpl = &o.Spec.Template
	case *appsv1.DaemonSet:
		tmpl = &o.Spec.Template
	case *batchv1.Job:
		tmpl = &o.Spec.Template
	case *batchv1.CronJob:
		t := &o.Spec.JobTemplate.Spec.Template
		return &t.ObjectMeta, &t.Spec, "spec.jobTemplate.spec.template.spec", true
	}
	if tmpl == nil {
		return nil, nil, "", false
	}
	return &tmpl.ObjectMeta, &tmpl.Spec, "spec.template.spec", true
}

// drift is what buildPodTemplates remembers about drifted pods: those already reported, by
// controller and signature, so that pods that drifted alike are reported once; and the
// signature of each controller's template, computed once.
type drift struct {
	seen       map[string]bool
	signatures map[*Object]string
}

// templateSignature returns podSignature of c's template, or "" when c holds none.
func (d *drift) templateSignature(c *Object) string {
	sig, ok := d.signatures[c]
	if !ok {
		if t, isTemplate := templateOf(c); isTemplate {
			sig = podSignature(t.Spec)
		}
		d.signatures[c] = sig
	}
	return sig
}

// controlledByInventory reports whether o's controller is itself in the inventory and holds
// a pod template that stands for o (see templateController).
//
// d remembers the drifted pods already reported (see drifted), so that of the pods of one
// controller that drifted alike only the first stands for the others.
func controlledByInventory(inv *Inventory, o *Object, d *drift) bool {
	c := templateController(inv, o)
	if c == nil {
		return false
	}
	if !d.drifted(o, c) {
		return true
	}
	if p, ok := o.obj.(*corev1.Pod); ok && len(p.Spec.EphemeralContainers) == 0 {
		key := driftKey(c, p)
		if d.seen[key] {
			return true // a pod drifted like this one is already reported
		}
		d.seen[key] = true
	}
	return false
}

// driftKey identifies the pods of controller c that drifted alike: of those, only the first in
// inventory order has a template of its own.
func driftKey(c *Object, p *corev1.Pod) string {
	return string(c.uid) + "/" + c.String() + "/" + c.source.String() + "/" + podSignature(&p.Spec)
}

// templateController returns o's controller when the inventory holds it and it holds a pod
// template: by UID when the reference has one, else (manifests) by kind and name in o's
// namespace; of a controller defined in several places, the definition nearest o (see View).
// A controller of another kind does not count (a static pod's mirror pod is controlled by its
// Node, which has no pod template), nor one in another namespace than o's, which the garbage
// collector does not take as an owner either.
func templateController(inv *Inventory, o *Object) *Object {
	ref := metav1.GetControllerOfNoCopy(o.meta)
	if ref == nil {
		return nil
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: ref.Kind}
	if !holdsPodTemplate(gk) {
		return nil
	}
	view := inv.From(o)
	var c *Object
	if ref.UID != "" {
		if c = inv.ByUID(ref.UID); c != nil && (c.GroupKind() != gk || c.namespace != o.namespace) {
			return nil
		}
		if c != nil && c.variant != nil {
			c = view.Get(gk, c.Namespace(), c.Name()) // variants share their UID: the nearest
		}
	}
	if c == nil {
		c = view.Get(gk, o.Namespace(), ref.Name)
		if c == nil || ref.UID != "" && c.meta.GetUID() != "" && c.meta.GetUID() != ref.UID {
			return nil
		}
	}
	return c
}

// PodTemplateOf returns the pod template o stands for in PodTemplates, and true; false when o
// holds no pod specification or its controller's template stands for it. It answers for one
// object what PodTemplates answers for all, reading o, its controller and, for a pod that
// runs what its controller's template does not describe, the pods before it in its namespace
// that the same controller controls: a driver that re-evaluates a few objects (package
// monitor) asks it for those.
func (inv *Inventory) PodTemplateOf(o *Object) (PodTemplate, bool) {
	t, ok := templateOf(o)
	if !ok {
		return PodTemplate{}, false
	}
	c := templateController(inv, o)
	if c == nil {
		return t, true
	}
	d := drift{seen: make(map[string]bool), signatures: make(map[*Object]string)}
	if !d.drifted(o, c) {
		return PodTemplate{}, false
	}
	pod, ok := o.obj.(*corev1.Pod)
	if !ok || len(pod.Spec.EphemeralContainers) > 0 {
		return t, true
	}
	if first := firstDriftedLike(inv, c, pod, o); first != nil && first != o {
		return PodTemplate{}, false
	}
	return t, true
}

// firstDriftedLike returns the first pod, in inventory order, of o's namespace that c
// controls, has no ephemeral containers and runs the pod specification pod has (so that it
// drifted alike): o itself when none comes before it, or nil when o is not in the inventory and
// none is.
func firstDriftedLike(inv *Inventory, c *Object, pod *corev1.Pod, o *Object) *Object {
	sig := podSignature(&pod.Spec)
	for _, p := range inv.InNamespace(KindPod, o.namespace) {
		if p == o {
			return o
		}
		pp, ok := p.obj.(*corev1.Pod)
		if !ok || len(pp.Spec.EphemeralContainers) > 0 || !sameControllerRef(o, p) {
			continue
		}
		if templateController(inv, p) == c && podSignature(&pp.Spec) == sig {
			return p
		}
	}
	return nil
}

// sameControllerRef reports whether a and b may name the same controller (of one kind, by
// name or by UID): a cheap test before resolving the references.
func sameControllerRef(a, b *Object) bool {
	ra, rb := metav1.GetControllerOfNoCopy(a.meta), metav1.GetControllerOfNoCopy(b.meta)
	return ra != nil && rb != nil && ra.Kind == rb.Kind && (ra.Name == rb.Name || ra.UID != "" && ra.UID == rb.UID)
}

// PodTemplateDependents returns the objects whose PodTemplateOf can change when o does, o
// first: the objects o controls, whose template o's stands for; and, for a pod whose
// controller's template does not stand for it, every other pod that drifted alike from the
// same controller: which of them stands for the group depends on which remain (see
// PodTemplates). A driver asks it of the
// inventory before a change with o's old version and of the one after with its new version:
// the union is every object whose pod template the change may add, remove or replace.
func (inv *Inventory) PodTemplateDependents(o *Object) []*Object {
	out := []*Object{o}
	gk := o.GroupKind()
	if holdsPodTemplate(gk) {
		for _, k := range PodTemplateKinds() {
			for _, x := range inv.InNamespace(k, o.namespace) {
				ref := metav1.GetControllerOfNoCopy(x.meta)
				if ref != nil && x != o && (ref.UID != "" && ref.UID == o.uid || ref.Kind == gk.Kind && ref.Name == o.name) {
					out = append(out, x)
				}
			}
		}
		return out
	}
	pod, ok := o.obj.(*corev1.Pod)
	if !ok || len(pod.Spec.EphemeralContainers) > 0 {
		return out
	}
	c := templateController(inv, o)
	if c == nil {
		return out
	}
	d := drift{seen: make(map[string]bool), signatures: make(map[*Object]string)}
	if !d.drifted(o, c) {
		return out
	}
	sig := podSignature(&pod.Spec)
	for _, p := range inv.InNamespace(KindPod, o.namespace) {
		pp, ok := p.obj.(*corev1.Pod)
		if p == o || !ok || len(pp.Spec.EphemeralContainers) > 0 || !sameControllerRef(o, p) {
			continue
		}
		// Every pod of the group, not only the next: which of them stands for the group
		// depends on the others of it that remain.
		if templateController(inv, p) == c && podSignature(&pp.Spec) == sig {
			out = append(out, p)
		}
	}
	return out
}

// drifted reports whether o, controlled by c, runs something c's template does not describe,
// so that c's template cannot stand for it: a pod with ephemeral containers (added to the
// running pod, as kubectl debug does; no template holds them), a pod whose containers, volumes,
// host namespaces or privileges differ from its controller's template (a sidecar or volume an
// admission webhook injected, a pod kept from an older template), or a ReplicaSet still scaled
// up whose template is not its Deployment's (an old revision during, or stuck in, a rollout).
// The service-account token volume the API server adds to every pod is not a difference.
func (d *drift) drifted(o, c *Object) bool {
	switch obj := o.obj.(type) {
	case *corev1.Pod:
		if len(obj.Spec.EphemeralContainers) > 0 {
			return true
		}
		ts := d.templateSignature(c)
		return ts != "" && podSignature(&obj.Spec) != ts
	case *appsv1.ReplicaSet:
		d, ok := c.obj.(*appsv1.Deployment)
		if !ok || obj.Spec.Replicas != nil && *obj.Spec.Replicas == 0 {
			return false
		}
		return !equality.Semantic.DeepEqual(obj.Spec.Template.Spec, d.Spec.Template.Spec) ||
			!equality.Semantic.DeepEqual(obj.Spec.Template.Annotations, d.Spec.Template.Annotations)
	}
	return false
}

// templateKinds are the kinds whose objects carry a pod template.
var templateKinds = []schema.GroupKind{KindReplicationController, KindDeployment, KindReplicaSet,
	KindStatefulSet, KindDaemonSet, KindJob, KindCronJob}

// PodTemplateKinds returns the kinds PodTemplates draws from: Pod and every kind whose
// objects carry a pod template. The slice is the caller's. A check over pod templates declares
// them in check.Meta.Kinds.
func PodTemplateKinds() []schema.GroupKind {
	return append([]schema.GroupKind{KindPod}, templateKinds...)
}

// holdsPodTemplate reports whether objects of kind gk carry a pod template (see
// buildPodTemplates).
func holdsPodTemplate(gk schema.GroupKind) bool { return slices.Contains(templateKinds, gk) }

// podSignature sums up what of a pod spec security controls judge and admission webhooks
// change: host namespaces, every container's name, privileged flag and added capabilities,
// and the volumes (but the API server's own service-account token volume).
func podSignature(s *corev1.PodSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "net=%t pid=%t ipc=%t;", s.HostNetwork, s.HostPID, s.HostIPC)
	for _, list := range [][]corev1.Container{s.InitContainers, s.Containers} {
		for i := range list {
			c := &list[i]
			b.WriteString(c.Name)
			if sc := c.SecurityContext; sc != nil {
				if sc.Privileged != nil && *sc.Privileged {
					b.WriteString("+privileged")
				}
				if sc.Capabilities != nil {
					for _, capability := range sc.Capabilities.Add {
						b.WriteString("+" + string(capability))
					}
				}
			}
			b.WriteByte(',')
		}
		b.WriteByte(';')
	}
	for i := range s.Volumes {
		v := &s.Volumes[i]
		if strings.HasPrefix(v.Name, "kube-api-access-") && v.Projected != nil {
			continue
		}
		b.WriteString(v.Name)
		if v.HostPath != nil {
			b.WriteString("=hostPath:" + v.HostPath.Path)
		}
		b.WriteByte(',')
	}
	return b.String()
}

// PodTemplatesIn returns the pod templates of namespace ns, in the order PodTemplates gives
// them: what PodTemplates holds of that namespace, found from its objects alone (see
// PodTemplateOf).
func (inv *Inventory) PodTemplatesIn(ns string) []PodTemplate {
	var out []PodTemplate
	for _, gk := range sortedTemplateKinds {
		for _, o := range inv.InNamespace(gk, ns) {
			if t, ok := inv.PodTemplateOf(o); ok {
				out = append(out, t)
			}
		}
	}
	return out
}

// sortedTemplateKinds are PodTemplateKinds in inventory order.
var sortedTemplateKinds = func() []schema.GroupKind {
	ks := PodTemplateKinds()
	slices.SortFunc(ks, compareGK)
	return ks
}()
