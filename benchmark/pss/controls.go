package pss

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/policy"

	"github.com/kspm-dev/kspm/check"
)

// Reference pages cited by the controls.
const (
	docStandards = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
	docAdmission = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"
	docLabels    = "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/"
	docMigrate   = "https://kubernetes.io/docs/tasks/configure-pod-container/migrate-from-psp/"
)

// control is what this package says about one upstream check; the verdict itself is the
// upstream check's. Every check of policy.DefaultChecks must have an entry (a test enforces
// it), so a newer upstream module with a new check fails the tests until it is described.
type control struct {
	title       string
	description string
	remediation string
	severity    check.Severity
	// podField and containerField locate a failure: the field under the pod spec when the pod
	// itself sets the offending value, and under the first container named in the failure.
	podField, containerField string
}

var controls = map[policy.CheckID]control{
	"privileged": {
		title: "Containers must not run privileged",
		description: "A privileged container has every capability and all host devices, which makes " +
			"escaping to the node trivial. Passes when no container, init container or ephemeral " +
			"container sets securityContext.privileged to true.",
		remediation: "Remove securityContext.privileged: true (or set it to false) on every container. " +
			"If the workload needs a specific kernel feature, grant the narrow capability instead, " +
			"or run it in a namespace labelled for the privileged level.",
		severity:       check.Critical,
		containerField: "securityContext.privileged",
	},
	"hostNamespaces": {
		title: "Pods must not share the host's network, PID or IPC namespace",
		description: "Sharing the node's namespaces lets a pod see and reach host processes, " +
			"interfaces and shared memory. Passes when hostNetwork, hostPID and hostIPC are unset " +
			"or false.",
		remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false). " +
			"Expose network services through a Service rather than the host's interfaces.",
		severity: check.High,
	},
	"hostPathVolumes": {
		title: "Pods must not mount hostPath volumes",
		description: "A hostPath volume exposes the node's file system to the pod; a writable mount " +
			"of the wrong directory hands over the node. Passes when no volume is of type hostPath.",
		remediation: "Replace hostPath volumes with emptyDir, a ConfigMap or Secret, or a " +
			"PersistentVolumeClaim. Node agents that truly need host files belong in a namespace " +
			"labelled for the privileged level.",
		severity: check.High,
	},
	"hostPorts": {
		title: "Containers must not bind host ports",
		description: "A hostPort opens a port on the node's own address, bypassing network " +
			"policies and limiting scheduling. Passes when no container port sets hostPort (or it " +
			"is 0).",
		remediation: "Remove hostPort from the container ports and publish the port through a Service " +
			"(NodePort or LoadBalancer if it must be reachable from outside).",
		severity:       check.Medium,
		containerField: "ports",
	},
	"capabilities_baseline": {
		title: "Containers must not add capabilities beyond the default set",
		description: "Adding Linux capabilities outside the container runtime's default set " +
			"(for example SYS_ADMIN or NET_ADMIN) widens what a compromised process can do to the " +
			"node. Passes when securityContext.capabilities.add holds only default capabilities.",
		remediation: "Remove the extra entries from securityContext.capabilities.add. If the " +
			"application needs one, check whether a narrower design avoids it; otherwise document " +
			"the exception and run it under the privileged level.",
		severity:       check.High,
		containerField: "securityContext.capabilities.add",
	},
	"appArmorProfile": {
		title: "Pods must not disable or override the AppArmor profile",
		description: "AppArmor confines what a container may touch on the node. Passes when the " +
			"pod and its containers leave the profile unset or use the runtime default or a " +
			"profile loaded on the node (Localhost), in both the appArmorProfile field and the " +
			"older annotations.",
		remediation: "Remove appArmorProfile type Unconfined (and unconfined AppArmor annotations), or " +
			"set the type to RuntimeDefault or to a Localhost profile.",
		severity:       check.Medium,
		podField:       "securityContext.appArmorProfile",
		containerField: "securityContext.appArmorProfile",
	},
	"seLinuxOptions": {
		title: "Pods must not set a custom SELinux user, role or type",
		description: "Custom SELinux labels can lift the confinement the runtime applies to " +
			"containers. Passes when seLinuxOptions sets no user or role and only a standard " +
			"container type.",
		remediation: "Remove seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type " +
			"unset or at one of the standard container types, on the pod and on every container.",
		severity:       check.Medium,
		podField:       "securityContext.seLinuxOptions",
		containerField: "securityContext.seLinuxOptions",
	},
	"procMount": {
		title: "Containers must keep the default /proc mask",
		description: "The runtime masks sensitive parts of /proc; an Unmasked procMount exposes " +
			"them. Passes when procMount is unset or Default (newer policy versions also allow " +
			"other values for pods in a user namespace).",
		remediation:    "Remove securityContext.procMount or set it to Default.",
		severity:       check.Medium,
		containerField: "securityContext.procMount",
	},
	"seccompProfile_baseline": {
		title: "Pods must not disable seccomp",
		description: "Seccomp filters the system calls a container can make. Passes when no " +
			"seccomp profile is explicitly set to Unconfined, in the fields or (older versions) " +
			"the seccomp annotations.",
		remediation: "Remove seccompProfile type Unconfined from the pod and its containers and set " +
			"RuntimeDefault (or a Localhost profile) instead.",
		severity:       check.Medium,
		podField:       "securityContext.seccompProfile",
		containerField: "securityContext.seccompProfile",
	},
	"sysctls": {
		title: "Pods must set only safe sysctls",
		description: "Most kernel parameters are shared with the node and other pods. Passes when " +
			"the pod's securityContext.sysctls holds only the namespaced, safe set allowed at the " +
			"chosen policy version.",
		remediation: "Remove the sysctls outside the safe set from securityContext.sysctls; tune " +
			"node-wide parameters on the node instead.",
		severity: check.Medium,
	},
	"windowsHostProcess": {
		title: "Windows pods must not run as HostProcess containers",
		description: "A Windows HostProcess container runs directly on the node with host " +
			"privileges. Passes when windowsOptions.hostProcess is unset or false on the pod and " +
			"every container.",
		remediation: "Remove securityContext.windowsOptions.hostProcess: true from the pod and its " +
			"containers; run node agents that need it under the privileged level.",
		severity:       check.Critical,
		podField:       "securityContext.windowsOptions.hostProcess",
		containerField: "securityContext.windowsOptions.hostProcess",
	},
	"hostProbesAndHostLifecycle": {
		title: "Probes and lifecycle hooks must not target another host",
		description: "A probe or lifecycle handler with a host field makes the kubelet connect to " +
			"an arbitrary address on the pod's behalf. Passes when no httpGet or tcpSocket " +
			"handler sets host.",
		remediation: "Remove the host field from the probes and lifecycle handlers so they target the " +
			"pod's own address.",
		severity: check.Medium,
	},
	"allowPrivilegeEscalation": {
		title: "Containers must forbid privilege escalation",
		description: "Without allowPrivilegeEscalation: false a process can gain more privileges " +
			"than its parent, for example through setuid binaries. Passes when every container " +
			"sets it to false (Windows pods are exempt from newer policy versions).",
		remediation: "Set securityContext.allowPrivilegeEscalation: false on every container, init " +
			"container and ephemeral container.",
		severity:       check.Medium,
		containerField: "securityContext.allowPrivilegeEscalation",
	},
	"capabilities_restricted": {
		title: "Containers must drop all capabilities",
		description: "Restricted pods start from no Linux capabilities. Passes when every container " +
			"drops ALL and adds back at most NET_BIND_SERVICE (Windows pods are exempt from newer " +
			"policy versions). At the restricted level this check replaces the baseline " +
			"capabilities check.",
		remediation: "Set securityContext.capabilities.drop: [\"ALL\"] on every container and remove " +
			"every added capability other than NET_BIND_SERVICE.",
		severity:       check.Medium,
		containerField: "securityContext.capabilities",
	},
	"restrictedVolumes": {
		title: "Pods must use only the restricted volume types",
		description: "Restricted pods may mount only volumes that do not reach the node or " +
			"external storage directly: configMap, secret, emptyDir, projected, downwardAPI, csi, " +
			"persistentVolumeClaim, ephemeral and image. This check replaces the baseline hostPath " +
			"check at the restricted level, so it also catches hostPath volumes.",
		remediation: "Replace the other volume types (hostPath, nfs, iscsi, and so on) with a " +
			"PersistentVolumeClaim backed by a StorageClass, or with one of the allowed types.",
		severity: check.High,
	},
	"runAsNonRoot": {
		title: "Containers must run as a non-root user",
		description: "Passes when the pod or every container sets securityContext.runAsNonRoot: " +
			"true and none sets it to false (newer policy versions relax this for pods in a user " +
			"namespace).",
		remediation: "Set securityContext.runAsNonRoot: true on the pod (and remove any container " +
			"override to false); make sure the image runs as a numeric non-zero user.",
		severity:       check.Medium,
		podField:       "securityContext.runAsNonRoot",
		containerField: "securityContext.runAsNonRoot",
	},
	"runAsUser": {
		title: "Containers must not run as user ID 0",
		description: "Passes when neither the pod nor any container sets runAsUser to 0 (newer " +
			"policy versions allow it for pods in a user namespace).",
		remediation: "Set runAsUser to a non-zero user ID, or leave it unset and build the image " +
			"with a non-root USER.",
		severity:       check.Medium,
		podField:       "securityContext.runAsUser",
		containerField: "securityContext.runAsUser",
	},
	"seccompProfile_restricted": {
		title: "Pods must set a seccomp profile",
		description: "Restricted pods must opt into seccomp filtering. Passes when the pod or every " +
			"container sets seccompProfile type RuntimeDefault or Localhost and none sets another " +
			"type (Windows pods are exempt from newer policy versions). At the restricted level " +
			"this check replaces the baseline seccomp check.",
		remediation: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod, and remove " +
			"container-level profiles of other types.",
		severity:       check.Low,
		podField:       "securityContext.seccompProfile",
		containerField: "securityContext.seccompProfile",
	},
	"procMount_restricted": {
		title: "Containers must keep the default /proc mask, even in a user namespace",
		description: "Passes when procMount is unset or Default on every container, whether or " +
			"not the pod runs in a user namespace. At the restricted level this check replaces " +
			"the baseline procMount check.",
		remediation:    "Remove securityContext.procMount or set it to Default.",
		severity:       check.Medium,
		containerField: "securityContext.procMount",
	},
}

