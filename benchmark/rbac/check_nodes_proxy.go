package rbac

// rbac:nodes-proxy
//
// Inspects: bindings whose role allows nodes/proxy with any verb the kubelet maps requests
// to (get, create, update, patch, delete). nodes/proxy reaches the kubelet API, which runs
// commands in any container of the node (get suffices over WebSockets) and bypasses audit
// and admission.
// Passes: no binding subject outside the allow-list holds the permission.

import (
	"github.com/kspm-dev/kspm/check"
)

func permNodesProxy() permission {
	return permission{what: "reach the kubelet API through nodes/proxy",
		requests: requests([]string{"get", "create", "update", "patch", "delete"}, "nodes/proxy")}
}

func nodesProxy(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:nodes-proxy",
		Title:    "Subjects that can use nodes/proxy (the kubelet API)",
		Severity: check.Critical,
		Description: "Reports binding subjects allowed nodes/proxy: through the kubelet API they can run " +
			"commands in every container of a node, unseen by audit logs and admission control.",
		Remediation: "Grant monitoring agents nodes/metrics or nodes/stats instead of nodes/proxy; add expected " +
			"grants to the allow parameter.",
	}, permNodesProxy())
}
