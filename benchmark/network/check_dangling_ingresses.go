// network:dangling-ingresses inspects every Ingress for backends that point at nothing: a
// backend Service that does not exist, or one that has no port of the number or name the
// backend asks for. Traffic for those paths fails, and whoever later creates a Service of
// that name in the namespace receives it. It passes when every Service backend exists with
// its port, and fails at the field of the first backend that does not.
//
// Decisions, written down:
//   - "Does not exist" needs every Service seen: a backend Service the inventory lacks is
//     notEvaluated when Services were not all listed, and for manifests that are a part of a
//     cluster (it may be defined elsewhere); manifests declared complete are judged. A
//     missing port of a Service that is there is a fact: it fails either way.
//   - Resource backends (spec.defaultBackend.resource, ...) name objects of other APIs and are
//     not judged; an Ingress with no Service backend is not applicable. Whether the Service
//     selects pods is network:dangling-services' question.

package network

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func danglingIngresses(*engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:dangling-ingresses",
		Section: Section,
		Title:   "Ingress backends exist",
		Description: "An Ingress whose backend Service does not exist, or lacks the port it names, routes its traffic " +
			"nowhere, and to whoever later creates a Service of that name. Inspects every Ingress. Passes when every " +
			"Service backend exists with its port. A backend Service not in manifests that are a part of a cluster " +
			"is notEvaluated.",
		Severity:    check.Low,
		Remediation: "Point the backend at an existing Service and port, or remove the rule.",
		References:  []string{refIngress},
		Kinds:       []schema.GroupKind{inventory.KindIngress, inventory.KindService},
		Depends:     danglingIngressDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		inv := pass.Inventory
		servicesKnown := inv.Whole() && !inv.Gap(inventory.KindService)
		for _, o := range pass.Objects(inventory.KindIngress) {
			if err := ctx.Err(); err != nil {
				return err
			}
			ing, ok := o.Object().(*networkingv1.Ingress)
			if !ok {
				continue
			}
			fields, backends := ingressBackends(ing)
			if len(backends) == 0 {
				pass.NotApplicable(o, "has no Service backend")
				continue
			}
			var problems, unknown []string
			field := ""
			for i, b := range backends {
				svc, found := serviceObject(lookupService(inv, o, ing.Namespace, b.Name))
				var problem string
				switch {
				case !found && !servicesKnown:
					unknown = append(unknown, fmt.Sprintf("Service %q is not in the inventory (%s)", b.Name, fields[i]))
					continue
				case !found:
					problem = fmt.Sprintf("backend Service %q does not exist", b.Name)
				case !hasServicePort(svc.Spec.Ports, b.Port):
					problem = fmt.Sprintf("backend Service %q has no port %s", b.Name, backendPort(b.Port))
				default:
					continue
				}
				if field == "" {
					field = fields[i]
				}
				if !slices.Contains(problems, problem) {
					problems = append(problems, problem)
				}
			}
			switch {
			case len(problems) > 0:
				pass.Fail(o, field, strings.Join(problems, "; "))
			case len(unknown) > 0:
				pass.NotEvaluated(o, strings.Join(unknown, "; ")+": it may be defined elsewhere")
			default:
				pass.Pass(o, "every backend Service exists and has the port named")
			}
		}
		return nil
	})
}

// hasServicePort reports whether ports hold the port a backend names: by number, or by name.
func hasServicePort(ports []corev1.ServicePort, p networkingv1.ServiceBackendPort) bool {
	return slices.ContainsFunc(ports, func(sp corev1.ServicePort) bool {
		if p.Name != "" {
			return sp.Name == p.Name
		}
		return sp.Port == p.Number
	})
}

// backendPort writes the port a backend names: "8080" or "http".
func backendPort(p networkingv1.ServiceBackendPort) string {
	if p.Name != "" {
		return strconv.Quote(p.Name)
	}
	return strconv.Itoa(int(p.Number))
}
