package workloads

import (
	"fmt"
	"iter"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/inventory"
)

// port is one port a container of a pod template declares, with the host port it takes on the
// node: its hostPort, or, for a pod on the host network, its containerPort (as the API server
// defaults it).
type port struct {
	c        container
	i        int // index in c.Ports
	p        corev1.ContainerPort
	hostPort int32
}

// field returns the field path of sub within the port, e.g.
// "spec.containers[0].ports[1].containerPort".
func (p port) field(sub string) string { return p.c.field(fmt.Sprintf("ports[%d].%s", p.i, sub)) }

// proto is the port's protocol, TCP when unset.
func (p port) proto() corev1.Protocol {
	if p.p.Protocol == "" {
		return corev1.ProtocolTCP
	}
	return p.p.Protocol
}

// ports yields every port of the containers and init containers of t (ephemeral containers
// may not declare ports).
func ports(t inventory.PodTemplate) iter.Seq[port] {
	return func(yield func(port) bool) {
		for c := range containersOf(t, withInit) {
			for i, p := range c.Ports {
				host := p.HostPort
				if host == 0 && t.Spec.HostNetwork {
					host = p.ContainerPort
				}
				if !yield(port{c: c, i: i, p: p, hostPort: host}) {
					return
				}
			}
		}
	}
}
