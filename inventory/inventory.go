package inventory

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Mode says where an inventory came from.
type Mode string

// Inventory modes.
const (
	// ModeCluster: listed from an API server.
	ModeCluster Mode = "cluster"
	// ModeManifests: read from manifest files.
	ModeManifests Mode = "manifests"
)

// Inventory is an immutable snapshot of a cluster's objects, with indexes for the lookups
// checks make. It is safe for concurrent use. Build one with a loader (FromClientset,
// FromConfig, LoadManifests) or with a Builder.
type Inventory struct {
	mode     Mode
	sources  []string
	version  string
	objects  []*Object
	byKind   map[schema.GroupKind][]*Object
	byNSKind map[nsKind][]*Object
	byName   map[objKey]*Object
	byUID    map[types.UID]*Object
	coverage map[schema.GroupKind]Coverage
	errs     []error
	warnings []error
	failures loadFailures
	podTmpls []PodTemplate
	complete bool // manifests declared complete (WithCompleteInput)
	// defaultNS is what a cluster load listed of namespace default beyond the built-in
	// kinds (WithDefaultNamespaceListing); nil when it did not.
	defaultNS *DefaultNamespaceListing
	// variantCount is the number of objects (kind, namespace, name) defined more than once.
	variantCount int
	// ov, when set, makes the inventory a snapshot derived from ov.base (see With): the
	// fields objects, byKind, byNSKind, byName, byUID and podTmpls are then unset.
	ov *overlay
	// tmplOnce guards podTmpls, built on first use where Build did not build it.
	tmplOnce sync.Once
}

type nsKind struct {
	gk schema.GroupKind
	ns string
}

type objKey struct {
	gk       schema.GroupKind
	ns, name string
}

// Mode returns where the inventory came from.
func (inv *Inventory) Mode() Mode { return inv.mode }

// Gap reports whether objects of kind gk may exist that the inventory does not hold, so that
// a check over that kind cannot conclude "there are none" or "these are all". A kind not seen
// completely is a gap, except that manifests hold what they hold: a kind with no object in
// them (Absent) is no gap, while one that input which failed to load may have held
// (Incomplete) is, as a kind that could not be listed is in a cluster. Checks share this one
// rule (check.UnseenKinds is its form for a list of kinds).
func (inv *Inventory) Gap(gk schema.GroupKind) bool {
	c := inv.Coverage(gk)
	return !c.Complete() && !(inv.mode == ModeManifests && c.State == Absent)
}

// InputComplete reports whether the inventory was read from manifests declared to be the
// whole cluster (WithCompleteInput).
func (inv *Inventory) InputComplete() bool { return inv.complete }

// Whole reports whether the inventory stands for a whole cluster, so that an object it lacks,
// of a kind whose Coverage is Complete, does not exist: true when it was listed from an API
// server (ModeCluster) or read from manifests declared complete (WithCompleteInput), false
// for other manifests, which are a part of a cluster. The bundled checks that judge what a
// pod references (the ConfigMaps its environment reads, the ServiceAccount it runs as) ask
// Whole and the kind's Coverage; the RBAC engine and the rbac checks over bindings take a
// kind Loaded from manifests as its whole set of objects (a binding to a Role the manifests
// lack names a missing role), as Coverage.Complete does. Objects the control plane creates itself
// (each namespace's default ServiceAccount, the bootstrap RBAC roles, control-plane pods, the
// labels controllers add to pods) are never in manifests, complete or not: checks tell them
// apart by Mode.
func (inv *Inventory) Whole() bool { return inv.mode == ModeCluster || inv.complete }

// ServerVersion returns the Kubernetes version of the API server the inventory was listed
// from (e.g. "v1.37.2"), or "" when it is not known (manifests).
func (inv *Inventory) ServerVersion() string { return inv.version }

// Sources returns what the inventory was read from: manifest paths or a cluster's address.
func (inv *Inventory) Sources() []string { return slices.Clone(inv.sources) }

// Len returns the number of objects, each definition of an object defined in several places
// counted.
func (inv *Inventory) Len() int {
	if inv.ov != nil {
		return inv.ov.n
	}
	return len(inv.objects)
}

// Objects returns every object, ordered by group, kind, namespace and name, then by source:
// every definition of an object the input defines in several places (see View). The slice is
// shared: do not modify it.
func (inv *Inventory) Objects() []*Object {
	if inv.ov != nil {
		return inv.ov.all(inv)
	}
	return inv.objects
}

