// network:ingress-tls inspects every Ingress for TLS on the hosts it routes: it passes when
// spec.tls covers every host of its rules (an entry without hosts covers them all; a
// wildcard "*.example.com" covers one more label), and fails, at spec.tls, when it has no
// TLS entry or some host has none: those hosts are served over plain HTTP, credentials and
// cookies included. Each result names the workloads the Ingress reaches through its backend
// Services.
//
// Decisions, written down:
//   - A rule without host serves every host: it counts as covered only by a TLS entry
//     without hosts.
//   - Whether the controller also serves the TLS hosts over HTTP, or redirects, depends on the
//     controller and its annotations: it is not judged.
//   - An Ingress that routes nothing (no rules, no defaultBackend) is not applicable.

package network

import (
	"context"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

func ingressTLS(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:ingress-tls",
		Section: Section,
		Title:   "Ingresses serve over TLS",
		Description: "An Ingress without a TLS entry for a host serves it over plain HTTP, so credentials, cookies and " +
			"data cross the network in clear. Inspects every Ingress. Passes when spec.tls covers every host of its " +
			"rules, fails naming the hosts without TLS and the workloads they reach.",
		Severity:    check.Medium,
		Remediation: "Add a spec.tls entry with a certificate Secret for every host the Ingress serves.",
		References:  []string{refIngress},
		Kinds:       append([]schema.GroupKind{inventory.KindIngress, inventory.KindService}, workloadKinds...),
		Depends:     ingressDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		e := c.get(pass.Inventory)
		for _, o := range pass.Objects(inventory.KindIngress) {
			if err := ctx.Err(); err != nil {
				return err
			}
			ing, ok := o.Object().(*networkingv1.Ingress)
			if !ok {
				continue
			}
			if len(ing.Spec.Rules) == 0 && ing.Spec.DefaultBackend == nil {
				pass.NotApplicable(o, "routes nothing (no rules, no defaultBackend)")
				continue
			}
			hosts := ingressHosts(ing)
			to := "; it reaches " + ingressReach(pass.Inventory, e, o, ing)
			if len(ing.Spec.TLS) == 0 {
				pass.Fail(o, "spec.tls", "serves "+strings.Join(hosts, ", ")+" over plain HTTP: no spec.tls"+to)
				continue
			}
			var plain []string
			for _, h := range hosts {
				if !tlsCovers(ing.Spec.TLS, h) {
					plain = append(plain, h)
				}
			}
			if len(plain) > 0 {
				pass.Fail(o, "spec.tls", "serves "+strings.Join(plain, ", ")+" over plain HTTP: no spec.tls entry for it"+to)
				continue
			}
			pass.Pass(o, "serves "+strings.Join(hosts, ", ")+" over TLS"+to)
		}
		return nil
	})
}

// everyHost stands for a rule (or the defaultBackend) without host.
const everyHost = "every host (a rule without host)"

// ingressHosts returns the hosts an Ingress routes, everyHost for a rule without host or a
// defaultBackend.
func ingressHosts(ing *networkingv1.Ingress) []string {
	var out []string
	add := func(h string) {
		if h == "" {
			h = everyHost
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	for _, r := range ing.Spec.Rules {
		add(r.Host)
	}
	if ing.Spec.DefaultBackend != nil {
		add("")
	}
	return out
}

// tlsCovers reports whether a TLS entry covers host: an entry without hosts covers every
// host; "*.example.com" covers "a.example.com" (one label) and itself.
func tlsCovers(tls []networkingv1.IngressTLS, host string) bool {
	for _, t := range tls {
		if len(t.Hosts) == 0 {
			return true
		}
		if host == everyHost {
			continue
		}
		for _, h := range t.Hosts {
			if h == host {
				return true
			}
			if suffix, ok := strings.CutPrefix(h, "*."); ok {
				if first, rest, found := strings.Cut(host, "."); found && first != "" && first != "*" && rest == suffix {
					return true
				}
			}
		}
	}
	return false
}

// ingressBackends returns the Service backends of an Ingress with their field paths.
func ingressBackends(ing *networkingv1.Ingress) (fields []string, backends []*networkingv1.IngressServiceBackend) {
	if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil {
		fields, backends = append(fields, "spec.defaultBackend.service"), append(backends, b.Service)
	}
	for i, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for j, p := range r.HTTP.Paths {
			if p.Backend.Service != nil {
				fields = append(fields, "spec.rules["+itoa(i)+"].http.paths["+itoa(j)+"].backend.service")
				backends = append(backends, p.Backend.Service)
			}
		}
	}
	return fields, backends
}

// ingressReach names the workloads an Ingress (o) reaches through its backend Services.
func ingressReach(inv *inventory.Inventory, e *netreach.Engine, o *inventory.Object, ing *networkingv1.Ingress) string {
	var parts []string
	_, backends := ingressBackends(ing)
	for _, b := range backends {
		s := "Service " + b.Name
		svcObj := lookupService(inv, o, ing.Namespace, b.Name)
		if svc, ok := serviceObject(svcObj); ok {
			s += " → " + reached(e, svcObj, svc)
		} else {
			s += " (not in the inventory)"
		}
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "no Service"
	}
	return strings.Join(parts, ", ")
}
