// network:dangling-services inspects every Service with a selector for pods it selects: a
// Service whose selector matches no pod sends its traffic nowhere, and hands it to whatever
// pod is later created with those labels. It passes when the selector matches the pods of
// some pod template (or, listed from a cluster, some Pod), naming them, and fails at
// spec.selector when it matches none of its namespace's pods.
//
// Decisions, written down:
//   - Services without selector (endpoints set by hand, which kspm does not read) and of type
//     ExternalName are not applicable.
//   - A selector that reads a label set at run time (pod-template-hash,
//     statefulset.kubernetes.io/pod-name for a per-pod Service, ...) may match: notEvaluated.
//   - "Matches none" needs every pod seen: notEvaluated when pods or workloads were not all
//     listed, and for manifests that are a part of a cluster; manifests declared complete
//     are judged.

package network

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func danglingServices(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:dangling-services",
		Section: Section,
		Title:   "Services select pods",
		Description: "A Service whose selector matches no pod sends its traffic nowhere, and to whatever pod is later " +
			"created with those labels. Inspects every Service with a selector. Passes when it selects the pods of " +
			"some workload, fails when it selects none of its namespace's pods. Selectors that read labels set at " +
			"run time, and manifests not declared complete, give notEvaluated.",
		Severity:    check.Low,
		Remediation: "Fix the selector to match the labels of the pods the Service is for, or delete the Service.",
		References:  []string{refServices},
		Kinds:       append([]schema.GroupKind{inventory.KindService}, workloadKinds...),
		Depends:     serviceDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		e := c.get(pass.Inventory)
		unseen := check.UnseenKinds(pass.Inventory, workloadKinds...)
		for _, o := range pass.Objects(inventory.KindService) {
			if err := ctx.Err(); err != nil {
				return err
			}
			svc, ok := serviceObject(o)
			if !ok {
				continue
			}
			if svc.Spec.Type == corev1.ServiceTypeExternalName {
				pass.NotApplicablef(o, "type ExternalName: an alias for %s, it selects no pods", svc.Spec.ExternalName)
				continue
			}
			if len(svc.Spec.Selector) == 0 {
				pass.NotApplicable(o, "has no selector: its endpoints are set by hand (kspm does not read EndpointSlices)")
				continue
			}
			text := labels.SelectorFromSet(svc.Spec.Selector).String()
			sel, err := e.SelectFrom(o, svc.Namespace, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector})
			switch {
			case err != nil:
				pass.Failf(o, "spec.selector", "the selector is invalid (%v), so it selects nothing", err)
			case len(sel.Selected) > 0:
				pass.Passf(o, "selects the pods of %s", objectNames(sel.Selected))
			case len(sel.Maybe) > 0:
				pass.NotEvaluatedf(o, "may select the pods of %s: %s", objectNames(sel.Maybe), strings.Join(sel.Unknown, "; "))
			case unseen != "":
				pass.NotEvaluatedf(o, "selects none of the pods seen, but pods were not all seen: %s", unseen)
			case !pass.Inventory.Whole():
				pass.NotEvaluatedf(o, "selector %s matches none of the pods of namespace %q in the manifests, but pods "+
					"defined elsewhere may match (declare the manifests complete to judge)", text, svc.Namespace)
			default:
				pass.Failf(o, "spec.selector", "selector %s matches none of the %d pod templates and pods of namespace %q: "+
					"the Service sends traffic nowhere, and to any pod later created with those labels", text,
					len(e.PodsFrom(o, svc.Namespace)), svc.Namespace)
			}
		}
		return nil
	})
}
