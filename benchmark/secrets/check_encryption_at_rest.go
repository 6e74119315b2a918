// secrets:encryption-at-rest inspects how the API server stores Secrets in etcd: the
// EncryptionConfiguration its --encryption-provider-config names, as a node scan of each
// control-plane node reads it (examples/node-scan; a NodeFiles object, which holds provider
// names only), and, for an API server whose node was not scanned, its pod's flags. The
// provider that writes Secrets is the first one of the entry that covers them, resolved as the
// API server resolves it: an entry for secrets, else one for every core resource ("*."), else
// one for every resource ("*.*"). Per control-plane node or API server pod:
//   - pass: that provider encrypts (aescbc, aesgcm, secretbox, kms);
//   - fail: it is identity (Secrets are written as they are), no entry covers Secrets, or
//     the API server runs without --encryption-provider-config;
//   - not evaluated: the configuration could not be read (not mounted from the node, not
//     valid, refused by the API server), or the API server sets the flag but its node was not
//     scanned, so the file's content is not known.
//
// A scanned node without a kube-apiserver manifest is not applicable. When no API server is
// visible at all (no scanned control-plane node, no kube-apiserver pod in kube-system or
// among static pod manifests), the control plane is managed or not in the input: the check is
// not applicable, and says to look at the provider's setting; not evaluated when pods could
// not be listed.

package secrets

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/internal/nodefs"
	"github.com/kspm-dev/kspm/inventory"
)

// EncryptionAtRest returns the check secrets:encryption-at-rest: the API server encrypts
// Secrets in etcd.
func EncryptionAtRest() check.Check {
	return check.New(check.Meta{
		ID:      "secrets:encryption-at-rest",
		Section: Section,
		Title:   "The API server encrypts Secrets at rest",
		Description: "Without encryption at rest, every Secret is in etcd, its backups and its disks as written. " +
			"Reads the EncryptionConfiguration named by the API server's --encryption-provider-config from node " +
			"scans of control-plane nodes (provider names only), and the flag from kube-apiserver pods whose node " +
			"was not scanned. Passes when the provider that writes Secrets (the first of the entry for secrets, " +
			"else for \"*.\", else for \"*.*\") encrypts; fails when it is identity, when no entry covers Secrets, " +
			"or when the flag is not set. Not applicable when no API server is visible (a managed control plane).",
		Severity: check.High,
		Remediation: "Write an EncryptionConfiguration whose entry for secrets lists kms (v2), aescbc, aesgcm or " +
			"secretbox first (identity last, to read what was stored before), set --encryption-provider-config " +
			"on every API server, then rewrite every Secret so it is stored encrypted " +
			"(kubectl get secrets -A -o json | kubectl replace -f -). On a managed control plane, turn on the " +
			"provider's envelope encryption with a KMS key.",
		References: []string{refEncryption, refCIS + " 1.2.27, 1.2.28"},
		Kinds:      []schema.GroupKind{inventory.KindNodeFiles, inventory.KindPod},
		Depends:    encryptionDeps,
	}, runEncryptionAtRest)
}

// encryptingProviders are the providers that encrypt what they write.
var encryptingProviders = map[string]bool{"aescbc": true, "aesgcm": true, "secretbox": true, "kms": true}

func runEncryptionAtRest(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	scanned := make(map[string]bool) // control-plane nodes judged from their node scan
	for _, o := range inv.ByKind(inventory.KindNodeFiles) {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := o.Map()
		if err != nil {
			pass.Error(o, err)
			continue
		}
		spec, _ := m["spec"].(map[string]any)
		if !hasAPIServerManifest(spec) {
			pass.NotApplicable(o, "no kube-apiserver static pod manifest on this node")
			continue
		}
		node, _ := spec["node"].(string)
		if node == "" {
			node = o.Name()
		}
		scanned[node] = true
		v := judgeNodeEncryption(spec)
		pass.Report(check.Finding{Status: v.status, Object: o, Field: v.field, Message: v.msg})
	}
	pods := apiServerPods(inv)
	for _, p := range pods {
		pod := p.Object().(*corev1.Pod)
		if scanned[pod.Spec.NodeName] {
			continue // its node's scan read the configuration itself
		}
		switch value, known := nodefs.EncryptionConfigFlag(pod); {
		case !known:
			pass.NotEvaluated(p, "whether kube-apiserver runs with --encryption-provider-config is not visible in its pod "+
				"(its command line does not name kube-apiserver, or the value comes from a reference)")
		case value == "":
			pass.Fail(p, "spec.containers", "kube-apiserver runs without --encryption-provider-config: Secrets are stored unencrypted")
		default:
			where := "its node"
			if pod.Spec.NodeName != "" {
				where = "node " + pod.Spec.NodeName
			}
			pass.NotEvaluatedf(p, "kube-apiserver reads its encryption configuration from %s, whose content is on %s: "+
				"include a node scan of it (examples/node-scan) to judge the providers", value, where)
		}
	}
	if len(scanned) > 0 || len(pods) > 0 {
		return nil
	}
	if reason := inv.Unseen(inventory.KindPod); reason != "" {
		pass.NotEvaluated(nil, "cannot find the kube-apiserver: "+reason)
		return nil
	}
	// Managed or out of sight, the API server encrypts Secrets or not: unknown, not absent.
	pass.NotEvaluated(nil, "no API server is visible (no node scan of a control-plane node, no kube-apiserver pod in "+
		"kube-system or among static pod manifests): the control plane is managed or not in the input; check that "+
		"its provider encrypts Secrets with a KMS key")
	return nil
}

