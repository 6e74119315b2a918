package cis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// proxyDaemonSet returns a DaemonSet in ns that runs kube-proxy with args.
func proxyDaemonSet(ns string, args ...string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Namespace: ns},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "kube-proxy", Command: append([]string{"/usr/local/bin/kube-proxy"}, args...)}},
		}}}}
}

// A kube-proxy outside kube-system (a DaemonSet anyone allowed to create DaemonSets there can
// make, or a pod with the marks of a static pod) is reported, not taken as the cluster's: it
// neither passes 4.3.1 nor hides the real kube-proxy's configuration.
func TestKubeProxyDecoy(t *testing.T) {
	loopback := "--metrics-bind-address=127.0.0.1:10249"
	open := "--metrics-bind-address=0.0.0.0:10249"
	proxyCM := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Namespace: "kube-system"},
		Data:       map[string]string{"config.conf": "metricsBindAddress: 0.0.0.0:10249\n"}}
	tests := []struct {
		name string
		objs []runtime.Object
		want []check.Status
	}{
		{"decoy DaemonSet alone", []runtime.Object{proxyDaemonSet("tenant", loopback)},
			[]check.Status{check.StatusNotEvaluated}},
		{"decoy static pod alone", []runtime.Object{decoyPod("kube-proxy", "tenant", "kube-proxy", loopback)},
			[]check.Status{check.StatusNotEvaluated}},
		{"decoy DaemonSet beside the real one", []runtime.Object{proxyDaemonSet("kube-system", open), proxyDaemonSet("tenant", loopback)},
			[]check.Status{check.StatusFail, check.StatusNotEvaluated}},
		{"decoy static pod beside the real DaemonSet", []runtime.Object{proxyDaemonSet("kube-system", open),
			decoyPod("kube-proxy", "tenant", "kube-proxy", loopback)},
			[]check.Status{check.StatusFail, check.StatusNotEvaluated}},
		{"decoy DaemonSet does not hide the kubeadm ConfigMap", []runtime.Object{proxyCM, proxyDaemonSet("tenant", loopback)},
			[]check.Status{check.StatusFail, check.StatusNotEvaluated}},
		{"real static pod in kube-system", []runtime.Object{staticPod("kube-proxy", "n1", "kube-proxy", open)},
			[]check.Status{check.StatusFail}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := clusterInv(t, []inventory.KindInfo{kindInfo(t, "DaemonSet"), kindInfo(t, "ConfigMap"), kindInfo(t, "Pod")}, tc.objs...)
			fs := run(t, "4.3.1", inv)
			require.Equal(t, tc.want, statuses(fs), "%v", fs)
			for _, f := range fs {
				if f.Status == check.StatusNotEvaluated {
					require.NotNil(t, f.Object)
					assert.Equal(t, "tenant", f.Object.Namespace())
					assert.Contains(t, f.Message, "not kube-system")
				}
			}
		})
	}

	// Manifests: a DaemonSet written without a namespace is judged (kubeadm's addon manifest
	// names kube-system; a file may leave it to kubectl apply -n).
	fs := run(t, "4.3.1", newInv(t, proxyDaemonSet("", open)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
	// Without pods in the input, that no kube-proxy runs as a static pod is not known either.
	fs = run(t, "4.3.1", newInv(t, proxyDaemonSet("tenant", loopback)))
	require.Len(t, fs, 2)
	assert.Equal(t, []check.Status{check.StatusNotEvaluated, check.StatusNotEvaluated}, statuses(fs))
	assert.Contains(t, fs[0].Message, "cannot find kube-proxy")
	require.NotNil(t, fs[1].Object)
	assert.Equal(t, "tenant", fs[1].Object.Namespace())
}
