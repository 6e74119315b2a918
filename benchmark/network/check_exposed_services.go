// network:exposed-services inspects every Service for exposure outside the cluster: type
// LoadBalancer (a cloud load balancer forwards to it, from the internet unless the load
// balancer is internal or loadBalancerSourceRanges restrict it; and, unless
// allocateLoadBalancerNodePorts is false, a port on every node does too), type NodePort (a port on
// every node forwards to it), and externalIPs (the nodes accept its ports on those
// addresses). It fails for each such Service, at the field that exposes it, naming its ports
// and the workloads its selector reaches; it passes for ClusterIP (headless included) and
// ExternalName Services without externalIPs, which are reachable from within the cluster only.
//
// Decisions, written down:
//   - Exposure is reported whatever it is for: a public web front end behind a load balancer is
//     exposed by design, and the finding ties it to the workloads behind it for review.
//   - The workloads reached are those whose pod template labels the selector matches (or
//     may match, when it reads labels set at run time); a Service without selector reaches
//     the endpoints set by hand, which kspm does not read.
//   - NetworkPolicies of the workloads reached are not weighed: whether they filter traffic
//     from outside depends on how the load balancer and kube-proxy rewrite source addresses.

package network

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func exposedServices(c *engineCache) check.Check {
	return check.New(check.Meta{
		ID:      "network:exposed-services",
		Section: Section,
		Title:   "Services exposed outside the cluster",
		Description: "Services of type LoadBalancer or NodePort, and Services with externalIPs, open the workloads they " +
			"select to clients outside the cluster. Inspects every Service. Passes when it is of type ClusterIP " +
			"(headless included) or ExternalName without externalIPs; fails for each exposed Service, naming its " +
			"ports and the workloads it reaches, so that each exposure is reviewed.",
		Severity: check.Medium,
		Remediation: "Use a ClusterIP Service behind an Ingress or gateway that terminates TLS and authenticates, restrict " +
			"a load balancer with loadBalancerSourceRanges or make it internal, and remove externalIPs you do not need " +
			"(the DenyServiceExternalIPs admission plugin forbids them).",
		References: []string{refServices},
		Kinds:      append([]schema.GroupKind{inventory.KindService}, workloadKinds...),
		Depends:    serviceDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		e := c.get(pass.Inventory)
		for _, o := range pass.Objects(inventory.KindService) {
			if err := ctx.Err(); err != nil {
				return err
			}
			svc, ok := o.Object().(*corev1.Service)
			if !ok {
				continue
			}
			var exposure []string
			field := ""
			switch svc.Spec.Type {
			case corev1.ServiceTypeLoadBalancer:
				s := "type LoadBalancer: a load balancer outside the cluster forwards " + servicePorts(svc, false) + " to it"
				if r := svc.Spec.LoadBalancerSourceRanges; len(r) > 0 {
					s += " from " + strings.Join(r, ", ") + " (loadBalancerSourceRanges)"
				}
				if a := svc.Spec.AllocateLoadBalancerNodePorts; a == nil || *a {
					s += ", and every node forwards " + servicePorts(svc, true)
				}
				exposure, field = append(exposure, s), "spec.type"
			case corev1.ServiceTypeNodePort:
				exposure, field = append(exposure, "type NodePort: every node forwards "+servicePorts(svc, true)+" to it"), "spec.type"
			}
			if ips := svc.Spec.ExternalIPs; len(ips) > 0 {
				exposure = append(exposure, "externalIPs "+strings.Join(ips, ", ")+": the nodes accept "+servicePorts(svc, false)+" there")
				if field == "" {
					field = "spec.externalIPs"
				}
			}
			if len(exposure) > 0 {
				pass.Fail(o, field, strings.Join(exposure, "; ")+"; it reaches "+reached(e, o, svc))
				continue
			}
			switch svc.Spec.Type {
			case corev1.ServiceTypeExternalName:
				pass.Passf(o, "type ExternalName: an alias for %s, reachable from within the cluster only", svc.Spec.ExternalName)
			default:
				pass.Passf(o, "type %s: reachable from within the cluster only", typeOf(svc))
			}
		}
		return nil
	})
}

// typeOf returns a Service's type, "ClusterIP" when left out.
func typeOf(svc *corev1.Service) corev1.ServiceType {
	if svc.Spec.Type == "" {
		return corev1.ServiceTypeClusterIP
	}
	return svc.Spec.Type
}

// servicePorts writes a Service's ports: "80/TCP, 443/TCP", or with nodePorts the node ports
// ("30080/TCP (port 80)", "a node port allocated at creation (port 80/TCP)").
func servicePorts(svc *corev1.Service, nodePorts bool) string {
	if len(svc.Spec.Ports) == 0 {
		return "no port"
	}
	var out []string
	for _, p := range svc.Spec.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		port := strconv.Itoa(int(p.Port)) + "/" + string(proto)
		switch {
		case !nodePorts:
			out = append(out, "port "+port)
		case p.NodePort != 0:
			out = append(out, fmt.Sprintf("port %d/%s (port %d)", p.NodePort, proto, p.Port))
		default:
			out = append(out, "a node port allocated at creation (port "+port+")")
		}
	}
	return strings.Join(out, ", ")
}