// locate returns the field path of a failure of check id in the pod spec at path, as close to
// the offending value as the failure tells cheaply, and at least the spec's path.
func locate(id policy.CheckID, spec *corev1.PodSpec, path, detail string) string {
	switch id {
	case "hostNamespaces":
		switch {
		case spec.HostNetwork:
			return path + ".hostNetwork"
		case spec.HostPID:
			return path + ".hostPID"
		case spec.HostIPC:
			return path + ".hostIPC"
		}
		return path
	case "hostPathVolumes", "restrictedVolumes":
		for i, v := range spec.Volumes {
			if strings.Contains(detail, `"`+v.Name+`"`) {
				return fmt.Sprintf("%s.volumes[%d]", path, i)
			}
		}
		return path + ".volumes"
	case "sysctls":
		return path + ".securityContext.sysctls"
	}
	c := controls[id]
	if strings.HasPrefix(detail, "forbidden annotation") {
		return metadataPath(path) + ".annotations"
	}
	if c.podField != "" && strings.HasPrefix(detail, "pod ") && !strings.HasPrefix(detail, "pod or ") {
		return path + "." + c.podField
	}
	if f, ok := firstNamedContainer(spec, path, detail); ok {
		if c.containerField != "" {
			return f + "." + c.containerField
		}
		return f
	}
	if strings.Contains(detail, "annotation") {
		return metadataPath(path) + ".annotations"
	}
	return path
}

// firstNamedContainer returns the path of the first container, in the order admission visits
// them (init, regular, ephemeral), whose quoted name appears in detail.
func firstNamedContainer(spec *corev1.PodSpec, path, detail string) (string, bool) {
	named := func(name string) bool { return name != "" && strings.Contains(detail, `"`+name+`"`) }
	for i := range spec.InitContainers {
		if named(spec.InitContainers[i].Name) {
			return fmt.Sprintf("%s.initContainers[%d]", path, i), true
		}
	}
	for i := range spec.Containers {
		if named(spec.Containers[i].Name) {
			return fmt.Sprintf("%s.containers[%d]", path, i), true
		}
	}
	for i := range spec.EphemeralContainers {
		if named(spec.EphemeralContainers[i].Name) {
			return fmt.Sprintf("%s.ephemeralContainers[%d]", path, i), true
		}
	}
	return "", false
}

// metadataPath returns the path of the pod metadata that goes with the pod spec at path:
// "spec" → "metadata", "spec.template.spec" → "spec.template.metadata".
func metadataPath(path string) string {
	if base, ok := strings.CutSuffix(path, "spec"); ok {
		return base + "metadata"
	}
	return path
}
