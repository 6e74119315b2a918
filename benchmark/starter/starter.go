package starter

import (
	"iter"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// StarterName is the name of the benchmark Starter returns, as the scanner's -b takes it.
const StarterName = "starter"

// Section is the report section of every control of the benchmark.
const Section = "starter: workload and cluster hygiene"

// Starter returns a fresh copy of the "starter" benchmark.
func Starter() benchmark.Benchmark {
	return benchmark.Benchmark{
		Name:  StarterName,
		Title: "kspm workload and cluster hygiene",
		Description: "Workload settings that hand a pod the node (privileged containers, host " +
			"namespaces, hostPath volumes), unpinned images, Secrets and literal credentials in " +
			"environment variables, " +
			"service account tokens mounted by default, and images from registries outside an " +
			"allowed list. Network segmentation is the network benchmark's.",
		Checks: []check.Check{
			Privileged(),
			HostNamespaces(),
			HostPath(),
			LatestTag(),
			SecretsInEnv(),
			DefaultSAAutomount(),
			WorkloadDefaultSA(),
			AllowedRegistries(),
		},
	}
}

// workloadKinds are the kinds that hold pod templates.
var workloadKinds = []schema.GroupKind{
	inventory.KindPod, inventory.KindReplicationController, inventory.KindDeployment,
	inventory.KindReplicaSet, inventory.KindStatefulSet, inventory.KindDaemonSet,
	inventory.KindJob, inventory.KindCronJob,
}

// Reference documents cited by the controls.
const (
	refPSS      = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
	refSATokens = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"
	refSecrets  = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
	refImages   = "https://kubernetes.io/docs/concepts/containers/images/"
	refCIS      = "CIS Kubernetes Benchmark v1.12"
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
	kind            string // "container", "init container" or "ephemeral container"
	name            string
	image           string
	securityContext *corev1.SecurityContext
	env             []corev1.EnvVar
	envFrom         []corev1.EnvFromSource

	specPath string // the pod spec's field path within the owner, e.g. "spec.template.spec"
	list     string // "containers", "initContainers" or "ephemeralContainers"
	index    int
}

// String names the container as messages do: `init container "setup"`.
func (c container) String() string { return c.kind + " " + strconv.Quote(c.name) }

// field returns the field path of sub within the container, e.g.
// "spec.template.spec.containers[0].securityContext.privileged". It is built on demand: most
// containers pass, and their paths are never needed.
func (c container) field(sub string) string {
	return c.specPath + "." + c.list + "[" + strconv.Itoa(c.index) + "]." + sub
}

// containers yields every container of t: containers, then init containers, then ephemeral
// containers.
func containers(t inventory.PodTemplate) iter.Seq[container] {
	return func(yield func(container) bool) {
		s := t.Spec
		for i := range s.Containers {
			c := &s.Containers[i]
			if !yield(container{kind: "container", name: c.Name, image: c.Image, securityContext: c.SecurityContext,
				env: c.Env, envFrom: c.EnvFrom, specPath: t.Path, list: "containers", index: i}) {
				return
			}
		}
		for i := range s.InitContainers {
			c := &s.InitContainers[i]
			if !yield(container{kind: "init container", name: c.Name, image: c.Image, securityContext: c.SecurityContext,
				env: c.Env, envFrom: c.EnvFrom, specPath: t.Path, list: "initContainers", index: i}) {
				return
			}
		}
		for i := range s.EphemeralContainers {
			c := &s.EphemeralContainers[i]
			if !yield(container{kind: "ephemeral container", name: c.Name, image: c.Image, securityContext: c.SecurityContext,
				env: c.Env, envFrom: c.EnvFrom, specPath: t.Path, list: "ephemeralContainers", index: i}) {
				return
			}
		}
	}
}

// offence is one reason a pod template fails a control.
type offence struct {
	field, message string
}

// reportTemplate reports the one result of a control for pod template t: a failure at the
// first offence's field naming every offence, or a pass with passMsg.
func reportTemplate(pass *check.Pass, t inventory.PodTemplate, offences []offence, passMsg string) {
	if len(offences) == 0 {
		pass.Pass(t.Owner, passMsg)
		return
	}
	msgs := make([]string, len(offences))
	for i, o := range offences {
		msgs[i] = o.message
	}
	pass.Fail(t.Owner, offences[0].field, strings.Join(msgs, "; "))
}
