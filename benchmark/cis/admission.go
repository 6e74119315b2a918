package cis

import (
	"fmt"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
)

// defaultOnAdmissionPlugins are the admission plugins kube-apiserver enables when
// --enable-admission-plugins does not name them (Kubernetes 1.37).
var defaultOnAdmissionPlugins = set(
	"NamespaceLifecycle", "LimitRanger", "ServiceAccount", "DefaultStorageClass",
	"PersistentVolumeClaimResize", "DefaultTolerationSeconds", "MutatingAdmissionWebhook",
	"ValidatingAdmissionWebhook", "ResourceQuota", "StorageObjectInUseProtection",
	"PodGroupProtection", "Priority", "TaintNodesByCondition", "RuntimeClass",
	"CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest",
	"CertificateSubjectRestriction", "DefaultIngressClass", "PodSecurity", "PodTopologyLabels",
	"MutatingAdmissionPolicy", "ValidatingAdmissionPolicy", "NodeDeclaredFeatureValidator",
	"PodResizeValidator",
)

// admissionPlugin reports whether kube-apiserver runs plugin, as its flags decide:
// the deprecated --admission-control, when given, is the complete list of enabled plugins;
// otherwise a plugin runs when it is enabled (explicitly or by default) and not disabled.
// unknown, when not empty, says why the answer is not known: a list the answer depends on
// has a value that is not visible or a command line that reads more than one way.
func admissionPlugin(fs *flags.Set, plugin string) (enabled bool, why, flag, unknown string) {
	if legacy, ok, _ := fs.List("admission-control"); ok {
		return contains(legacy, plugin), "--admission-control=" + strings.Join(legacy, ","), "admission-control",
			listUnknown(fs, "admission-control")
	}
	dis, _, _ := fs.List("disable-admission-plugins")
	en, enSet, _ := fs.List("enable-admission-plugins")
	unknown = listUnknown(fs, "disable-admission-plugins", "enable-admission-plugins")
	switch {
	case contains(dis, plugin):
		return false, "--disable-admission-plugins includes " + plugin, "disable-admission-plugins", unknown
	case contains(en, plugin):
		return true, "--enable-admission-plugins includes " + plugin, "enable-admission-plugins", unknown
	case defaultOnAdmissionPlugins[plugin]:
		return true, plugin + " is enabled by default and not disabled", "disable-admission-plugins", unknown
	case enSet:
		return false, "--enable-admission-plugins does not include " + plugin, "enable-admission-plugins", unknown
	default:
		return false, "--enable-admission-plugins is not set and " + plugin + " is off by default", "enable-admission-plugins", unknown
	}
}

// listUnknown says why the first of the list flags whose value is not known is not known,
// or returns "".
func listUnknown(fs *flags.Set, names ...string) string {
	for _, n := range names {
		if _, _, u := fs.List(n); u {
			return "--" + n + " is not known: " + fs.Why(n)
		}
	}
	return ""
}

// pluginOn passes when the admission plugin runs.
func pluginOn(plugin string) flagRule { return pluginRule(plugin, true) }

// pluginOff passes when the admission plugin does not run.
func pluginOff(plugin string) flagRule { return pluginRule(plugin, false) }

func pluginRule(plugin string, want bool) flagRule {
	return func(fs *flags.Set) verdict {
		on, why, flag, unknown := admissionPlugin(fs, plugin)
		if unknown != "" {
			return unknownf(flag, "whether %s runs is not known: %s", plugin, unknown)
		}
		state := "off"
		if on {
			state = "on"
		}
		msg := fmt.Sprintf("%s is %s: %s", plugin, state, why)
		if on == want {
			return verdict{check.StatusPass, flag, msg}
		}
		return verdict{check.StatusFail, flag, msg}
	}
}
