package rbac

// rbac:create-persistentvolumes
//
// Inspects: bindings whose role allows creating PersistentVolumes. A PersistentVolume can be
// a hostPath on a node: whoever creates one and a claim bound to it mounts the node's
// filesystem into a pod, whatever Pod Security admission says about hostPath volumes.
// Passes: no binding subject outside the allow-list holds the permission.

import (
	"github.com/kspm-dev/kspm/check"
)

func permCreatePersistentVolumes() permission {
	return permission{what: "create persistent volumes", requests: requests([]string{"create"}, "persistentvolumes")}
}

func createPersistentVolumes(c *engineCache) check.Check {
	return permissionCheck(c, check.Meta{
		ID:       "rbac:create-persistentvolumes",
		Title:    "Subjects that can create PersistentVolumes",
		Severity: check.High,
		Description: "Reports binding subjects allowed to create PersistentVolumes, which can expose a node's " +
			"filesystem (hostPath) to their pods.",
		Remediation: "Leave PersistentVolume creation to storage provisioners; add expected grants to the allow " +
			"parameter.",
	}, permCreatePersistentVolumes())
}
