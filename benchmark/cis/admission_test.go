package cis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
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

// 5.2.1 takes the admission plugins from the cluster's API server only: a decoy pod outside
// kube-system neither turns failures into notEvaluated nor passes into failures; and a
// plugin whose state is not known does not let a namespace pass.
func TestAdmissionPolicyDecoy(t *testing.T) {
	listed := func(objs ...runtime.Object) *inventory.Inventory {
		return clusterInv(t, []inventory.KindInfo{kindInfo(t, "Namespace"), kindInfo(t, "Pod"), kindInfo(t, "ValidatingWebhookConfiguration"),
			kindInfo(t, "ValidatingAdmissionPolicy"), kindInfo(t, "ValidatingAdmissionPolicyBinding")}, objs...)
	}
	restricted := namespace("a", map[string]string{labelEnforce: "restricted"})
	unlabelled := namespace("c", nil)

	// The decoy's --admission-control-config-file would make the unlabelled namespace's
	// failure look unknown.
	d := decoyPod("kube-apiserver", "tenant", with(hardened[kubeAPIServer], "--admission-control-config-file=/etc/kubernetes/admission.yaml")...)
	fs := run(t, "5.2.1", listed(d, unlabelled))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)

	// The decoy's --disable-admission-plugins=PodSecurity is not the cluster's.
	d = decoyPod("kube-apiserver", "tenant", with(hardened[kubeAPIServer], "--disable-admission-plugins=PodSecurity")...)
	fs = run(t, "5.2.1", listed(d, restricted))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)

	// The real API server's disable list comes from a ConfigMap: PodSecurity may be off.
	real := staticPod("kube-apiserver", "cp1", with(hardened[kubeAPIServer], "--disable-admission-plugins=$(OFF)")...)
	real.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "OFF", ValueFrom: &corev1.EnvVarSource{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{Key: "off"}}}}
	fs = run(t, "5.2.1", listed(real, restricted))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "PodSecurity")
	// So may ValidatingAdmissionWebhook, which a policy engine's webhook needs.
	gatekeeper := &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: "gatekeeper-validating-webhook-configuration"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: "validation.gatekeeper.sh",
			Rules: []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{"*"},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{"*"}, APIVersions: []string{"*"}, Resources: []string{"*"}}}}}},
	}
	fs = run(t, "5.2.1", listed(real, unlabelled, gatekeeper))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "ValidatingAdmissionWebhook")
	// With the plugins known, the same webhook passes the namespace.
	fs = run(t, "5.2.1", listed(staticPod("kube-apiserver", "cp1", hardened[kubeAPIServer]...), unlabelled, gatekeeper))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)
}
