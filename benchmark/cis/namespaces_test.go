package cis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// A denying ValidatingAdmissionPolicy is a pod admission policy only for the namespaces its
// own namespaceSelector and its binding's select.
func TestAdmissionPolicyNamespaceSelectors(t *testing.T) {
	prod := &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}
	vap := func(sel *metav1.LabelSelector) *admissionregistrationv1.ValidatingAdmissionPolicy {
		return &admissionregistrationv1.ValidatingAdmissionPolicy{
			TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"},
			ObjectMeta: metav1.ObjectMeta{Name: "no-privileged"},
			Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{MatchConstraints: &admissionregistrationv1.MatchResources{
				NamespaceSelector: sel,
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}}}}}}},
		}
	}
	binding := func(name string, sel *metav1.LabelSelector) *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
		b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicyBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: "no-privileged",
				ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}},
		}
		if sel != nil {
			b.Spec.MatchResources = &admissionregistrationv1.MatchResources{NamespaceSelector: sel}
		}
		return b
	}
	nss := []runtime.Object{namespace("prod", map[string]string{"env": "prod"}), namespace("dev", map[string]string{"env": "dev"})}
	tests := []struct {
		name string
		objs []runtime.Object
		want []check.Status // dev, prod
	}{
		{"policy and binding for every namespace", []runtime.Object{vap(nil), binding("all", nil)}, []check.Status{check.StatusPass, check.StatusPass}},
		{"binding selects prod only", []runtime.Object{vap(nil), binding("prod", prod)}, []check.Status{check.StatusFail, check.StatusPass}},
		{"policy selects prod only", []runtime.Object{vap(prod), binding("all", nil)}, []check.Status{check.StatusFail, check.StatusPass}},
		{"one of two bindings selects every namespace", []runtime.Object{vap(nil), binding("prod", prod), binding("all", &metav1.LabelSelector{})},
			[]check.Status{check.StatusPass, check.StatusPass}},
		{"a namespace named by kubernetes.io/metadata.name", []runtime.Object{vap(&metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "dev"}}), binding("all", nil)},
			[]check.Status{check.StatusPass, check.StatusFail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := clusterInv(t, []inventory.KindInfo{kindInfo(t, "Namespace"), kindInfo(t, "ValidatingWebhookConfiguration"),
				kindInfo(t, "ValidatingAdmissionPolicy"), kindInfo(t, "ValidatingAdmissionPolicyBinding")}, append(tt.objs, nss...)...)
			fs := run(t, "5.2.1", inv)
			require.Len(t, fs, 2)
			assert.Equal(t, "dev", fs[0].Object.Name())
			assert.Equal(t, tt.want, statuses(fs), "%s; %s", fs[0].Message, fs[1].Message)
		})
	}
}
