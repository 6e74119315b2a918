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
func admissionPlugin(fs *flags.Set, plugin string) (enabled bool, why, flag string, unknown bool) {
	if legacy, ok, u := fs.List("admission-control"); ok {
		return contains(legacy, plugin), "--admission-control=" + strings.Join(legacy, ","), "admission-control", u
	}
	dis, _, u1 := fs.List("disable-admission-plugins")
	en, enSet, u2 := fs.List("enable-admission-plugins")
	switch {
	case contains(dis, plugin):
		return false, "--disable-admission-plugins includes " + plugin, "disable-admission-plugins", u1 || u2
	case contains(en, plugin):
		return true, "--enable-admission-plugins includes " + plugin, "enable-admission-plugins", u1 || u2
	case defaultOnAdmissionPlugins[plugin]:
		return true, plugin + " is enabled by default and not disabled", "disable-admission-plugins", u1 || u2
	case enSet:
		return false, "--enable-admission-plugins does not include " + plugin, "enable-admission-plugins", u1 || u2
	default:
		return false, "--enable-admission-plugins is not set and " + plugin + " is off by default", "enable-admission-plugins", u1 || u2
	}
}

// pluginOn passes when the admission plugin runs.
func pluginOn(plugin string) flagRule { return pluginRule(plugin, true) }

// pluginOff passes when the admission plugin does not run.
func pluginOff(plugin string) flagRule { return pluginRule(plugin, false) }

func pluginRule(plugin string, want bool) flagRule {
	return func(fs *flags.Set) verdict {
		on, why, flag, unknown := admissionPlugin(fs, plugin)
		if unknown {
			return unknownf(flag, "the admission plugin lists are set from a reference whose value is not visible")
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
