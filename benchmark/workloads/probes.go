package workloads

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
	"github.com/kspm-dev/kspm/inventory"
)

// runsToCompletion says why the pods of t are not long-running ("" when they are): a Job's
// or CronJob's pods, and any pod whose restartPolicy is not Always, run until their
// containers end.
func runsToCompletion(t inventory.PodTemplate) string {
	switch t.Owner.GroupKind() {
	case inventory.KindJob, inventory.KindCronJob:
		return "a " + t.Owner.Kind() + "'s pods run to completion"
	}
	if p := t.Spec.RestartPolicy; p != "" && p != corev1.RestartPolicyAlways {
		return "its pods run to completion (restartPolicy " + string(p) + ")"
	}
	return ""
}

// runProbes is the body of workloads:liveness-probe and workloads:readiness-probe: every
// container of every long-running pod template has the probe probe returns.
func runProbes(ctx context.Context, pass *check.Pass, name, field string, probe func(*corev1.Container) *corev1.Probe) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if why := runsToCompletion(t); why != "" {
			pass.NotApplicable(t.Owner, why+": no container is probed for "+name)
			continue
		}
		var offences []podverdict.Offence
		for c := range containersOf(t, 0) {
			if probe(c.Container) == nil {
				offences = append(offences, podverdict.At(c.field(field), c.String()+" has no "+name+" probe"))
			}
		}
		podverdict.Report(pass, t, offences, "every container has a "+name+" probe")
	}
	return nil
}
