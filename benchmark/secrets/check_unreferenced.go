// secrets:unreferenced inspects every Secret and the objects of its namespace that can name
// it: the pod templates of pods and workloads (volumes, including projected volumes and the
// secret references of CSI and other volume plugins; env secretKeyRef; envFrom secretRef;
// imagePullSecrets), ServiceAccounts (secrets, imagePullSecrets) and Ingresses (TLS). It
// passes when something references the Secret, and fails when nothing does, which the
// inventory can tell only when it stands for the whole cluster (inventory.Inventory.Whole)
// and every one of those kinds was seen completely; otherwise a Secret no object of the input
// references is not evaluated, since a reference may be in what was not seen. Secrets of the
// types given by the ignoreTypes parameter are not applicable: service-account tokens (see
// secrets:legacy-sa-token), bootstrap tokens and Helm release records are used by clients
// and tools, not named by objects.
//
// References that kspm does not see are outside this control: PersistentVolumes and
// StorageClasses, custom resources (cert-manager, external-secrets, Argo CD, ...), and
// controllers' command-line flags. A failure says so.

package secrets

import (
	"context"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// ParamIgnoreTypes is the parameter of secrets:unreferenced and secrets:rotation-age that
// lists the Secret types they do not judge.
const ParamIgnoreTypes = "ignoreTypes"

// defaultIgnoredTypes are the Secret types that carry credentials for clients and tools
// rather than for objects to name: service-account tokens, bootstrap tokens, Helm releases.
var defaultIgnoredTypes = []string{string(corev1.SecretTypeServiceAccountToken), string(corev1.SecretTypeBootstrapToken),
	"helm.sh/release.v1"}

// ignoredTypes returns the ignoreTypes parameter, or its default for a pass made without the
// runner's defaults.
func ignoredTypes(pass *check.Pass) []string {
	if l, ok := pass.Params[ParamIgnoreTypes].([]string); ok {
		return l
	}
	return defaultIgnoredTypes
}

// Unreferenced returns the check secrets:unreferenced: every Secret is used by something.
func Unreferenced() check.Check {
	return check.New(check.Meta{
		ID:      "secrets:unreferenced",
		Section: Section,
		Title:   "Secrets are referenced by a workload, ServiceAccount or Ingress",
		Description: "A Secret nothing uses is a credential kept for no purpose: readable by everyone who can read " +
			"its namespace's Secrets, never rotated because nobody depends on it. Passes when a pod or workload " +
			"template (volume, projected volume, volume plugin secretRef, env, envFrom, imagePullSecrets), a " +
			"ServiceAccount (secrets, imagePullSecrets) or an Ingress (TLS) of its namespace names it. Not evaluated " +
			"when the input is not the whole cluster or those kinds were not all seen. References from " +
			"PersistentVolumes, StorageClasses, custom resources and controller flags are not seen.",
		Severity: check.Low,
		Remediation: "Delete the Secret if nothing uses it (check custom resources, PersistentVolumes and controller " +
			"flags first), or add its type to the ignoreTypes parameter if Secrets of that type are used by tools " +
			"outside the cluster's objects.",
		References: []string{refSecrets},
		Kinds:      append([]schema.GroupKind{inventory.KindSecret}, referringKinds...),
		Depends:    referencedSecretDeps,
		Params: []check.Param{{Name: ParamIgnoreTypes, Type: check.ParamStringList, Default: slices.Clone(defaultIgnoredTypes),
			Description: "Secret types not judged: their Secrets are used by clients and tools, not named by objects."}},
	}, runUnreferenced)
}

func runUnreferenced(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	ignore := ignoredTypes(pass)
	// Why a Secret that nothing in the inventory names may still be named.
	unknown := ""
	if !inv.Whole() {
		unknown = "the input is a part of the cluster (declare it complete with --complete, inventory.WithCompleteInput, to judge)"
	} else if reason := check.UnseenKinds(inv, referringKinds...); reason != "" {
		unknown = "objects that can reference it were not all seen: " + reason
	}
	refs := referencesTo(pass)
	const notSeen = "; references from PersistentVolumes, StorageClasses, custom resources and controller flags are not seen"
	for i, o := range pass.Objects(inventory.KindSecret) {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if s, ok := o.Object().(*corev1.Secret); ok && slices.Contains(ignore, string(s.Type)) {
			pass.NotApplicablef(o, "type %s is ignored (parameter %s): such Secrets are used by clients and tools", s.Type, ParamIgnoreTypes)
			continue
		}
		if r := ofThisDefinition(inv, o, refs(nsName{o.Namespace(), o.Name()})); len(r) > 0 {
			pass.Passf(o, "referenced by %s", describeRefs(r))
			continue
		}
		if unknown != "" {
			pass.NotEvaluatedf(o, "no pod or workload template, ServiceAccount or Ingress of the input references it, but %s", unknown)
			continue
		}
		pass.Fail(o, "", "no pod or workload template, ServiceAccount or Ingress of its namespace references it"+notSeen)
	}
	return nil
}

// referencesTo returns the references of refs (to the Secret's namespace and name) that
// resolve to the definition o: a reference resolves to the definition nearest the object that
// makes it, so where the input defines the Secret in several places (variants), a dev
// Deployment's reference is to the dev Secret, not to the prod one.
func ofThisDefinition(inv *inventory.Inventory, o *inventory.Object, refs []secretRef) []secretRef {
	if !inv.HasVariants() || len(inv.Variants(o.GroupKind(), o.Namespace(), o.Name())) < 2 {
		return refs
	}
	var out []secretRef
	for _, r := range refs {
		if inv.From(r.from).Get(o.GroupKind(), o.Namespace(), o.Name()) == o {
			out = append(out, r)
		}
	}
	return out
}

// describeRefs names the first references (three at most) and counts the others.
func describeRefs(refs []secretRef) string {
	const most = 3
	names := make([]string, 0, most)
	for _, r := range refs[:min(most, len(refs))] {
		names = append(names, r.String())
	}
	s := strings.Join(names, ", ")
	if n := len(refs) - most; n > 0 {
		s += " and " + plural(n, "more reference")
	}
	return s
}

// plural returns "1 thing" or "N things".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
