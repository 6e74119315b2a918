// workloads:host-path inspects the volumes of every pod template. It passes when no volume is of
// type hostPath; a failure names each hostPath volume and the node path it mounts, and points at
// the first one's hostPath.path.

package workloads

import (
	"context"
	"fmt"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// HostPath returns the check workloads:host-path: no pod mounts a directory of the node.
func HostPath() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:host-path",
		Section: Section,
		Title:   "Pods do not mount hostPath volumes",
		Description: "A hostPath volume exposes the node's file system to the pod: a mount of the " +
			"container runtime's socket, /etc or / hands over the node, and even read-only mounts " +
			"leak credentials and logs. Inspects spec.volumes of every pod and workload template. " +
			"Passes when no volume is of type hostPath.",
		Severity: check.High,
		Remediation: "Replace hostPath volumes with emptyDir, a ConfigMap or Secret volume, or a " +
			"PersistentVolumeClaim. Node agents that truly need host files belong in a dedicated, " +
			"tightly controlled namespace.",
		References: []string{refPSS, refCIS + " 5.2.11"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runHostPath)
}

func runHostPath(ctx context.Context, pass *check.Pass) error {
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
			offences = append(offences, podverdict.At(
				fmt.Sprintf("%s.volumes[%d].hostPath.path", t.Path, i),
				fmt.Sprintf("volume %q mounts host path %q", v.Name, v.HostPath.Path),
			))
		}
		podverdict.Report(pass, t, offences, "mounts no hostPath volume")
	}
	return nil
}
