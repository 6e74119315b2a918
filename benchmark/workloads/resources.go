package workloads

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
	"github.com/kspm-dev/kspm/inventory"
)

// paramResources is the parameter of workloads:resource-requests and
// workloads:resource-limits: the resources every container must have.
const paramResources = "resources"

// resourcesParam declares paramResources, with what it asks for (requests or limits).
func resourcesParam(what string) check.Param {
	return check.Param{
		Name:        paramResources,
		Type:        check.ParamStringList,
		Default:     []string{string(corev1.ResourceCPU), string(corev1.ResourceMemory), string(corev1.ResourceEphemeralStorage)},
		Description: "The resources every container needs " + what + " for, e.g. cpu,memory (an empty list checks none).",
	}
}

// podLevelResources are the resources a pod's spec.resources may set for all its
// containers together (besides hugepages).
var podLevelResources = map[corev1.ResourceName]bool{corev1.ResourceCPU: true, corev1.ResourceMemory: true}

// admissionDefaults are what the LimitRanges of one namespace set on the containers of a pod
// created there: for each resource, the LimitRange that sets it.
type admissionDefaults struct {
	limits, requests map[corev1.ResourceName]*inventory.Object
}

// limitRangeDefaults returns what the LimitRanger admission plugin sets on a container that
// lacks them, from the LimitRanges of namespace ns. Each LimitRange's items of type
// Container are read as the API server stores them: a missing default limit is the item's
// max, a missing default request is its default limit, else its min. The first LimitRange
// (by name) that sets a resource is named.
func limitRangeDefaults(inv inventory.View, ns string) admissionDefaults {
	d := admissionDefaults{limits: map[corev1.ResourceName]*inventory.Object{}, requests: map[corev1.ResourceName]*inventory.Object{}}
	set := func(m map[corev1.ResourceName]*inventory.Object, o *inventory.Object, lists ...corev1.ResourceList) {
		for _, l := range lists {
			for name := range l {
				if m[name] == nil {
					m[name] = o
				}
			}
		}
	}
	for _, o := range inv.InNamespace(inventory.KindLimitRange, ns) {
		lr, ok := o.Object().(*corev1.LimitRange)
		if !ok {
			continue
		}
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			set(d.limits, o, item.Default, item.Max)
			set(d.requests, o, item.DefaultRequest, item.Default, item.Max, item.Min)
		}
	}
	return d
}

// admitted reports whether t is a pod that admission can no longer change: one that exists
// (listed from a cluster, or dumped from one with its UID or creation time), whose spec holds
// what the LimitRanger set when it was created, or a static pod, which the kubelet runs from
// its manifest file whatever its mirror in the API holds.
func admitted(inv *inventory.Inventory, t inventory.PodTemplate) bool {
	if t.Owner.GroupKind() != inventory.KindPod {
		return false
	}
	return mirrorPod(t) || inv.Mode() == inventory.ModeCluster || exists(t.Metadata)
}

// exists reports whether meta is that of an object the API server created: it has a UID, a
// creation time or a resource version.
func exists(meta *metav1.ObjectMeta) bool {
	return meta.UID != "" || !meta.CreationTimestamp.IsZero() || meta.ResourceVersion != ""
}

// resourceNames reads the parameter resources: names trimmed, empty ones and repeats left out.
func resourceNames(params map[string]any) []corev1.ResourceName {
	raw, _ := params[paramResources].([]string) // declared: the runner converts it
	var out []corev1.ResourceName
	for _, r := range raw {
		n := corev1.ResourceName(strings.TrimSpace(r))
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// joinNames writes names as a message lists them: "cpu, memory or ephemeral-storage".
func joinNames(names []corev1.ResourceName, last string) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " " + last + " " + s[len(s)-1]
}

// runResources is the body of workloads:resource-requests (limits false) and
// workloads:resource-limits (limits true).
func runResources(ctx context.Context, pass *check.Pass, limits bool) error {
	inv := pass.Inventory
	what, list := "request", "resources.requests"
	if limits {
		what, list = "limit", "resources.limits"
	}
	want := resourceNames(pass.Params)
	if len(want) == 0 {
		pass.NotEvaluated(nil, "no resources configured: set the parameter resources of "+pass.Check.ID)
		return nil
	}
	reportUnseen(pass, workloadKinds...)
	allSet := fmt.Sprintf("every container has a %s %s", joinNames(want, "and"), what)
	type viewNS struct {
		view inventory.View
		ns   string
	}
	byNS := map[viewNS]admissionDefaults{}
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The LimitRanges of the namespace as the pod's own definition sees them (the
		// nearest, when manifests define them in several places).
		key := viewNS{inv.From(t.Owner), t.Namespace()}
		d, ok := byNS[key]
		if !ok {
			d = limitRangeDefaults(key.view, key.ns)
			byNS[key] = d
		}
		defaults := d.requests
		if limits {
			defaults = d.limits
		}
		canDefault := !admitted(inv, t)
		var offences []podverdict.Offence
		var fromLR []*inventory.Object // LimitRanges that set what containers lack
		for c := range containersOf(t, withInit) {
			var missing []corev1.ResourceName
			for _, r := range want {
				if declared(c.Resources, r, limits) || podLevel(t.Spec.Resources, r, limits) {
					continue
				}
				if lr := defaults[r]; lr != nil && canDefault {
					if !slices.Contains(fromLR, lr) {
						fromLR = append(fromLR, lr)
					}
					continue
				}
				missing = append(missing, r)
			}
			if len(missing) > 0 {
				offences = append(offences, podverdict.At(c.field(list), fmt.Sprintf("%s has no %s %s", c, joinNames(missing, "or"), what)))
			}
		}
		if len(offences) > 0 && canDefault {
			if unseen := inv.Unseen(inventory.KindLimitRange); unseen != "" {
				pass.NotEvaluatedf(t.Owner, "%s; a LimitRange of namespace %s would set them when the pod is created, "+
					"and LimitRanges were not all seen (%s)", podverdict.Messages(offences), key.ns, unseen)
				continue
			}
		}
		passMsg := allSet
		if len(fromLR) > 0 {
			names := make([]string, len(fromLR))
			for i, lr := range fromLR {
				names[i] = lr.Name()
			}
			passMsg += ", some set by LimitRange " + strings.Join(names, ", ") + " when the pod is created"
		}
		podverdict.Report(pass, t, offences, passMsg)
	}
	return nil
}

// declared reports whether r sets a request (limits false) or a limit for name. A limit
// alone is also the request: the API server defaults the request to it.
func declared(r corev1.ResourceRequirements, name corev1.ResourceName, limits bool) bool {
	if _, ok := r.Limits[name]; ok {
		return true
	}
	_, ok := r.Requests[name]
	return ok && !limits
}

// podLevel reports whether the pod's own resources (spec.resources, which bound all its
// containers together) set a request (limits false) or a limit for name.
func podLevel(r *corev1.ResourceRequirements, name corev1.ResourceName, limits bool) bool {
	return r != nil && podLevelResources[name] && declared(*r, name, limits)
}
