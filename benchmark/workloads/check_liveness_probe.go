// workloads:liveness-probe inspects livenessProbe of every container of every long-running pod
// template: bare pods whose restartPolicy is Always (the default), and the templates of
// Deployments, ReplicaSets, ReplicationControllers, StatefulSets and DaemonSets. It passes
// when every container has a liveness probe; a startup or readiness probe does not count.
// Jobs, CronJobs and pods whose restartPolicy is Never or OnFailure run to completion and are
// not applicable. Init containers are not read (the API server refuses probes on them, but
// for sidecars, which may have them), nor are ephemeral containers, which take none.

package workloads

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
)

// LivenessProbe returns the check workloads:liveness-probe: long-running containers have a
// liveness probe.
func LivenessProbe() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:liveness-probe",
		Section: Section,
		Title:   "Long-running containers have a liveness probe",
		Description: "Without a liveness probe, the kubelet restarts a container only when its " +
			"process exits: one that hangs, deadlocks or stops serving keeps its place and its " +
			"traffic. Inspects livenessProbe of every container of bare pods that restart always " +
			"and of Deployments, ReplicaSets, ReplicationControllers, StatefulSets and DaemonSets " +
			"(Jobs, CronJobs and pods that run to completion are not applicable). Passes when every " +
			"container has one.",
		Severity: check.Low,
		Remediation: "Add a livenessProbe (httpGet, tcpSocket, grpc or exec) to each container, with " +
			"thresholds loose enough that a slow start or a busy moment does not restart it (or a " +
			"startupProbe for slow starts).",
		References: []string{refProbes},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		return runProbes(ctx, pass, "liveness", "livenessProbe", func(c *corev1.Container) *corev1.Probe { return c.LivenessProbe })
	})
}
