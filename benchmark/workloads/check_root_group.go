// workloads:root-group inspects the groups the processes of every container, init container
// and ephemeral container of every pod template run with: the primary group (runAsGroup of
// the container's securityContext, else of the pod's) and the supplementary groups the pod
// adds to every container (securityContext.fsGroup and supplementalGroups). It passes when
// every container's primary group is set and is not 0, and neither fsGroup nor
// supplementalGroups is 0. A runAsGroup set nowhere fails: the process then takes the image's
// group, which is root's (0) for an image whose user is root or is a bare numeric ID, and
// the pod spec does not say otherwise. Groups an image's /etc/group adds to its user are not
// seen. Pods that run on Windows (spec.os.name: windows), where the API server refuses these
// fields, are not applicable.

package workloads

import (
	"context"
	"fmt"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// RootGroup returns the check workloads:root-group: no container runs in the root group.
func RootGroup() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:root-group",
		Section: Section,
		Title:   "Containers do not run in the root group",
		Description: "Group 0 owns much of a container image and of the node's files: a process in " +
			"it reads and writes what root's group may, in the image and on any volume or host " +
			"path mounted in, even as a non-root user. Inspects runAsGroup (container, else pod), " +
			"fsGroup and supplementalGroups of every pod and workload template, for every " +
			"container, init container and ephemeral container. Passes when each container sets " +
			"a primary group other than 0 and the pod adds no group 0; an unset runAsGroup fails, " +
			"since the image's group, often 0, then applies (Windows pods are not applicable).",
		Severity: check.Medium,
		Remediation: "Set securityContext.runAsGroup to a non-zero group in the pod spec (or on each " +
			"container), and keep 0 out of fsGroup and supplementalGroups.",
		References: []string{refSecCtx},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runRootGroup)
}

func runRootGroup(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if windows(t) {
			pass.NotApplicable(t.Owner, "runs on Windows, where pods have no Linux groups to set")
			continue
		}
		var offences []podverdict.Offence
		psc := t.Spec.SecurityContext
		for c := range containers(t) {
			switch sc := c.SecurityContext; {
			case sc != nil && sc.RunAsGroup != nil:
				if *sc.RunAsGroup == 0 {
					offences = append(offences, podverdict.At(c.field("securityContext.runAsGroup"), c.String()+" runs as group 0 (root)"))
				}
			case psc != nil && psc.RunAsGroup != nil:
				if *psc.RunAsGroup == 0 {
					offences = append(offences, podverdict.At(t.Path+".securityContext.runAsGroup",
						c.String()+" runs as group 0 (root), from the pod's runAsGroup"))
				}
			default:
				offences = append(offences, podverdict.At(c.field("securityContext.runAsGroup"),
					c.String()+" sets no runAsGroup (nor does the pod): it runs as the image's group, root's for a root or numeric image user"))
			}
		}
		if psc != nil && psc.FSGroup != nil && *psc.FSGroup == 0 {
			offences = append(offences, podverdict.At(t.Path+".securityContext.fsGroup",
				"the pod's fsGroup is 0: every container gets the root group, which owns its volumes"))
		}
		if psc != nil {
			if i := slices.Index(psc.SupplementalGroups, 0); i >= 0 {
				offences = append(offences, podverdict.At(fmt.Sprintf("%s.securityContext.supplementalGroups[%d]", t.Path, i),
					"the pod's supplementalGroups include 0: every container gets the root group"))
			}
		}
		podverdict.Report(pass, t, offences, "every container runs with a non-root group and the pod adds no root group")
	}
	return nil
}
