package pss

import (
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func ptr[T any](v T) *T { return &v }

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func deployment(ns, name string, spec corev1.PodSpec) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec}},
	}
}

func pod(ns, name string, spec corev1.PodSpec) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

// baselineSpec meets baseline but not restricted.
func baselineSpec() corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}}
}

// privilegedSpec fails baseline (privileged) and restricted.
func privilegedSpec() corev1.PodSpec {
	s := baselineSpec()
	s.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
	return s
}

// restrictedSpec meets restricted at every version.
func restrictedSpec() corev1.PodSpec {
	return corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{{Name: "app", Image: "app", SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}}},
	}
}

func newInventory(t *testing.T, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return inv
}

// finding is a finding reduced for comparison: "Kind ns/name" → status.
type outcome struct {
	status  check.Status
	field   string
	message string
}

// runCheck runs c over inv directly and returns its findings keyed by object ("" for none).
func runCheck(t *testing.T, inv *inventory.Inventory, c check.Check) map[string]outcome {
	t.Helper()
	out := map[string]outcome{}
	pass := check.NewPass(inv, c.Meta(), nil, func(f check.Finding) {
		key := ""
		if f.Object != nil {
			key = f.Object.String()
		}
		_, dup := out[key]
		require.False(t, dup, "two findings for %q", key)
		out[key] = outcome{f.Status, f.Field, f.Message}
	})
	require.NoError(t, c.Run(t.Context(), pass))
	return out
}
