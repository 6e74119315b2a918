package rbac

// rbac:pod-exec
//
// Inspects: bindings whose role allows pods/exec, pods/attach or pods/portforward (create,
// or get, which the API server accepted for WebSocket connections until it required create),
// or updating pods/ephemeralcontainers (which adds a container of one's choosing to a running
// pod). Each gives a shell or network access inside someone else's workload.
// Passes: no binding subject outside the allow-list holds any of them.

import (
	"github.com/kspm-dev/kspm/check"
)

func permPodExec() permission {
	reqs := requests([]string{"create", "get"}, "pods/exec", "pods/attach", "pods/portforward")
	reqs = append(reqs, requests([]string{"update", "patch"}, "pods/ephemeralcontainers")...)
	return permission{what: "exec, attach or port-forward into pods, or add ephemeral containers", requests: reqs}
}

func podExec(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:pod-exec",
		Title:    "Subjects that can exec into, attach to or port-forward to pods",
		Severity: check.High,
		Description: "Reports binding subjects that can use pods/exec, pods/attach or pods/portforward, or add " +
			"ephemeral containers, and so act inside running workloads with their identity and secrets.",
		Remediation: "Keep interactive access to break-glass roles bound for a limited time; add expected grants " +
			"to the allow parameter.",
	}, permPodExec())
}
