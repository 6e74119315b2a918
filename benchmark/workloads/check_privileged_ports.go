// workloads:privileged-ports inspects the ports every container and init container of every
// pod template declares: containerPort, and the port it takes on the node (hostPort, or, on
// the host network, the containerPort itself). It passes when none is below 1024. A container
// port below 1024 is one only root, or a process with CAP_NET_BIND_SERVICE, may bind where
// the runtime keeps the kernel's default (net.ipv4.ip_unprivileged_port_start = 1024), so the
// image needs privilege to serve; a host port below 1024 takes one of the node's privileged
// ports. Ports a process opens without declaring them are not seen.

package workloads

import (
	"context"
	"fmt"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// PrivilegedPorts returns the check workloads:privileged-ports: no container uses a port below
// 1024.
func PrivilegedPorts() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:privileged-ports",
		Section: Section,
		Title:   "Containers do not use ports below 1024",
		Description: "Binding a port below 1024 takes root or CAP_NET_BIND_SERVICE unless the runtime " +
			"lowers the kernel's unprivileged port range, so an image that listens there needs " +
			"privileges it should not have; a host port below 1024 claims one of the node's own " +
			"service ports. Inspects containerPort and hostPort (on the host network, the " +
			"containerPort) of every container and init container of every pod and workload " +
			"template. Passes when none is below 1024.",
		Severity: check.Low,
		Remediation: "Listen on a port from 1024 up (8080 for 80, 8443 for 443) and map the low port " +
			"in the Service (port: 80, targetPort: 8080); do not use hostPort or the host network " +
			"to serve.",
		References: []string{refPSS},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runPrivilegedPorts)
}

func runPrivilegedPorts(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		for p := range ports(t) {
			if n := p.p.ContainerPort; n > 0 && n < 1024 {
				offences = append(offences, podverdict.At(p.field("containerPort"),
					fmt.Sprintf("%s listens on port %d/%s, below 1024", p.c, n, p.proto())))
			}
			if n := p.hostPort; n > 0 && n < 1024 {
				how := "hostPort"
				if p.p.HostPort == 0 {
					how = "the host network"
				}
				offences = append(offences, podverdict.At(p.field("hostPort"),
					fmt.Sprintf("%s takes the node's port %d/%s, below 1024 (%s)", p.c, n, p.proto(), how)))
			}
		}
		podverdict.Report(pass, t, offences, "no container uses a port below 1024")
	}
	return nil
}
