package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
)

func TestAllowedRegistriesFixtures(t *testing.T) {
	runFixtures(t, workloads.AllowedRegistries(), checktest.WithParams(map[string]any{"registries": "registry.example.com,ghcr.io/acme"}))
}

func TestAllowedRegistries(t *testing.T) {
	c := workloads.AllowedRegistries()
	allowed := kspm.WithParams("workloads:allowed-registries", map[string]any{"registries": "registry.example.com, ghcr.io/acme"})
	tests := []struct {
		name  string
		spec  corev1.PodSpec
		opts  []kspm.Option
		wants []verdict
	}{
		{
			name:  "not configured: not evaluated, never a pass",
			spec:  corev1.PodSpec{Containers: []corev1.Container{ctr("app", "registry.example.com/app:1")}},
			wants: []verdict{notEvaluated("", "no allowed registries configured")},
		},
		{
			name:  "allowed registry and path",
			spec:  corev1.PodSpec{Containers: []corev1.Container{ctr("app", "registry.example.com/app:1"), ctr("side", "ghcr.io/acme/side:2")}},
			opts:  []kspm.Option{allowed},
			wants: []verdict{{Status: check.StatusPass, Object: "Deployment shop/web", Field: "spec.template.spec"}},
		},
		{
			name:  "Docker Hub default registry is not an allowed one",
			spec:  corev1.PodSpec{Containers: []corev1.Container{ctr("app", "nginx:1.27")}},
			opts:  []kspm.Option{allowed},
			wants: []verdict{fail("Deployment shop/web", "spec.template.spec", "images not from an allowed registry: nginx:1.27")},
		},
		{
			name:  "a registry name that only shares a prefix is not allowed",
			spec:  corev1.PodSpec{Containers: []corev1.Container{ctr("app", "registry.example.com.evil.io/app:1")}},
			opts:  []kspm.Option{allowed},
			wants: []verdict{fail("Deployment shop/web", "spec.template.spec", "registry.example.com.evil.io/app:1")},
		},
		{
			name:  "another org on an allowed host is not allowed",
			spec:  corev1.PodSpec{Containers: []corev1.Container{ctr("app", "ghcr.io/other/app:1")}},
			opts:  []kspm.Option{allowed},
			wants: []verdict{fail("Deployment shop/web", "spec.template.spec", "ghcr.io/other/app:1")},
		},
		{
			name: "entries written with a trailing slash or spaces match as without",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("app", "registry.example.com/app:1"), ctr("side", "ghcr.io/acme/side:2")}},
			opts: []kspm.Option{kspm.WithParams("workloads:allowed-registries",
				map[string]any{"registries": []any{"registry.example.com/", " ghcr.io/acme/ ", ""}})},
			wants: []verdict{{Status: check.StatusPass, Object: "Deployment shop/web", Field: "spec.template.spec"}},
		},
		{
			name: "a trailing slash does not widen an entry",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("app", "ghcr.io/acme-evil/app:1")}},
			opts: []kspm.Option{kspm.WithParams("workloads:allowed-registries",
				map[string]any{"registries": []any{"ghcr.io/acme/"}})},
			wants: []verdict{fail("Deployment shop/web", "spec.template.spec", "ghcr.io/acme-evil/app:1")},
		},
		{
			name:  "only empty entries: not evaluated",
			spec:  corev1.PodSpec{Containers: []corev1.Container{ctr("app", "registry.example.com/app:1")}},
			opts:  []kspm.Option{kspm.WithParams("workloads:allowed-registries", map[string]any{"registries": []any{" ", "/"}})},
			wants: []verdict{notEvaluated("", "no allowed registries configured")},
		},
		{
			name: "init container from elsewhere fails",
			spec: corev1.PodSpec{
				Containers:     []corev1.Container{ctr("app", "registry.example.com/app:1")},
				InitContainers: []corev1.Container{ctr("setup", "busybox")},
			},
			opts:  []kspm.Option{allowed},
			wants: []verdict{fail("Deployment shop/web", "spec.template.spec", "busybox")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := newInventory(t, deployment("shop", "web", tt.spec))
			assertVerdicts(t, c, run(t, c, inv, tt.opts...), tt.wants)
		})
	}
}