// ByKind returns the objects of one kind, ordered by namespace and name, then by source: each
// definition of an object the input defines in several places, as every object to evaluate.
// For the objects a reference from an object means, use From(o).ByKind. The slice is shared:
// do not modify it.
func (inv *Inventory) ByKind(gk schema.GroupKind) []*Object {
	if inv.ov != nil {
		return inv.ov.kind(gk)
	}
	return inv.byKind[gk]
}

// InNamespace returns the objects of one kind in one namespace, ordered by name, then by
// source: each definition of an object the input defines in several places. For the objects a
// reference from an object means (the NetworkPolicies of a pod's namespace), use
// From(o).InNamespace. The slice is shared: do not modify it.
func (inv *Inventory) InNamespace(gk schema.GroupKind, namespace string) []*Object {
	if inv.ov != nil {
		return inv.ov.inNamespace(gk, namespace)
	}
	return inv.byNSKind[nsKind{gk, namespace}]
}

// Get returns the object of kind gk named name in namespace ("" for cluster-scoped kinds),
// or nil. When the input defines it in several places, Get returns the last definition in
// inventory order (by file, line, then render root), the one applying the input in that order would leave;
// a lookup on behalf of an object (what it references) goes through From(o).Get, which
// returns the nearest definition, and Variants returns them all.
func (inv *Inventory) Get(gk schema.GroupKind, namespace, name string) *Object {
	return inv.lookup(objKey{gk, namespace, name})
}

// ByUID returns the object with the given UID, or nil. Of objects sharing a UID (variants
// copied from one live object), it returns the last in inventory order.
func (inv *Inventory) ByUID(uid types.UID) *Object {
	if uid == "" {
		return nil
	}
	if inv.ov != nil {
		return inv.ov.byUID(uid)
	}
	return inv.byUID[uid]
}

// Kinds returns the kinds that have at least one object, in a fixed order.
func (inv *Inventory) Kinds() []schema.GroupKind {
	if inv.ov != nil {
		out := make([]schema.GroupKind, 0, len(inv.ov.counts))
		for gk := range inv.ov.counts {
			out = append(out, gk)
		}
		slices.SortFunc(out, compareGK)
		return out
	}
	out := make([]schema.GroupKind, 0, len(inv.byKind))
	for gk := range inv.byKind {
		out = append(out, gk)
	}
	slices.SortFunc(out, compareGK)
	return out
}

// Coverage returns how the kind gk was seen. A kind the loader never looked at and that has
// no objects is Absent, or Listed with a count of 0 when the manifests were declared
// complete (WithCompleteInput). A kind that input which failed to load may have held (see Errors) is
// Incomplete.
func (inv *Inventory) Coverage(gk schema.GroupKind) Coverage {
	return inv.failures.apply(inv.coverageAsLoaded(gk))
}

func (inv *Inventory) coverageAsLoaded(gk schema.GroupKind) Coverage {
	n := inv.count(gk)
	if c, ok := inv.coverage[gk]; ok {
		c.Count = n
		return c
	}
	if n > 0 {
		return Coverage{Group: gk.Group, Kind: gk.Kind, State: Loaded, Count: n}
	}
	if inv.complete {
		return Coverage{Group: gk.Group, Kind: gk.Kind, State: Listed,
			Reason: fmt.Sprintf("no %s in the manifests, which are declared complete", gk.Kind)}
	}
	return Coverage{Group: gk.Group, Kind: gk.Kind, State: Absent, NoneInInput: true,
		Reason: fmt.Sprintf("no %s in the input", gk.Kind)}
}

// CoverageAll returns the coverage of every built-in kind and of every other kind that has
// objects, in a fixed order.
func (inv *Inventory) CoverageAll() []Coverage {
	seen := make(map[schema.GroupKind]bool)
	var out []Coverage
	add := func(gk schema.GroupKind) {
		if !seen[gk] {
			seen[gk] = true
			out = append(out, inv.Coverage(gk))
		}
	}
	for _, k := range builtinKinds {
		add(k.GroupKind())
	}
	for _, gk := range inv.Kinds() {
		add(gk)
	}
	for gk := range inv.coverage {
		add(gk)
	}
	slices.SortFunc(out, func(a, b Coverage) int { return compareGK(a.GroupKind(), b.GroupKind()) })
	return out
}

