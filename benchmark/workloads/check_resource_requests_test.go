package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestResourceRequestsFixtures(t *testing.T) {
	runFixtures(t, workloads.ResourceRequests())
}

func TestResourceRequests(t *testing.T) {
	c := workloads.ResourceRequests()
	cpuMemory := kspm.WithParams("workloads:resource-requests", map[string]any{"resources": "cpu,memory"})
	other := limitRange("other", "x")
	tests := []struct {
		name string
		spec corev1.PodSpec
		lr   *corev1.LimitRange
		want verdict
	}{
		{
			// Objects a program builds are not defaulted: a limit still stands for its request.
			name: "a limit stands for the request",
			spec: corev1.PodSpec{Containers: []corev1.Container{withLimits(ctr("app", "a:1"), "cpu", "1", "memory", "1Gi")}},
			lr:   other,
			want: pass("Deployment shop/web", "every container has a cpu and memory request"),
		},
		{
			name: "a LimitRange's default limit is also the default request",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}},
			lr: limitRange("shop", "lr", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer,
				Default: resources("cpu", "1"), Min: resources("memory", "1Mi")}),
			want: pass("Deployment shop/web", "by LimitRange lr"),
		},
		{
			name: "a Pod item of a LimitRange sets no default",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}},
			lr: limitRange("shop", "lr", corev1.LimitRangeItem{Type: corev1.LimitTypePod,
				Max: resources("cpu", "1", "memory", "1Gi"), Min: resources("cpu", "1m", "memory", "1Mi")}),
			want: fail("Deployment shop/web", "spec.template.spec.containers[0].resources.requests", `container "app" has no cpu or memory request`),
		},
		{
			name: "init containers need them too; ephemeral containers take none",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{ctr("setup", "a:1")},
				Containers:     []corev1.Container{withLimits(ctr("app", "a:1"), "cpu", "1", "memory", "1Gi")},
				EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debug", Image: "busybox"}}},
			},
			lr:   other,
			want: fail("Deployment shop/web", "spec.template.spec.initContainers[0].resources.requests", `init container "setup" has no cpu or memory request`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := newInventory(t, deployment("shop", "web", tt.spec), tt.lr)
			assertVerdicts(t, c, run(t, c, inv, cpuMemory), []verdict{tt.want})
		})
	}
}
