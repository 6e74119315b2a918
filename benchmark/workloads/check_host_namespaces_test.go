package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestHostNamespacesFixtures(t *testing.T) {
	runFixtures(t, workloads.HostNamespaces())
}

func TestHostNamespaces(t *testing.T) {
	c := workloads.HostNamespaces()
	app := []corev1.Container{ctr("app", "nginx:1.27")}
	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "unset passes",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app})},
			want: []verdict{pass("Deployment shop/web", "shares no namespace with the node")},
		},
		{
			name: "hostNetwork fails",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: app, HostNetwork: true})},
			want: []verdict{fail("Deployment shop/web", "spec.template.spec.hostNetwork", "node's network namespace (hostNetwork: true)")},
		},
		{
			name: "hostPID fails",
			objs: []runtime.Object{pod("ops", "top", corev1.PodSpec{Containers: app, HostPID: true})},
			want: []verdict{fail("Pod ops/top", "spec.hostPID", "node's PID namespace (hostPID: true)")},
		},
		{
			name: "hostIPC fails",
			objs: []runtime.Object{cronJob("ops", "shm", corev1.PodSpec{Containers: app, HostIPC: true})},
			want: []verdict{fail("CronJob ops/shm", "spec.jobTemplate.spec.template.spec.hostIPC", "node's IPC namespace (hostIPC: true)")},
		},
		{
			name: "all three in one result, field at the first",
			objs: []runtime.Object{pod("ops", "all", corev1.PodSpec{Containers: app, HostIPC: true, HostPID: true, HostNetwork: true})},
			want: []verdict{fail("Pod ops/all", "spec.hostNetwork",
				"uses the node's network namespace (hostNetwork: true); uses the node's PID namespace (hostPID: true); uses the node's IPC namespace (hostIPC: true)")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}
