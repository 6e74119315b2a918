package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func TestPrivilegedFixtures(t *testing.T) {
	runFixtures(t, workloads.Privileged())
}

func TestPrivileged(t *testing.T) {
	c := workloads.Privileged()
	ephemeral := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", Image: "busybox:1.36", SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)}}}
	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "no security context passes",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "nginx:1.27")}})},
			want: []verdict{pass("Pod shop/web", "no container runs privileged")},
		},
		{
			name: "privileged false passes",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{privileged(ctr("app", "nginx:1.27"), false)}})},
			want: []verdict{pass("Deployment shop/web", "no container runs privileged")},
		},
		{
			name: "privileged container of a deployment fails at its field",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{
				ctr("app", "nginx:1.27"), privileged(ctr("proxy", "envoy:1.30"), true)}})},
			want: []verdict{fail("Deployment shop/web", "spec.template.spec.containers[1].securityContext.privileged", `container "proxy" runs privileged`)},
		},
		{
			name: "privileged init container of a pod",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{
				InitContainers: []corev1.Container{privileged(ctr("setup", "busybox:1.36"), true)},
				Containers:     []corev1.Container{ctr("app", "nginx:1.27")}})},
			want: []verdict{fail("Pod shop/web", "spec.initContainers[0].securityContext.privileged", `init container "setup" runs privileged`)},
		},
		{
			name: "privileged ephemeral container",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{
				Containers:          []corev1.Container{ctr("app", "nginx:1.27")},
				EphemeralContainers: []corev1.EphemeralContainer{ephemeral}})},
			want: []verdict{fail("Pod shop/web", "spec.ephemeralContainers[0].securityContext.privileged", `ephemeral container "debug" runs privileged`)},
		},
		{
			name: "one result per template naming every privileged container",
			objs: []runtime.Object{cronJob("ops", "backup", corev1.PodSpec{
				InitContainers: []corev1.Container{privileged(ctr("mount", "busybox:1.36"), true)},
				Containers:     []corev1.Container{privileged(ctr("dump", "pg:16"), true)}})},
			want: []verdict{fail("CronJob ops/backup", "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged",
				`container "dump" runs privileged; init container "mount" runs privileged`)},
		},
		{
			name: "each template gets its own verdict, in object order",
			objs: []runtime.Object{
				pod("shop", "web", corev1.PodSpec{Containers: []corev1.Container{privileged(ctr("app", "nginx:1.27"), true)}}),
				deployment("shop", "api", corev1.PodSpec{Containers: []corev1.Container{ctr("app", "api:2")}}),
			},
			want: []verdict{
				// Core-group kinds sort before apps.
				fail("Pod shop/web", "spec.containers[0].securityContext.privileged", `container "app" runs privileged`),
				pass("Deployment shop/api", "no container runs privileged"),
			},
		},
		{
			// The runner shows a check that reported nothing, rather than leaving it out.
			name: "no workloads, nothing to evaluate",
			want: []verdict{notApplicable("", check.NothingReported)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}

func TestPrivilegedReportsUnseenKinds(t *testing.T) {
	c := workloads.Privileged()
	inv := clusterInventory(t, []inventory.Coverage{{Kind: "Pod", State: inventory.Forbidden, Reason: "RBAC says no"}},
		deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{privileged(ctr("app", "nginx:1.27"), true)}}))
	assertVerdicts(t, c, run(t, c, inv), []verdict{
		notEvaluated("", "pods forbidden: RBAC says no"),
		fail("Deployment shop/web", "spec.template.spec.containers[0].securityContext.privileged", `container "app" runs privileged`),
	})
}
