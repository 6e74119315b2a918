package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestImagePullPolicyFixtures(t *testing.T) {
	runFixtures(t, workloads.ImagePullPolicy())
}

// Objects a program builds itself are not defaulted by a loader: an unset policy is read as
// the API server would set it.
func TestImagePullPolicyUnsetIsDefaulted(t *testing.T) {
	c := workloads.ImagePullPolicy()
	tests := []struct {
		image  string
		policy corev1.PullPolicy
		want   verdict
	}{
		{"nginx", "", pass("Deployment shop/web", "imagePullPolicy Always")},
		{"nginx:latest", "", pass("Deployment shop/web", "")},
		{"nginx:1.27", "", fail("Deployment shop/web", "spec.template.spec.containers[0].imagePullPolicy", "(imagePullPolicy IfNotPresent)")},
		{"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "",
			fail("Deployment shop/web", "spec.template.spec.containers[0].imagePullPolicy", "(imagePullPolicy IfNotPresent)")},
		{"nginx:1.27", corev1.PullAlways, pass("Deployment shop/web", "")},
		{"nginx:latest", corev1.PullNever, fail("Deployment shop/web", "spec.template.spec.containers[0].imagePullPolicy", "(imagePullPolicy Never)")},
	}
	for _, tt := range tests {
		t.Run(tt.image+" "+string(tt.policy), func(t *testing.T) {
			app := ctr("app", tt.image)
			app.ImagePullPolicy = tt.policy
			inv := newInventory(t, deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{app}}))
			assertVerdicts(t, c, run(t, c, inv), []verdict{tt.want})
		})
	}
}
