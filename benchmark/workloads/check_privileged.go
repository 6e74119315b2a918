// workloads:privileged inspects securityContext.privileged of every container, init container and
// ephemeral container of every pod template. It passes when none sets it to true; a failure
// names every privileged container and points at the first one's securityContext.privileged.

package workloads

import (
	"context"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// Privileged returns the check workloads:privileged: no container runs privileged.
func Privileged() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:privileged",
		Section: Section,
		Title:   "Containers do not run privileged",
		Description: "A privileged container has every capability and every host device; escaping " +
			"to the node is trivial. Inspects securityContext.privileged of every container, init " +
			"container and ephemeral container of every pod and workload template. Passes when " +
			"none sets it to true.",
		Severity: check.Critical,
		Remediation: "Remove securityContext.privileged (or set it to false). If the workload needs " +
			"a specific kernel feature, add only that capability.",
		References: []string{refPSS, refCIS + " 5.2.2"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runPrivileged)
}

func runPrivileged(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		for c := range containers(t) {
			if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
				offences = append(offences, podverdict.At(c.field("securityContext.privileged"), c.String()+" runs privileged"))
			}
		}
		podverdict.Report(pass, t, offences, "no container runs privileged")
	}
	return nil
}
