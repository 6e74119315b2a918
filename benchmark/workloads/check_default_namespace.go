// workloads:default-namespace inspects the objects of every namespaced kind in namespace
// default: the inventory's built-in kinds (workloads, Services, ConfigMaps, Secrets,
// ServiceAccounts, RBAC, NetworkPolicies, Ingresses, quotas, ...) and, in manifests, any
// other kind the API server or a CustomResourceDefinition in the input says is namespaced
// (Endpoints, PersistentVolumeClaims, custom resources, ...). It fails for each such object
// the control plane did not create itself, and passes, about no object, when there is none.
// The control plane's own objects are recognised by content, not by name alone: the
// kubernetes Service (no selector, one TCP port https 443, which the API server reconciles;
// a Service so named with a selector sends the API server's address elsewhere), its Endpoints
// and EndpointSlice, the kube-root-ca.crt ConfigMap (only the key ca.crt), the default
// ServiceAccount (which nobody else can create) and its legacy token Secret. An object whose
// controller is in the inventory is left to its controller. An object of a namespaced kind
// written without a namespace, of a kind the inventory does not hold as typed (which the
// loader cannot place), is not evaluated: it lands in default unless it is applied with
// another namespace; one whose kind's scope is not known is counted in one notEvaluated
// result about no object.
//
// From a cluster, the built-in kinds are not all there is: the check also reads what the load
// listed of namespace default's other namespaced resources (inventory.WithDefaultNamespaceListing:
// PersistentVolumeClaims, Leases, Endpoints, EndpointSlices, custom resources, ...; names,
// labels and owner references), and fails each such object as well, but for the API
// server's Endpoints and EndpointSlice of the kubernetes Service (told by their ports, read
// whole) and those whose controller was listed in default too. It passes only when every one
// of those resources was listed; a load that did not list them, a discovery that failed for
// some group, a resource the scanner may not list or whose list failed, make the result
// about no object notEvaluated, naming them and why, beside the fails found. Decisions, from
// Kubernetes' own behaviour:
//   - Events (core and events.k8s.io) are not judged: they are records about other objects,
//     which the kubelet and the controllers write into default for cluster-scoped objects such
//     as Nodes on every cluster, and which the API server deletes after --event-ttl.
//   - Leases are judged: the control plane keeps none in default (its leader-election and
//     identity Leases are in kube-system, node heartbeats in kube-node-lease; the API
//     server's endpoint reconciler keeps its own records in storage, not as Leases), so a Lease
//     in default is some other program's.
//   - Resources that cannot be listed or created (PodMetrics of metrics.k8s.io and other views
//     an aggregated API computes from other objects) hold nothing anyone placed in default.

package workloads

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// namespacedKinds are the inventory's built-in kinds that live in a namespace.
var namespacedKinds = func() []schema.GroupKind {
	var out []schema.GroupKind
	for _, k := range inventory.BuiltinKinds() {
		if k.Namespaced {
			out = append(out, k.GroupKind())
		}
	}
	return out
}()

// DefaultNamespace returns the check workloads:default-namespace: namespace default holds
// only what the control plane puts there.
func DefaultNamespace() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:default-namespace",
		Section: Section,
		Title:   "Nothing but the control plane's own objects is in namespace default",
		Description: "Namespace default is where everything lands that names no namespace: it " +
			"mixes unrelated applications under one set of RBAC grants, quotas, network policies " +
			"and Pod Security labels, and a kubectl apply without -n quietly changes it. Inspects " +
			"the objects of every namespaced kind in namespace default (not only pods; on a cluster, " +
			"every namespaced resource the API server serves, when the load lists them). Passes " +
			"when it holds none but the control plane's own (the kubernetes Service, its " +
			"endpoints, the kube-root-ca.crt ConfigMap and the default ServiceAccount, recognised " +
			"by their content).",
		Severity: check.Low,
		Remediation: "Move the objects into a namespace of their own (with its RBAC, quota, " +
			"NetworkPolicies and Pod Security labels), and set a namespace in every manifest.",
		References: []string{refNS, refCIS + " 5.6.4"},
		Kinds:      slices.Clone(namespacedKinds),
		Depends:    defaultNamespaceDeps,
	}, runDefaultNamespace)
}

