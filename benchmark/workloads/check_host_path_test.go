package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestHostPathFixtures(t *testing.T) {
	runFixtures(t, workloads.HostPath())
}

func TestHostPath(t *testing.T) {
	c := workloads.HostPath()
	app := []corev1.Container{ctr("app", "nginx:1.27")}
	hostPath := func(name, path string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}}
	}
	emptyDir := corev1.Volume{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "no volumes passes",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{Containers: app})},
			want: []verdict{pass("Pod shop/web", "mounts no hostPath volume")},
		},
		{
			name: "other volume types pass",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app, Volumes: []corev1.Volume{emptyDir}})},
			want: []verdict{pass("Deployment shop/web", "mounts no hostPath volume")},
		},
		{
			name: "hostPath fails naming the path",
			objs: []runtime.Object{deployment("logging", "agent", corev1.PodSpec{Containers: app,
				Volumes: []corev1.Volume{emptyDir, hostPath("logs", "/var/log"), hostPath("sock", "/run/containerd/containerd.sock")}})},
			want: []verdict{fail("Deployment logging/agent", "spec.template.spec.volumes[1].hostPath.path",
				`volume "logs" mounts host path "/var/log"; volume "sock" mounts host path "/run/containerd/containerd.sock"`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}