// Unseen returns a reason when any of kinds is not completely known (see Coverage.Complete),
// and "" when all are. Checks use it to report notEvaluated instead of a false pass. Kinds
// not known for the same state and reason are named together ("roles, rolebindings
// incomplete: ...").
func (inv *Inventory) Unseen(kinds ...schema.GroupKind) string {
	type why struct {
		state  State
		reason string
	}
	var (
		order []why
		named = make(map[why][]string)
	)
	for _, gk := range kinds {
		c := inv.Coverage(gk)
		if c.Complete() {
			continue
		}
		w := why{c.State, c.Reason}
		if _, ok := named[w]; !ok {
			order = append(order, w)
		}
		if name := kindPlural(gk); !slices.Contains(named[w], name) {
			named[w] = append(named[w], name)
		}
	}
	reasons := make([]string, 0, len(order))
	for _, w := range order {
		r := fmt.Sprintf("%s %s", strings.Join(named[w], ", "), w.state)
		if w.reason != "" {
			r += ": " + w.reason
		}
		reasons = append(reasons, r)
	}
	return strings.Join(reasons, "; ")
}

func kindPlural(gk schema.GroupKind) string {
	if k, ok := LookupKind(gk); ok {
		return k.Resource
	}
	return gk.String()
}

// Errors returns the problems met while loading (each names its file and line, or its
// kind), in input order. Objects that loaded are in the inventory regardless.
func (inv *Inventory) Errors() []error { return slices.Clone(inv.errs) }

// Warnings returns remarks about input that was read and loaded (each names its file and
// line, or its object), in input order: an unknown field dropped (ErrUnknownField), a key
// written twice (ErrDuplicateKey), a document that is no Kubernetes object (a notice:
// ErrNotObject), a directory a Renderer claims but cannot render alone (see LoadManifests).
// Unlike Errors, warnings take nothing away from the inventory or from its coverage.
func (inv *Inventory) Warnings() []error { return slices.Clone(inv.warnings) }

// PodTemplates returns every pod specification in the inventory with the object that owns it:
// bare pods, and the templates of every workload kind (including a CronJob's job template).
// A pod or workload controlled by another object in the inventory (a Deployment's ReplicaSets
// and their pods, a CronJob's Jobs) is not repeated: its controller's template stands for it.
func (inv *Inventory) PodTemplates() []PodTemplate {
	inv.tmplOnce.Do(func() {
		if inv.podTmpls == nil {
			inv.podTmpls = buildPodTemplates(inv)
		}
	})
	return inv.podTmpls
}

// Typed accessors. Each returns the objects of one built-in kind, ordered by namespace and
// name, every definition of an object the input defines in several places included (as
// ByKind); the objects are shared and must not be modified.

// Namespaces returns the Namespaces.
func (inv *Inventory) Namespaces() []*corev1.Namespace {
	return typed[*corev1.Namespace](inv, KindNamespace)
}

// Nodes returns the Nodes.
func (inv *Inventory) Nodes() []*corev1.Node { return typed[*corev1.Node](inv, KindNode) }

// Pods returns the Pods.
func (inv *Inventory) Pods() []*corev1.Pod { return typed[*corev1.Pod](inv, KindPod) }

// ReplicationControllers returns the ReplicationControllers.
func (inv *Inventory) ReplicationControllers() []*corev1.ReplicationController {
	return typed[*corev1.ReplicationController](inv, KindReplicationController)
}

// ServiceAccounts returns the ServiceAccounts.
func (inv *Inventory) ServiceAccounts() []*corev1.ServiceAccount {
	return typed[*corev1.ServiceAccount](inv, KindServiceAccount)
}

// Services returns the Services.
func (inv *Inventory) Services() []*corev1.Service { return typed[*corev1.Service](inv, KindService) }

// Secrets returns the Secrets. They carry metadata, and their type when the loader could
// read it, only: the inventory never holds secret values. Secrets read as metadata (FromConfig,
// or FromClientset with WithMetadataClient) have an empty Type, which means unknown.
func (inv *Inventory) Secrets() []*corev1.Secret { return typed[*corev1.Secret](inv, KindSecret) }

// ConfigMaps returns the ConfigMaps.
func (inv *Inventory) ConfigMaps() []*corev1.ConfigMap {
	return typed[*corev1.ConfigMap](inv, KindConfigMap)
}

// ResourceQuotas returns the ResourceQuotas.
func (inv *Inventory) ResourceQuotas() []*corev1.ResourceQuota {
	return typed[*corev1.ResourceQuota](inv, KindResourceQuota)
}

