// workloads:readiness-probe inspects readinessProbe of every container of every long-running
// pod template: bare pods whose restartPolicy is Always (the default), and the templates of
// Deployments, ReplicaSets, ReplicationControllers, StatefulSets and DaemonSets. It passes
// when every container has a readiness probe; a startup or liveness probe does not count.
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

// ReadinessProbe returns the check workloads:readiness-probe: long-running containers have a
// readiness probe.
func ReadinessProbe() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:readiness-probe",
		Section: Section,
		Title:   "Long-running containers have a readiness probe",
		Description: "Without a readiness probe, a pod counts as ready as soon as its containers " +
			"start: Services send it traffic before it can serve, and a rollout replaces working " +
			"pods with ones that fail. Inspects readinessProbe of every container of bare pods that " +
			"restart always and of Deployments, ReplicaSets, ReplicationControllers, StatefulSets " +
			"and DaemonSets (Jobs, CronJobs and pods that run to completion are not applicable). " +
			"Passes when every container has one.",
		Severity: check.Low,
		Remediation: "Add a readinessProbe to each container that tells when it can serve (an " +
			"httpGet on a health endpoint, a tcpSocket, grpc or exec).",
		References: []string{refProbes},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		return runProbes(ctx, pass, "readiness", "readinessProbe", func(c *corev1.Container) *corev1.Probe { return c.ReadinessProbe })
	})
}
