package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/inventory"
)

func TestWorkloadDefaultSAFixtures(t *testing.T) {
	runFixtures(t, workloads.WorkloadDefaultSA())
}

func TestWorkloadDefaultSA(t *testing.T) {
	c := workloads.WorkloadDefaultSA()
	app := []corev1.Container{ctr("app", "web:1")}
	const field = "spec.template.spec.automountServiceAccountToken"
	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "own ServiceAccount passes",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app, ServiceAccountName: "web"})},
			want: []verdict{pass("Deployment shop/web", `runs as ServiceAccount "web"`)},
		},
		{
			name: "static pod mirror is not applicable",
			objs: []runtime.Object{func() runtime.Object {
				p := pod("kube-system", "kube-apiserver-cp-1", corev1.PodSpec{Containers: app})
				p.Annotations = map[string]string{"kubernetes.io/config.mirror": "4b2f"}
				return p
			}()},
			want: []verdict{notApplicable("Pod kube-system/kube-apiserver-cp-1", "static pod")},
		},
		{
			name: "deprecated serviceAccount field is read",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app, DeprecatedServiceAccount: "legacy"})},
			want: []verdict{pass("Deployment shop/web", `runs as ServiceAccount "legacy"`)},
		},
		{
			name: "default with pod-level false passes",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app, AutomountServiceAccountToken: ptr(false)})},
			want: []verdict{pass("Deployment shop/web", "without mounting its token")},
		},
		{
			name: "default with pod-level true fails even when the ServiceAccount says false",
			objs: []runtime.Object{
				deployment("shop", "web", corev1.PodSpec{Containers: app, ServiceAccountName: "default", AutomountServiceAccountToken: ptr(true)}),
				serviceAccount("shop", "default", ptr(false)),
			},
			want: []verdict{fail("Deployment shop/web", field, "automountServiceAccountToken: true in the pod spec")},
		},
		{
			name: "unset in pod, ServiceAccount false passes",
			objs: []runtime.Object{
				deployment("shop", "web", corev1.PodSpec{Containers: app}),
				serviceAccount("shop", "default", ptr(false)),
			},
			want: []verdict{pass("Deployment shop/web", "ServiceAccount shop/default does not automount its token")},
		},
		{
			name: "unset in pod and ServiceAccount fails",
			objs: []runtime.Object{
				deployment("shop", "web", corev1.PodSpec{Containers: app}),
				serviceAccount("shop", "default", nil),
			},
			want: []verdict{fail("Deployment shop/web", field, "neither in the pod spec nor in ServiceAccount shop/default")},
		},
		{
			name: "ServiceAccount true fails",
			objs: []runtime.Object{
				pod("shop", "web", corev1.PodSpec{Containers: app}),
				serviceAccount("shop", "default", ptr(true)),
			},
			want: []verdict{fail("Pod shop/web", "spec.automountServiceAccountToken", "mounts its token")},
		},
		{
			name: "the ServiceAccount of another namespace does not count",
			objs: []runtime.Object{
				deployment("shop", "web", corev1.PodSpec{Containers: app}),
				serviceAccount("other", "default", ptr(false)),
			},
			want: []verdict{notEvaluated("Deployment shop/web", "depends on ServiceAccount shop/default, which is not in the inventory")},
		},
		{
			name: "pod-level false with a projected API token of the default ServiceAccount fails",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app, AutomountServiceAccountToken: ptr(false),
				Volumes: []corev1.Volume{{Name: "cfg"}, apiToken("token", "")}})},
			want: []verdict{fail("Deployment shop/web", "spec.template.spec.volumes[1].projected.sources[0].serviceAccountToken",
				`volume "token" projects a token of the default ServiceAccount for the API server`)},
		},
		{
			name: "ServiceAccount false with a projected API token of the default ServiceAccount fails",
			objs: []runtime.Object{
				pod("shop", "web", corev1.PodSpec{Containers: app, Volumes: []corev1.Volume{apiToken("token", "")}}),
				serviceAccount("shop", "default", ptr(false)),
			},
			want: []verdict{fail("Pod shop/web", "spec.volumes[0].projected.sources[0].serviceAccountToken", `volume "token" projects`)},
		},
		{
			name: "a projected token for another audience is not an API token",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app, AutomountServiceAccountToken: ptr(false),
				Volumes: []corev1.Volume{apiToken("istio-token", "istio-ca")}})},
			want: []verdict{pass("Deployment shop/web", "without mounting its token")},
		},
		{
			name: "ServiceAccount not in manifests is not evaluated",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app})},
			want: []verdict{notEvaluated("Deployment shop/web",
				"depends on ServiceAccount shop/default, which is not in the inventory (serviceaccounts absent")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}

func TestWorkloadDefaultSAForbidden(t *testing.T) {
	c := workloads.WorkloadDefaultSA()
	inv := clusterInventory(t, []inventory.Coverage{{Kind: "ServiceAccount", State: inventory.Forbidden, Reason: "no list"}},
		pod("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}}),
		pod("shop", "own", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "web:1")}, ServiceAccountName: "own"}))
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		pass("Pod shop/own", `runs as ServiceAccount "own"`),
		notEvaluated("Pod shop/web", "not in the inventory (serviceaccounts forbidden: no list)"),
	})
}

// apiToken is a projected volume holding a service account token for audience ("" is the API
// server's own audience).
func apiToken(name, audience string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: audience, Path: "token"}}}}}}
}
