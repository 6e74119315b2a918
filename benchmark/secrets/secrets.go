package secrets

import (
	"iter"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// SecretsName is the name of the benchmark Secrets returns, as the scanner's -b takes it.
const SecretsName = "secrets"

// Section is the report section of every control of the benchmark.
const Section = "secrets: secrets management"

// Secrets returns a fresh copy of the "secrets" benchmark.
func Secrets() benchmark.Benchmark {
	return benchmark.Benchmark{
		Name:  SecretsName,
		Title: "kspm secrets management",
		Description: "How Secrets reach workloads (files, not environment variables), credentials " +
			"written into pod specs and ConfigMaps instead of Secrets, legacy service-account token " +
			"Secrets, Secrets older than a rotation age, Secrets nothing references, who outside a " +
			"namespace can read its Secrets, and encryption of Secrets at rest. No value is ever reported.",
		Checks: []check.Check{
			SecretsInEnv(),
			EnvCredentials(),
			ConfigMapCredentials(),
			LegacySAToken(),
			RotationAge(),
			Unreferenced(),
			Readers(),
			EncryptionAtRest(),
		},
	}
}

// workloadKinds are the kinds that hold pod templates.
var workloadKinds = inventory.PodTemplateKinds()

// Reference documents cited by the controls.
const (
	refSecrets      = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
	refConfigMaps   = "https://kubernetes.io/docs/concepts/configuration/configmap/"
	refRBACSecrets  = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets"
	refEncryption   = "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/"
	refLegacyTokens = "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner"
	refCIS          = "CIS Kubernetes Benchmark v1.12"
)

// container is one container, init container or ephemeral container of a pod template, with
// the fields the controls read.
type container struct {
	kind    string // "container", "init container" or "ephemeral container"
	name    string
	env     []corev1.EnvVar
	envFrom []corev1.EnvFromSource
	command []string
	args    []string
	path    string // its field path within the owner: "spec.template.spec.containers[0]"
}

// String names the container as messages do: `init container "setup"`.
func (c container) String() string { return c.kind + " " + strconv.Quote(c.name) }

// field returns the field path of sub within the container.
func (c container) field(sub string) string { return c.path + "." + sub }

// containers yields every container of t: containers, then init containers, then ephemeral
// containers.
func containers(t inventory.PodTemplate) iter.Seq[container] {
	return func(yield func(container) bool) {
		at := func(list string, i int) string { return t.Path + "." + list + "[" + strconv.Itoa(i) + "]" }
		for _, l := range []struct {
			kind, field string
			cs          []corev1.Container
		}{{"container", "containers", t.Spec.Containers}, {"init container", "initContainers", t.Spec.InitContainers}} {
			for i := range l.cs {
				k := &l.cs[i]
				if !yield(container{l.kind, k.Name, k.Env, k.EnvFrom, k.Command, k.Args, at(l.field, i)}) {
					return
				}
			}
		}
		for i := range t.Spec.EphemeralContainers {
			e := &t.Spec.EphemeralContainers[i].EphemeralContainerCommon
			if !yield(container{"ephemeral container", e.Name, e.Env, e.EnvFrom, e.Command, e.Args, at("ephemeralContainers", i)}) {
				return
			}
		}
	}
}

// lookup returns the object of kind gk that a reference from the object from (nil for none
// in particular) names in namespace ns, or nil: the one place the benchmark resolves a
// reference to an object, to the nearest definition when manifests hold several.
func lookup(inv *inventory.Inventory, from *inventory.Object, gk schema.GroupKind, ns, name string) *inventory.Object {
	return inv.From(from).Get(gk, ns, name)
}
