package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestLatestTagFixtures(t *testing.T) {
	runFixtures(t, workloads.LatestTag())
}

func TestLatestTag(t *testing.T) {
	c := workloads.LatestTag()
	const digest = "sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac"
	images := []struct {
		image string
		field string // "" when pinned
		msg   string
	}{
		{image: "nginx:1.27.0"},
		{image: "nginx@" + digest},
		{image: "nginx:latest@" + digest},
		{image: "registry.example.com:5000/team/app:v2"},
		{image: "localhost:5000/app:2024-01-01"},
		{image: "nginx", field: "image", msg: `uses image "nginx", which has no tag or digest`},
		{image: "nginx:latest", field: "image", msg: `uses image "nginx:latest", whose tag latest is not pinned`},
		{image: "registry.example.com:5000/team/app", field: "image", msg: `uses image "registry.example.com:5000/team/app", which has no tag or digest`},
		{image: "registry.example.com:5000/team/app:latest", field: "image", msg: `uses image "registry.example.com:5000/team/app:latest", whose tag latest is not pinned`},
		{image: "ghcr.io/org/app:Latest"}, // tags are case-sensitive: not the latest tag
	}
	for _, im := range images {
		t.Run(im.image, func(t *testing.T) {
			inv := newInventory(t, deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", im.image)}}))
			want := pass("Deployment shop/web", "every image is pinned")
			if im.field != "" {
				want = fail("Deployment shop/web", "spec.template.spec.containers[0]."+im.field, `container "app" `+im.msg)
			}
			assertVerdicts(t, c, run(t, c, inv), []verdict{want})
		})
	}

	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "init and ephemeral containers count, field at the first",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{
				Containers:     []corev1.Container{ctr("app", "nginx:1.27")},
				InitContainers: []corev1.Container{ctr("setup", "busybox")},
				EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debug", Image: "alpine:latest"}}},
			})},
			want: []verdict{fail("Pod shop/web", "spec.initContainers[0].image",
				`init container "setup" uses image "busybox", which has no tag or digest (so means latest); ephemeral container "debug" uses image "alpine:latest"`)},
		},
		{
			name: "a container with no image is not evaluated",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "nginx:1.27"), ctr("sidecar", "")}})},
			want: []verdict{notEvaluated("Pod shop/web", `container "sidecar" has no image`)},
		},
		{
			name: "an unpinned image fails even beside a container with no image",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "nginx"), ctr("sidecar", "")}})},
			want: []verdict{fail("Pod shop/web", "spec.containers[0].image", `container "app" uses image "nginx"`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}
