// workloads:resource-requests inspects the resource requests of every container and init
// container (sidecars included) of every pod template, for each resource of the parameter
// resources (default cpu, memory and ephemeral-storage). A container has a request when it
// sets one or a limit (the API server defaults the request to the limit), when the pod's own
// resources (spec.resources) set one for cpu or memory, or when a LimitRange of the pod's
// namespace sets a default at admission (an item of type Container with defaultRequest, or
// default, max or min, from which the API server derives it) and the pod is still to be
// created: a pod that exists, or a static pod, runs with what it has. It passes when every
// container has a request for each resource, and fails naming those without. When a container
// lacks one that a LimitRange could set, and the namespace's LimitRanges were not all seen
// (manifests without any, a cluster that refused to list them), the template is not
// evaluated. Ephemeral containers take no resources and are not read.

package workloads

import (
	"context"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// ResourceRequests returns the check workloads:resource-requests: every container has
// requests. Its parameter "resources" lists the resources it asks for.
func ResourceRequests() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:resource-requests",
		Section: Section,
		Title:   "Containers have resource requests",
		Description: "The scheduler places pods by their requests: a container without them is " +
			"placed as if it needed nothing, overcommits its node, and is the first the kubelet " +
			"evicts under pressure (BestEffort). Inspects the requests of every container and init " +
			"container of every pod and workload template, for each resource of the parameter " +
			"resources (cpu, memory, ephemeral-storage by default), counting a limit as the request " +
			"it defaults, the pod's own resources (cpu, memory) and the defaults a LimitRange of the " +
			"namespace sets when the pod is created. Passes when every container has a request for " +
			"each; not evaluated when only an unseen LimitRange could set a missing one.",
		Severity: check.Low,
		Remediation: "Set resources.requests for each container, or give the namespace a " +
			"LimitRange whose Container item sets defaultRequest.",
		References: []string{refResources, refLimits},
		Kinds:      append(slices.Clone(workloadKinds), inventory.KindLimitRange),
		Depends:    limitRangeDeps,
		Params:     []check.Param{resourcesParam("a request")},
	}, func(ctx context.Context, pass *check.Pass) error { return runResources(ctx, pass, false) })
}