func runDefaultNamespace(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	crs := inventory.CustomResources(inv)
	found := 0
	unknown := map[string]int{} // kinds of unknown scope written without a namespace
	for _, gk := range inv.Kinds() {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch inventory.ScopeOf(gk, crs) {
		case inventory.ScopeCluster:
			continue
		case inventory.ScopeNamespaced:
			if _, typed := inventory.LookupKind(gk); !typed {
				for _, o := range inv.InNamespace(gk, "") {
					pass.NotEvaluatedf(o, "%s is written without a namespace: it lands in namespace default unless "+
						"it is applied to another one", o)
				}
			}
		default:
			if n := len(inv.InNamespace(gk, "")); n > 0 {
				unknown[kindName(gk)] += n
			}
		}
		for _, o := range inv.InNamespace(gk, metav1.NamespaceDefault) {
			if builtinDefaultObject(o) || controlled(inv, nil, o) {
				continue
			}
			found++
			pass.Failf(o, "metadata.namespace", "%s is in namespace default", o)
		}
	}
	if len(unknown) > 0 {
		var kinds []string
		for _, k := range slices.Sorted(maps.Keys(unknown)) {
			kinds = append(kinds, fmt.Sprintf("%s (%d)", k, unknown[k]))
		}
		pass.NotEvaluatedf(nil, "objects of kinds whose scope is not known (no CustomResourceDefinition for them in the "+
			"input) are written without a namespace: if namespaced, they land in namespace default: %s", strings.Join(kinds, ", "))
	}
	listed, unlisted, err := otherResourcesOfDefault(ctx, inv)
	if err != nil {
		return err
	}
	for _, o := range listed {
		found++
		pass.Failf(o, "metadata.namespace", "%s is in namespace default", o)
	}
	reason := check.UnseenKinds(inv, namespacedKinds...)
	if unlisted != "" {
		reason = strings.Join(slices.DeleteFunc([]string{reason, unlisted}, func(s string) bool { return s == "" }), "; ")
	}
	switch {
	case found > 0 && reason != "":
		pass.NotEvaluated(nil, check.NotSeenMessage(reason))
	case found > 0:
	case reason != "":
		pass.NotEvaluated(nil, "no object but the control plane's own in namespace default, but some kinds were not "+
			"completely seen: "+reason)
	default:
		pass.Pass(nil, "no object but the control plane's own in namespace default")
	}
	return nil
}

// otherResourcesOfDefault returns the objects of namespace default that a cluster load listed
// beyond the built-in kinds (inventory.WithDefaultNamespaceListing) and that the check fails,
// and check.UnlistedInDefault: why those resources were not all listed ("" when they were,
// and for manifests, which hold every kind there is). It fails only when ctx ends: a run cut
// short has looked at part of the listing, which says nothing.
func otherResourcesOfDefault(ctx context.Context, inv *inventory.Inventory) ([]*inventory.Object, string, error) {
	l := inv.DefaultNamespaceListing()
	if inv.Mode() != inventory.ModeCluster || l == nil {
		return nil, check.UnlistedInDefault(inv), nil
	}
	var out []*inventory.Object
	for _, o := range l.Objects() {
		if err := ctx.Err(); err != nil {
			return nil, "", err
		}
		// An object also in the inventory (put there by an edit) was judged with it.
		if inv.Get(o.GroupKind(), o.Namespace(), o.Name()) != nil || builtinDefaultObject(o) || controlled(inv, l, o) {
			continue
		}
		out = append(out, o)
	}
	return out, check.UnlistedInDefault(inv), nil
}

// kindName writes a kind as kubectl does: "Widget.example.com", or "Endpoints" in the core group.
func kindName(gk schema.GroupKind) string {
	if gk.Group == "" {
		return gk.Kind
	}
	return gk.Kind + "." + gk.Group
}