func hasAPIServerManifest(spec map[string]any) bool {
	files, _ := spec["files"].([]any)
	for _, f := range files {
		fm, _ := f.(map[string]any)
		if exists, _ := fm["exists"].(bool); exists && fm["role"] == inventory.NodeFileAPIServerManifest {
			return true
		}
	}
	return false
}

// encryptionVerdict is a verdict on one control-plane node.
type encryptionVerdict struct {
	status     check.Status
	field, msg string
}

// judgeNodeEncryption judges the encryption configuration a node scan read.
func judgeNodeEncryption(spec map[string]any) encryptionVerdict {
	const field = "spec.encryption"
	encMap, ok := spec["encryption"].(map[string]any)
	if !ok {
		return encryptionVerdict{check.StatusFail, "", "the kube-apiserver manifest sets no --encryption-provider-config: Secrets are stored unencrypted"}
	}
	enc, err := nodefs.EncryptionFromMap(encMap)
	if err != nil {
		return encryptionVerdict{check.StatusNotEvaluated, "", "cannot read the node scan's encryption configuration: " + err.Error()}
	}
	if enc.Error != "" {
		return encryptionVerdict{check.StatusNotEvaluated, "", fmt.Sprintf("cannot read the encryption configuration %s: %s", enc.Path, enc.Error)}
	}
	provs, resource, err := enc.SecretsProviders()
	switch {
	case err != nil:
		return encryptionVerdict{check.StatusNotEvaluated, "", fmt.Sprintf("the encryption configuration %s: %v", enc.Path, err)}
	case resource == "":
		return encryptionVerdict{check.StatusFail, field, fmt.Sprintf("no entry of the encryption configuration %s covers secrets: "+
			"they are stored unencrypted (identity)", enc.Path)}
	case len(provs) == 0:
		return encryptionVerdict{check.StatusNotEvaluated, "", fmt.Sprintf("the entry %q of %s lists no provider, which the API "+
			"server refuses", resource, enc.Path)}
	case provs[0] == "identity":
		return encryptionVerdict{check.StatusFail, field, fmt.Sprintf("the first provider for secrets (entry %q of %s) is identity: "+
			"they are written unencrypted%s", resource, enc.Path, thenOthers(provs))}
	case !encryptingProviders[provs[0]]:
		return encryptionVerdict{check.StatusNotEvaluated, "", fmt.Sprintf("the first provider for secrets (entry %q of %s) is %q, "+
			"which is not one the API server knows", resource, enc.Path, provs[0])}
	}
	msg := fmt.Sprintf("secrets are encrypted with %s (entry %q of %s)", provs[0], resource, enc.Path)
	if provs[0] == "aesgcm" {
		msg += "; the Kubernetes documentation advises rotating an aesgcm key every 200,000 writes"
	}
	return encryptionVerdict{check.StatusPass, field, msg}
}

// thenOthers notes the providers after the first, which only decrypt.
func thenOthers(provs []string) string {
	if len(provs) < 2 {
		return ""
	}
	return " (" + strings.Join(provs[1:], ", ") + " after it only read what they wrote)"
}

// apiServerPods returns the pods that run the cluster's kube-apiserver as far as the input
// tells: pods in kube-system, and in manifests static pod manifests (pods written without a
// namespace and never listed from an API server), whose container runs kube-apiserver or that
// are labelled as it. A pod elsewhere that looks like one is anyone's to create, and is not
// taken as the API server (the cis benchmark's control-plane controls say why in full).
func apiServerPods(inv *inventory.Inventory) []*inventory.Object {
	var out []*inventory.Object
	for _, o := range inv.ByKind(inventory.KindPod) {
		pod, ok := o.Object().(*corev1.Pod)
		if !ok || !controlPlacePod(inv, pod) {
			continue
		}
		runs := pod.Labels["component"] == "kube-apiserver" || pod.Labels["k8s-app"] == "kube-apiserver"
		for _, c := range pod.Spec.Containers {
			if _, found := flags.Locate(c.Command, c.Args, nil, "kube-apiserver"); found {
				runs = true
			}
		}
		if runs {
			out = append(out, o)
		}
	}
	return out
}

// controlPlacePod reports whether pod is where only cluster administrators put pods:
// kube-system, or, in manifests, a static pod manifest written without a namespace (read into
// default) that carries nothing an API server or a kubelet adds (which anyone who may create
// pods can add too).
func controlPlacePod(inv *inventory.Inventory, pod *corev1.Pod) bool {
	switch pod.Namespace {
	case metav1.NamespaceSystem:
		return true
	case "", metav1.NamespaceDefault:
		_, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]
		return inv.Mode() == inventory.ModeManifests && pod.UID == "" && pod.ResourceVersion == "" &&
			pod.CreationTimestamp.IsZero() && len(pod.OwnerReferences) == 0 && !mirror &&
			pod.Annotations["kubernetes.io/config.source"] == ""
	}
	return false
}
