package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestImageDigestFixtures(t *testing.T) {
	runFixtures(t, workloads.ImageDigest())
}

func TestImageDigest(t *testing.T) {
	c := workloads.ImageDigest()
	const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name  string
		image string
		want  verdict
	}{
		{"sha256", "app@sha256:" + hex64, pass("Pod shop/p", "every image is referenced by digest")},
		{"tag and digest", "app:1.0@sha256:" + hex64, pass("Pod shop/p", "every image is referenced by digest")},
		{"registry port and digest", "localhost:5000/app@sha256:" + hex64, pass("Pod shop/p", "")},
		{"version tag", "app:1.0", fail("Pod shop/p", "spec.containers[0].image", `uses image "app:1.0", not pinned by digest`)},
		{"no name", "@sha256:" + hex64, fail("Pod shop/p", "spec.containers[0].image", "not one a runtime verifies")},
		{"digest one short", "app@sha256:" + hex64[1:], fail("Pod shop/p", "spec.containers[0].image", "not one a runtime verifies")},
		{"not hex", "app@sha256:" + hex64[1:] + "g", fail("Pod shop/p", "spec.containers[0].image", "not one a runtime verifies")},
		{"empty digest", "app@", fail("Pod shop/p", "spec.containers[0].image", "not one a runtime verifies")},
		{"no image", "", notEvaluated("Pod shop/p", `container "app" has no image`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := newInventory(t, pod("shop", "p", corev1.PodSpec{Containers: []corev1.Container{ctr("app", tt.image)}}))
			assertVerdicts(t, c, run(t, c, inv), []verdict{tt.want})
		})
	}
}