// controlled reports whether o has a controller that the inventory holds (in o's namespace,
// where a namespaced owner must be), or, for o of listing l (nil for an object of the
// inventory), that l holds: its verdict is its controller's.
func controlled(inv *inventory.Inventory, l *inventory.DefaultNamespaceListing, o *inventory.Object) bool {
	ref := metav1.GetControllerOfNoCopy(o.Meta())
	if ref == nil {
		return false
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return false
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: ref.Kind}
	owner := lookup(inv, o, gk, o.Namespace(), ref.Name)
	if owner == nil && l != nil {
		owner = l.Get(gk, ref.Name)
	}
	// A reference with a UID names that object only: one recreated under the name is another.
	// An object that names itself its controller is left to no one.
	return owner != nil && owner != o && (ref.UID == "" || owner.Meta().GetUID() == "" || owner.Meta().GetUID() == ref.UID)
}

// Labels and names of the control plane's objects in namespace default.
const (
	kubernetesService = "kubernetes"
	labelServiceName  = "kubernetes.io/service-name"
	labelSkipMirror   = "endpointslice.kubernetes.io/skip-mirror"
	rootCAConfigMap   = "kube-root-ca.crt"
	rootCAKey         = "ca.crt"
	legacyTokenPrefix = "default-token-"
	apiServerPortName = "https"
	apiServerSvcPort  = 443
)

var (
	kindEndpoints     = schema.GroupKind{Kind: "Endpoints"}
	kindEndpointSlice = schema.GroupKind{Group: "discovery.k8s.io", Kind: "EndpointSlice"}
)

// builtinDefaultObject reports whether o, in namespace default, is one the control plane
// creates and keeps there, by its content: the kubernetes Service (the API server reconciles
// it: no selector, one TCP port https 443; its labels component=apiserver and
// provider=kubernetes are not required, as trimmed dumps drop them) and its Endpoints and
// EndpointSlice (ports named https only), the kube-root-ca.crt ConfigMap (the key ca.crt
// only), the default ServiceAccount (its name is taken in every namespace) and that
// ServiceAccount's legacy token Secret (named default-token-..., of type
// service-account-token, or of no type when listed as metadata only).
func builtinDefaultObject(o *inventory.Object) bool {
	switch obj := o.Object().(type) {
	case *corev1.Service:
		s := obj.Spec
		return obj.Name == kubernetesService && len(s.Selector) == 0 && len(s.Ports) == 1 &&
			s.Ports[0].Name == apiServerPortName && s.Ports[0].Port == apiServerSvcPort &&
			(s.Ports[0].Protocol == "" || s.Ports[0].Protocol == corev1.ProtocolTCP)
	case *corev1.ConfigMap:
		_, ca := obj.Data[rootCAKey]
		return obj.Name == rootCAConfigMap && ca && len(obj.Data) == 1 && len(obj.BinaryData) == 0
	case *corev1.ServiceAccount:
		return obj.Name == "default"
	case *corev1.Secret:
		// Secrets listed as metadata only have no type (unknown).
		return (obj.Type == corev1.SecretTypeServiceAccountToken || obj.Type == "") &&
			strings.HasPrefix(obj.Name, legacyTokenPrefix) && obj.Annotations[corev1.ServiceAccountNameKey] == "default"
	case *unstructured.Unstructured:
		if o.Name() != kubernetesService {
			return false
		}
		switch o.GroupKind() {
		case kindEndpoints:
			return obj.GetLabels()[labelSkipMirror] == "true" && onlyHTTPSPorts(obj.Object, "subsets")
		case kindEndpointSlice:
			return obj.GetLabels()[labelServiceName] == kubernetesService && onlyHTTPSPorts(obj.Object)
		}
	}
	return false
}

// onlyHTTPSPorts reports whether every port of an Endpoints (under its subsets) or an
// EndpointSlice is named https, and there is one.
func onlyHTTPSPorts(obj map[string]any, subsets ...string) bool {
	var lists [][]any
	if len(subsets) > 0 {
		ss, _, _ := unstructured.NestedSlice(obj, subsets...)
		for _, s := range ss {
			if m, ok := s.(map[string]any); ok {
				p, _, _ := unstructured.NestedSlice(m, "ports")
				lists = append(lists, p)
			}
		}
	} else {
		p, _, _ := unstructured.NestedSlice(obj, "ports")
		lists = append(lists, p)
	}
	n := 0
	for _, ports := range lists {
		for _, p := range ports {
			m, ok := p.(map[string]any)
			if !ok || m["name"] != apiServerPortName {
				return false
			}
			n++
		}
	}
	return n > 0
}
