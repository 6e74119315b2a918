package rbac

// rbac:create-pods
//
// Inspects: bindings whose role allows creating pods, or creating, updating or patching the
// controllers that create pods from a template (Deployments, ReplicaSets, StatefulSets,
// DaemonSets, Jobs, CronJobs, ReplicationControllers). Whoever can do so runs a pod of their
// choosing under any service account of the namespace, mounting its token, and any
// hostPath or privileged setting admission lets through.
// Passes: no binding subject outside the allow-list holds the permission.

import (
	"github.com/kspm-dev/kspm/check"
)

func permCreatePods() permission {
	reqs := requests([]string{"create"}, "pods")
	reqs = append(reqs, requests([]string{"create", "update", "patch"},
		"deployments.apps", "replicasets.apps", "statefulsets.apps", "daemonsets.apps",
		"jobs.batch", "cronjobs.batch", "replicationcontrollers")...)
	return permission{what: "create pods or pod controllers", requests: reqs}
}

func createPods(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:create-pods",
		Title:    "Subjects that can create pods or pod controllers",
		Severity: check.High,
		Description: "Reports binding subjects that can create pods or create, update or patch pod controllers " +
			"(Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicationControllers): " +
			"they can run code under any service account of the namespace and take its token.",
		Remediation: "Grant workload creation only to deployment pipelines and namespace owners, in their " +
			"namespaces; add expected grants to the allow parameter.",
	}, permCreatePods())
}
