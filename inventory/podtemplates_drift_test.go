package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// A controlled object stands behind its controller's template only while that template
// describes what runs: a pod with ephemeral containers (kubectl debug) runs containers no
// template holds, a pod an admission webhook changed (an injected sidecar or hostPath volume)
// runs what its template does not say, and an old ReplicaSet still scaled up runs a template
// the Deployment no longer has. Those are reported on themselves, drifted pods once per kind of
// drift.
func TestPodTemplatesDrift(t *testing.T) {
	controller := func(kind, apiVersion, name string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: types.UID("uid-" + name), Controller: new(true)}}
	}
	spec := func(image string) corev1.PodSpec {
		return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}}
	}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", UID: "uid-web"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec("web:2")}}}
	rsOf := func(name, image string, replicas int32) *appsv1.ReplicaSet {
		return &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name),
				OwnerReferences: controller("Deployment", "apps/v1", "web")},
			Spec: appsv1.ReplicaSetSpec{Replicas: new(replicas), Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"pod-template-hash": name}}, Spec: spec(image)}},
		}
	}
	podOf := func(name string, ephemeral bool) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns",
			OwnerReferences: controller("ReplicaSet", "apps/v1", "web-new")}, Spec: spec("web:2")}
		if ephemeral {
			p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debugger", Image: "busybox", SecurityContext: &corev1.SecurityContext{Privileged: new(true)}}}}
		}
		return p
	}
	injected := func(name string) *corev1.Pod { // what a service-mesh webhook makes of a pod
		p := podOf(name, false)
		p.Spec.InitContainers = []corev1.Container{{Name: "mesh-init", Image: "mesh/init", SecurityContext: &corev1.SecurityContext{
			Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "NET_RAW"}}}}}
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "mesh-proxy", Image: "mesh/proxy"})
		return p
	}
	withTokenVolume := func(p *corev1.Pod) *corev1.Pod { // what the API server adds to every pod
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "kube-api-access-x7k2p",
			VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{}}})
		return p
	}
	withHostPath := func(p *corev1.Pod) *corev1.Pod {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "sock",
			VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/docker.sock"}}})
		return p
	}
	tests := []struct {
		name string
		objs []runtime.Object
		want []string
	}{
		{"the API server's token volume is no drift",
			[]runtime.Object{dep, rsOf("web-new", "web:2", 2), withTokenVolume(podOf("web-new-a", false))},
			[]string{"Deployment ns/web"}},
		{"an injected sidecar with capabilities is reported once for the pods that have it",
			[]runtime.Object{dep, rsOf("web-new", "web:2", 3), injected("web-new-a"), injected("web-new-b"), podOf("web-new-c", false)},
			[]string{"Deployment ns/web", "Pod ns/web-new-a"}},
		{"an injected hostPath volume is reported",
			[]runtime.Object{dep, rsOf("web-new", "web:2", 1), withHostPath(podOf("web-new-a", false))},
			[]string{"Deployment ns/web", "Pod ns/web-new-a"}},
		{"the current ReplicaSet and its pods stand behind the Deployment",
			[]runtime.Object{dep, rsOf("web-new", "web:2", 3), podOf("web-new-a", false)},
			[]string{"Deployment ns/web"}},
		{"an old ReplicaSet scaled down stands behind the Deployment",
			[]runtime.Object{dep, rsOf("web-new", "web:2", 3), rsOf("web-old", "web:1", 0)},
			[]string{"Deployment ns/web"}},
		{"an old ReplicaSet still running its template is reported",
			[]runtime.Object{dep, rsOf("web-new", "web:2", 1), rsOf("web-old", "web:1", 2)},
			[]string{"Deployment ns/web", "ReplicaSet ns/web-old"}},
		{"a pod with ephemeral containers is reported",
			[]runtime.Object{dep, rsOf("web-new", "web:2", 2), podOf("web-new-a", false), podOf("web-new-b", true)},
			[]string{"Pod ns/web-new-b", "Deployment ns/web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := New(tt.objs...)
			require.NoError(t, err)
			var got []string
			for _, tmpl := range inv.PodTemplates() {
				got = append(got, tmpl.Owner.String())
			}
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}
