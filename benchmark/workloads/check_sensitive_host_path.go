// workloads:sensitive-host-path inspects the hostPath volumes of every pod template. It fails
// for each that mounts a sensitive path of the node: the root directory, /etc (and its
// password, sudo, SSH and Kubernetes files), /root, /home, /boot, /proc, /sys, /dev, the
// kubelet's, etcd's and the container runtimes' state (/var/lib/kubelet, /var/lib/etcd,
// /var/lib/docker, /var/lib/containerd, /var/lib/containers), /run and /var/run, and the
// runtimes' sockets (Docker, dockershim, cri-dockerd, containerd, k3s, CRI-O, Podman; on
// Windows the Docker and containerd pipes, a drive's root and the kubelet's directory), and
// credential directories wherever they are (.aws, .azure, .config/gcloud, .kube, .docker,
// .ssh, .gnupg: a path that is one or lies in one). A
// path counts when it is one of them, lies inside one whose whole tree is sensitive (a
// socket's directory, the kubelet's state, /proc), or holds one (/var holds /var/lib/kubelet).
// Paths are compared as the node resolves them: made absolute, with repeated slashes, "."
// and ".." elements and a trailing slash removed (Windows paths in lower case). A read-only
// mount counts too: it still reads the node's secrets, and a socket mounted read-only still
// accepts connections. It passes when no hostPath volume mounts such a path; any other
// hostPath is left to workloads:host-path.

package workloads

import (
	"context"
	"fmt"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// SensitiveHostPath returns the check workloads:sensitive-host-path: no pod mounts the node's
// sensitive paths or the container runtime's socket.
func SensitiveHostPath() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:sensitive-host-path",
		Section: Section,
		Title:   "Pods do not mount the node's sensitive paths or runtime sockets",
		Description: "A pod that mounts the container runtime's socket starts privileged containers " +
			"on its node; one that mounts /, /etc, /root, /proc, /var/lib/kubelet or etcd's data " +
			"reads the node's and other pods' credentials, and writing there takes the node. " +
			"Inspects the hostPath volumes of every pod and workload template, paths normalised as " +
			"the node resolves them (a trailing slash, //, . and .. do not hide them), read-only " +
			"or not. Passes when none mounts a sensitive path, a path inside a sensitive tree, or " +
			"a directory that holds one.",
		Severity: check.Critical,
		Remediation: "Remove the hostPath volume. A workload that talks to the container runtime or " +
			"reads node files (a log or monitoring agent) should mount only the narrowest path it " +
			"needs, read-only, and run in a namespace only administrators control.",
		References: []string{refVolumes, refPSS, refCIS + " 5.2.11"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runSensitiveHostPath)
}

func runSensitiveHostPath(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		for i, v := range t.Spec.Volumes {
			if v.HostPath == nil {
				continue
			}
			if what := sensitiveHostPath(v.HostPath.Path); what != "" {
				offences = append(offences, podverdict.At(
					fmt.Sprintf("%s.volumes[%d].hostPath.path", t.Path, i),
					fmt.Sprintf("volume %q mounts host path %q, %s", v.Name, v.HostPath.Path, what),
				))
			}
		}
		podverdict.Report(pass, t, offences, "mounts no sensitive host path")
	}
	return nil
}
