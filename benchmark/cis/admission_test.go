package cis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
)

// An admission plugin whose state is not known says why: a value from a reference, or a
// command line that reads two ways.
func TestAdmissionPluginUnknownReason(t *testing.T) {
	api := without(hardened[kubeAPIServer], "enable-admission-plugins")
	checkFlagForms(t, []flagForm{
		{"a flag kspm does not know before the list", "1.2.10", kubeAPIServer,
			with(api, "--not-a-kube-flag", "--enable-admission-plugins=AlwaysAdmit"), check.StatusNotEvaluated, "--not-a-kube-flag"},
		{"the legacy list after a flag kspm does not know", "1.2.12", kubeAPIServer,
			with(api, "--not-a-kube-flag", "--admission-control=ServiceAccount"), check.StatusNotEvaluated, "--not-a-kube-flag"},
	})

	pod := staticPod("kube-apiserver", "cp1", with(api, "--enable-admission-plugins=NodeRestriction", "--disable-admission-plugins=$(OFF)")...)
	pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "OFF", ValueFrom: &corev1.EnvVarSource{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{Key: "off"}}}}
	fs := run(t, "1.2.12", newInv(t, pod))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "ServiceAccount")
	assert.Contains(t, fs[0].Message, "Secret, ConfigMap or field reference")
}
