// workloads:ssh-port inspects the ports every container and init container of every pod
// template declares. It fails for a TCP port 22 (containerPort, or the node's port it takes
// through hostPort or the host network) and for a port named ssh (any number: an SSH server
// moved to 2222 is named for what it serves); it passes when there is none. A port 2222 not
// named ssh is not taken for SSH: the number alone serves other protocols too. Ports a process
// opens without declaring them are not seen.

package workloads

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// sshPort is SSH's registered port.
const sshPort = 22

// SSHPort returns the check workloads:ssh-port: no container serves SSH.
func SSHPort() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:ssh-port",
		Section: Section,
		Title:   "Containers do not serve SSH",
		Description: "An SSH server in a container is a way in that bypasses the API server's " +
			"authentication, RBAC and audit log, and usually means the container is administered " +
			"by hand. Inspects the ports of every container and init container of every pod and " +
			"workload template. Passes when none is TCP port 22 (as containerPort, hostPort or on " +
			"the host network) and none is named ssh.",
		Severity: check.Medium,
		Remediation: "Remove the SSH server from the image; use kubectl exec, kubectl debug or " +
			"kubectl port-forward, which the API server authorizes and audits.",
		References: []string{refSecCtx},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runSSHPort)
}

func runSSHPort(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		for p := range ports(t) {
			tcp := p.proto() == corev1.ProtocolTCP
			switch {
			case tcp && p.p.ContainerPort == sshPort:
				offences = append(offences, podverdict.At(p.field("containerPort"), fmt.Sprintf("%s listens on SSH's port 22/TCP", p.c)))
			case tcp && p.hostPort == sshPort:
				offences = append(offences, podverdict.At(p.field("hostPort"), fmt.Sprintf("%s takes the node's SSH port 22/TCP", p.c)))
			case strings.EqualFold(p.p.Name, "ssh"):
				offences = append(offences, podverdict.At(p.field("name"),
					fmt.Sprintf("%s has a port named %q (%d/%s)", p.c, p.p.Name, p.p.ContainerPort, p.proto())))
			}
		}
		podverdict.Report(pass, t, offences, "no container declares an SSH port")
	}
	return nil
}
