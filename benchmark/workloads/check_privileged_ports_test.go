package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestPrivilegedPortsFixtures(t *testing.T) {
	runFixtures(t, workloads.PrivilegedPorts())
}

// Objects a program builds are not defaulted: on the host network, a port with no hostPort
// still takes the node's port.
func TestPrivilegedPortsHostNetworkUndefaulted(t *testing.T) {
	c := workloads.PrivilegedPorts()
	app := ctr("app", "a:1")
	app.Ports = []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 1023}}
	inv := newInventory(t, pod("shop", "p", corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{app}}))
	assertVerdicts(t, c, run(t, c, inv), []verdict{fail("Pod shop/p", "spec.containers[0].ports[1].containerPort",
		`container "app" listens on port 1023/TCP, below 1024; container "app" takes the node's port 1023/TCP, below 1024 (the host network)`)})
}
