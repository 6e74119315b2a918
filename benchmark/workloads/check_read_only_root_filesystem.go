// workloads:read-only-root-filesystem inspects securityContext.readOnlyRootFilesystem of every
// container and init container (sidecars included) of every pod template. It passes when each
// sets it to true; unset (which means a writable root filesystem) or false fails, naming each
// such container. Ephemeral containers, which kubectl debug adds to troubleshoot and which
// are not part of the workload, are not read. Pods that run on Windows (spec.os.name:
// windows), where the API server refuses the field, are not applicable.

package workloads

import (
	"context"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// ReadOnlyRootFilesystem returns the check workloads:read-only-root-filesystem: containers
// cannot write to their image's filesystem.
func ReadOnlyRootFilesystem() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:read-only-root-filesystem",
		Section: Section,
		Title:   "Containers run with a read-only root filesystem",
		Description: "A writable root filesystem lets an intruder drop tools and binaries, change " +
			"the application's code and configuration and persist across process restarts. " +
			"Inspects securityContext.readOnlyRootFilesystem of every container and init " +
			"container of every pod and workload template (ephemeral debug containers are not " +
			"read; Windows pods, which cannot set it, are not applicable). Passes when each sets " +
			"it to true.",
		Severity: check.Medium,
		Remediation: "Set securityContext.readOnlyRootFilesystem: true on each container, and " +
			"mount an emptyDir volume where the application writes (/tmp, caches).",
		References: []string{refSecCtx, refPSS},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runReadOnlyRootFilesystem)
}

func runReadOnlyRootFilesystem(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if windows(t) {
			pass.NotApplicable(t.Owner, "runs on Windows, where containers have no read-only root filesystem setting")
			continue
		}
		var offences []podverdict.Offence
		for c := range containersOf(t, withInit) {
			sc := c.SecurityContext
			switch {
			case sc == nil || sc.ReadOnlyRootFilesystem == nil:
				offences = append(offences, podverdict.At(c.field("securityContext.readOnlyRootFilesystem"),
					c.String()+" has a writable root filesystem (readOnlyRootFilesystem is not set)"))
			case !*sc.ReadOnlyRootFilesystem:
				offences = append(offences, podverdict.At(c.field("securityContext.readOnlyRootFilesystem"),
					c.String()+" has a writable root filesystem (readOnlyRootFilesystem: false)"))
			}
		}
		podverdict.Report(pass, t, offences, "every container has a read-only root filesystem")
	}
	return nil
}
