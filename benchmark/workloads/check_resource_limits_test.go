package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/inventory"
)

func TestResourceLimitsFixtures(t *testing.T) {
	runFixtures(t, workloads.ResourceLimits())
}

func limitRange(ns, name string, items ...corev1.LimitRangeItem) *corev1.LimitRange {
	return &corev1.LimitRange{ObjectMeta: meta(ns, name), Spec: corev1.LimitRangeSpec{Limits: items}}
}

func resources(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func withLimits(c corev1.Container, kv ...string) corev1.Container {
	c.Resources.Limits = resources(kv...)
	return c
}

func TestResourceLimits(t *testing.T) {
	c := workloads.ResourceLimits()
	memoryOnly := kspm.WithParams("workloads:resource-limits", map[string]any{"resources": "memory"})
	tests := []struct {
		name  string
		objs  []*corev1.Pod
		lrs   []*corev1.LimitRange
		opts  []kspm.Option
		wants []verdict
	}{
		{
			name:  "the parameter narrows what is asked",
			objs:  []*corev1.Pod{pod("shop", "p", corev1.PodSpec{Containers: []corev1.Container{withLimits(ctr("app", "a:1"), "memory", "1Gi")}})},
			lrs:   []*corev1.LimitRange{limitRange("other", "x")},
			opts:  []kspm.Option{memoryOnly},
			wants: []verdict{pass("Pod shop/p", "every container has a memory limit")},
		},
		{
			name:  "an empty list asks nothing: not evaluated, never a pass",
			objs:  []*corev1.Pod{pod("shop", "p", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})},
			opts:  []kspm.Option{kspm.WithParams("workloads:resource-limits", map[string]any{"resources": []any{" ", ""}})},
			wants: []verdict{notEvaluated("", "no resources configured: set the parameter resources of workloads:resource-limits")},
		},
		{
			name: "pod-level resources do not cover ephemeral-storage",
			objs: []*corev1.Pod{pod("shop", "p", corev1.PodSpec{
				Resources:  &corev1.ResourceRequirements{Limits: resources("cpu", "1", "memory", "1Gi", "ephemeral-storage", "1Gi")},
				Containers: []corev1.Container{ctr("app", "a:1")}})},
			lrs:   []*corev1.LimitRange{limitRange("other", "x")},
			wants: []verdict{fail("Pod shop/p", "spec.containers[0].resources.limits", `container "app" has no ephemeral-storage limit`)},
		},
		{
			name: "a request is no limit",
			objs: []*corev1.Pod{pod("shop", "p", corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "a:1",
				Resources: corev1.ResourceRequirements{Requests: resources("memory", "1Gi")}}}})},
			lrs:   []*corev1.LimitRange{limitRange("other", "x")},
			opts:  []kspm.Option{memoryOnly},
			wants: []verdict{fail("Pod shop/p", "spec.containers[0].resources.limits", `container "app" has no memory limit`)},
		},
		{
			name: "a LimitRange's max becomes the default limit",
			objs: []*corev1.Pod{pod("shop", "p", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})},
			lrs: []*corev1.LimitRange{limitRange("shop", "max", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer,
				Max: resources("memory", "2Gi")})},
			opts:  []kspm.Option{memoryOnly},
			wants: []verdict{pass("Pod shop/p", "by LimitRange max")},
		},
		{
			name: "a LimitRange's min sets no limit",
			objs: []*corev1.Pod{pod("shop", "p", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})},
			lrs: []*corev1.LimitRange{limitRange("shop", "min", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer,
				Min: resources("memory", "2Mi"), DefaultRequest: resources("memory", "4Mi")})},
			opts:  []kspm.Option{memoryOnly},
			wants: []verdict{fail("Pod shop/p", "spec.containers[0].resources.limits", `container "app" has no memory limit`)},
		},
		{
			name: "another namespace's LimitRange does not count",
			objs: []*corev1.Pod{pod("shop", "p", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}})},
			lrs: []*corev1.LimitRange{limitRange("other", "x", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer,
				Default: resources("memory", "2Gi")})},
			opts:  []kspm.Option{memoryOnly},
			wants: []verdict{fail("Pod shop/p", "spec.containers[0].resources.limits", `container "app" has no memory limit`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := []runtime.Object{}
			for _, p := range tt.objs {
				objs = append(objs, p)
			}
			for _, lr := range tt.lrs {
				objs = append(objs, lr)
			}
			assertVerdicts(t, c, run(t, c, newInventory(t, objs...), tt.opts...), tt.wants)
		})
	}
}

// From a cluster: a pod that exists was admitted, and runs with what it has; a template's
// next pods get the LimitRange's defaults; when LimitRanges could not be listed, a missing
// limit that one might set is not evaluated.
func TestResourceLimitsCluster(t *testing.T) {
	c := workloads.ResourceLimits()
	memoryOnly := kspm.WithParams("workloads:resource-limits", map[string]any{"resources": []any{"memory"}})
	lr := limitRange("shop", "defaults", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Default: resources("memory", "1Gi")})
	spec := corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}}

	inv := clusterInventory(t, nil, lr, pod("shop", "bare", spec), deployment("shop", "web", spec))
	assertVerdicts(t, c, run(t, c, inv, memoryOnly), []verdict{
		fail("Pod shop/bare", "spec.containers[0].resources.limits", `container "app" has no memory limit`),
		pass("Deployment shop/web", "by LimitRange defaults"),
	})

	inv = clusterInventory(t, []inventory.Coverage{{Kind: "LimitRange", State: inventory.Forbidden, Reason: "no list"}},
		pod("shop", "bare", spec), deployment("shop", "web", spec))
	assertVerdicts(t, c, run(t, c, inv, memoryOnly), []verdict{
		notEvaluated("", "limitranges forbidden: no list"),
		fail("Pod shop/bare", "spec.containers[0].resources.limits", `container "app" has no memory limit`),
		notEvaluated("Deployment shop/web", "LimitRanges were not all seen (limitranges forbidden: no list)"),
	})
}