// LimitRanges returns the LimitRanges.
func (inv *Inventory) LimitRanges() []*corev1.LimitRange {
	return typed[*corev1.LimitRange](inv, KindLimitRange)
}

// Deployments returns the Deployments.
func (inv *Inventory) Deployments() []*appsv1.Deployment {
	return typed[*appsv1.Deployment](inv, KindDeployment)
}

// ReplicaSets returns the ReplicaSets.
func (inv *Inventory) ReplicaSets() []*appsv1.ReplicaSet {
	return typed[*appsv1.ReplicaSet](inv, KindReplicaSet)
}

// StatefulSets returns the StatefulSets.
func (inv *Inventory) StatefulSets() []*appsv1.StatefulSet {
	return typed[*appsv1.StatefulSet](inv, KindStatefulSet)
}

// DaemonSets returns the DaemonSets.
func (inv *Inventory) DaemonSets() []*appsv1.DaemonSet {
	return typed[*appsv1.DaemonSet](inv, KindDaemonSet)
}

// Jobs returns the Jobs.
func (inv *Inventory) Jobs() []*batchv1.Job { return typed[*batchv1.Job](inv, KindJob) }

// CronJobs returns the CronJobs.
func (inv *Inventory) CronJobs() []*batchv1.CronJob { return typed[*batchv1.CronJob](inv, KindCronJob) }

// Roles returns the Roles.
func (inv *Inventory) Roles() []*rbacv1.Role { return typed[*rbacv1.Role](inv, KindRole) }

// ClusterRoles returns the ClusterRoles.
func (inv *Inventory) ClusterRoles() []*rbacv1.ClusterRole {
	return typed[*rbacv1.ClusterRole](inv, KindClusterRole)
}

// RoleBindings returns the RoleBindings.
func (inv *Inventory) RoleBindings() []*rbacv1.RoleBinding {
	return typed[*rbacv1.RoleBinding](inv, KindRoleBinding)
}

// ClusterRoleBindings returns the ClusterRoleBindings.
func (inv *Inventory) ClusterRoleBindings() []*rbacv1.ClusterRoleBinding {
	return typed[*rbacv1.ClusterRoleBinding](inv, KindClusterRoleBinding)
}

// NetworkPolicies returns the NetworkPolicies.
func (inv *Inventory) NetworkPolicies() []*networkingv1.NetworkPolicy {
	return typed[*networkingv1.NetworkPolicy](inv, KindNetworkPolicy)
}

// Ingresses returns the Ingresses.
func (inv *Inventory) Ingresses() []*networkingv1.Ingress {
	return typed[*networkingv1.Ingress](inv, KindIngress)
}

func typed[T any](inv *Inventory, gk schema.GroupKind) []T {
	objs := inv.ByKind(gk)
	out := make([]T, 0, len(objs))
	for _, o := range objs {
		if t, ok := o.obj.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

func compareGK(a, b schema.GroupKind) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind))
}

// compareObjects is the order of an inventory's objects: CompareObjects, ties broken by the
// order of Add. It is a total order.
func compareObjects(a, b *Object) int {
	return cmp.Or(compareIdentities(a, b), cmp.Compare(a.seq, b.seq))
}

// CompareObjects orders objects as an inventory and a check's results order them: by group,
// kind, namespace, name, and source (file, line, root), which tells apart the definitions of
// an object the input defines in several places. Two definitions read from the same place
// (rendered ones without a line) compare equal. Objects of one inventory compare by their
// place in it, without reading their names.
func CompareObjects(a, b *Object) int {
	if a.build != 0 && a.build == b.build {
		return cmp.Compare(a.rank, b.rank)
	}
	return compareIdentities(a, b)
}

func compareIdentities(a, b *Object) int {
	return cmp.Or(compareGK(a.GroupKind(), b.GroupKind()),
		cmp.Compare(a.Namespace(), b.Namespace()),
		cmp.Compare(a.Name(), b.Name()),
		cmp.Compare(a.source.File, b.source.File),
		cmp.Compare(a.source.Line, b.source.Line),
		cmp.Compare(a.source.Root, b.source.Root))
}

// ErrDuplicate is wrapped by the warning about an object that manifests define in several
// places (variants: all are kept, see View), and, for an inventory listed from an API server,
// by the error about an object listed twice (the second is dropped).
var ErrDuplicate = errors.New("duplicate object")
