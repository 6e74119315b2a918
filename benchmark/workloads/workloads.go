package workloads

import (
	"iter"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// WorkloadsName is the name of the benchmark Workloads returns, as the scanner's -b takes it.
const WorkloadsName = "workloads"

// Section is the report section of every control of the benchmark.
const Section = "workloads: workload hygiene"

// Workloads returns a fresh copy of the "workloads" benchmark.
func Workloads() benchmark.Benchmark {
	return benchmark.Benchmark{
		Name:  WorkloadsName,
		Title: "kspm workload hygiene",
		Description: "What pods run with: privileged containers, the node's namespaces and " +
			"sensitive hostPath volumes; images unpinned, not by digest, pulled from elsewhere " +
			"than allowed registries or not pulled each time; missing resource requests and " +
			"limits; writable root filesystems; the root group; missing probes; privileged and " +
			"SSH ports; ServiceAccounts that do not exist, default ServiceAccount tokens; pods " +
			"no controller manages; objects kept in namespace default.",
		Checks: []check.Check{
			Privileged(),
			HostNamespaces(),
			HostPath(),
			SensitiveHostPath(),
			PrivilegedPorts(),
			SSHPort(),
			RootGroup(),
			ReadOnlyRootFilesystem(),
			LatestTag(),
			ImageDigest(),
			ImagePullPolicy(),
			AllowedRegistries(),
			ResourceRequests(),
			ResourceLimits(),
			LivenessProbe(),
			ReadinessProbe(),
			DefaultSAAutomount(),
			WorkloadDefaultSA(),
			MissingServiceAccount(),
			NakedPod(),
			DefaultNamespace(),
		},
	}
}

// workloadKinds are the kinds that hold pod templates.
var workloadKinds = inventory.PodTemplateKinds()

// Reference documents cited by the controls.
const (
	refPSS       = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
	refSATokens  = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"
	refImages    = "https://kubernetes.io/docs/concepts/containers/images/"
	refResources = "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"
	refLimits    = "https://kubernetes.io/docs/concepts/policy/limit-range/"
	refSecCtx    = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"
	refProbes    = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"
	refVolumes   = "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"
	refOwners    = "https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/"
	refNS        = "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"
	refCIS       = "CIS Kubernetes Benchmark v1.12"
)

// reportUnseen adds one notEvaluated result, about no object, when any of kinds was not
// completely seen, so that the results over the objects that were seen are not read as the
// whole picture: the runner's rule for Meta.Kinds (check.UnseenKinds), for checks that read
// kinds beyond those they report on.
func reportUnseen(pass *check.Pass, kinds ...schema.GroupKind) {
	if reason := check.UnseenKinds(pass.Inventory, kinds...); reason != "" {
		pass.NotEvaluated(nil, check.NotSeenMessage(reason))
	}
}

// container is one container, init container or ephemeral container of a pod template, with
// the fields the controls read.
type container struct {
	kind string // "container", "init container" or "ephemeral container"
	// Container holds the fields a container and an ephemeral container share. Ephemeral
	// containers have no resources, probes or ports the API server accepts; the controls that
	// read those do not visit them.
	*corev1.Container
	// sidecar is an init container with restartPolicy Always: it runs beside the containers.
	sidecar bool

	specPath string // the pod spec's field path within the owner, e.g. "spec.template.spec"
	list     string // "containers", "initContainers" or "ephemeralContainers"
	index    int
}

// String names the container as messages do: `init container "setup"`.
func (c container) String() string { return c.kind + " " + strconv.Quote(c.Name) }

// field returns the field path of sub within the container, e.g.
// "spec.template.spec.containers[0].securityContext.privileged". It is built on demand: most
// containers pass, and their paths are never needed.
func (c container) field(sub string) string {
	return c.specPath + "." + c.list + "[" + strconv.Itoa(c.index) + "]." + sub
}

// Which containers of a pod template containersOf yields.
const (
	withInit      = 1 << iota // init containers
	withEphemeral             // ephemeral containers
	allContainers = withInit | withEphemeral
)

// containersOf yields the containers of t, then, as which asks, its init containers and its
// ephemeral containers.
func containersOf(t inventory.PodTemplate, which int) iter.Seq[container] {
	return func(yield func(container) bool) {
		s := t.Spec
		for i := range s.Containers {
			if !yield(container{kind: "container", Container: &s.Containers[i], specPath: t.Path, list: "containers", index: i}) {
				return
			}
		}
		if which&withInit != 0 {
			for i := range s.InitContainers {
				c := &s.InitContainers[i]
				sidecar := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
				if !yield(container{kind: "init container", Container: c, sidecar: sidecar, specPath: t.Path, list: "initContainers", index: i}) {
					return
				}
			}
		}
		if which&withEphemeral != 0 {
			for i := range s.EphemeralContainers {
				c := corev1.Container(s.EphemeralContainers[i].EphemeralContainerCommon)
				if !yield(container{kind: "ephemeral container", Container: &c, specPath: t.Path, list: "ephemeralContainers", index: i}) {
					return
				}
			}
		}
	}
}

// containers yields every container of t: containers, then init containers, then ephemeral
// containers.
func containers(t inventory.PodTemplate) iter.Seq[container] { return containersOf(t, allContainers) }

// mirrorPodAnnotation marks the API's mirror of a kubelet static pod.
const mirrorPodAnnotation = "kubernetes.io/config.mirror"

// staticPodNoServiceAccount is why the ServiceAccount controls do not apply to a static pod.
const staticPodNoServiceAccount = "static pod (mirror of a kubelet manifest): the API server does not let it use a ServiceAccount"

// mirrorPod reports whether t is a bare pod that mirrors a kubelet static pod.
func mirrorPod(t inventory.PodTemplate) bool {
	_, mirror := t.Metadata.Annotations[mirrorPodAnnotation]
	return mirror && t.Owner.GroupKind() == inventory.KindPod
}

// windows reports whether t's pods run on Windows (spec.os.name), where the API server
// refuses the Linux-only securityContext fields (readOnlyRootFilesystem, runAsGroup, ...).
func windows(t inventory.PodTemplate) bool {
	return t.Spec.OS != nil && t.Spec.OS.Name == corev1.Windows
}
