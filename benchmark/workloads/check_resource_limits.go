// workloads:resource-limits inspects the resource limits of every container and init
// container (sidecars included) of every pod template, for each resource of the parameter
// resources (default cpu, memory and ephemeral-storage). A container has a limit when it sets
// one, when the pod's own resources (spec.resources) set one for cpu or memory (they bound all
// its containers together), or when a LimitRange of the pod's namespace sets a default at
// admission (an item of type Container with default, or max, which becomes the default) and
// the pod is still to be created: a pod that exists, or a static pod, runs with what it has.
// It passes when every container has a limit for each resource, and fails naming those
// without. When a container lacks one that a LimitRange could set, and the namespace's
// LimitRanges were not all seen (manifests without any, a cluster that refused to list them),
// the template is not evaluated. Ephemeral containers take no resources and are not read.

package workloads

import (
	"context"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// ResourceLimits returns the check workloads:resource-limits: every container has limits.
// Its parameter "resources" lists the resources it asks for.
func ResourceLimits() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:resource-limits",
		Section: Section,
		Title:   "Containers have resource limits",
		Description: "A container without a memory or ephemeral-storage limit can use up its node's " +
			"memory or disk, and the kubelet then evicts other pods; without a cpu limit it can " +
			"starve its neighbours. Inspects the limits of every container and init container of " +
			"every pod and workload template, for each resource of the parameter resources (cpu, " +
			"memory, ephemeral-storage by default), counting the pod's own resources (cpu, memory) " +
			"and the defaults a LimitRange of the namespace sets when the pod is created. Passes " +
			"when every container has a limit for each; not evaluated when only an unseen " +
			"LimitRange could set a missing one.",
		Severity: check.Medium,
		Remediation: "Set resources.limits for each container (memory and ephemeral-storage at " +
			"least), or give the namespace a LimitRange whose Container item sets default limits.",
		References: []string{refResources, refLimits},
		Kinds:      append(slices.Clone(workloadKinds), inventory.KindLimitRange),
		Depends:    limitRangeDeps,
		Params:     []check.Param{resourcesParam("a limit")},
	}, func(ctx context.Context, pass *check.Pass) error { return runResources(ctx, pass, true) })
}
