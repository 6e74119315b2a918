package network_test

import (
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check/checktest"
)

func TestWorkloadIngressIsolationFixtures(t *testing.T) {
	checktest.Run(t, findCheck(t, "network:workload-ingress-isolation"), filepath.Join("testdata", "workload-ingress-isolation"))
}

// Listed from a cluster, a workload's Pods show the labels set at run time: an operator's
// label a policy selects makes the workload's pods differ, and the verdict unknown; pods that
// agree with their template leave the verdict as the template's.
func TestWorkloadIsolationListedPods(t *testing.T) {
	c := findCheck(t, "network:workload-ingress-isolation")
	sts := &appsv1.StatefulSet{ObjectMeta: meta("db", "pg"), Spec: appsv1.StatefulSetSpec{Template: corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "pg"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{ctr("pg", "pg:16")}}}}}
	sts.UID = "uid-pg"
	running := func(name, role string) *corev1.Pod {
		p := pod("db", name, corev1.PodSpec{Containers: []corev1.Container{ctr("pg", "pg:16")}})
		p.Labels = map[string]string{"app": "pg", "role": role}
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "pg", UID: "uid-pg", Controller: ptr(true)}}
		return p
	}
	primary := networkPolicy("db", "primary", ingress)
	primary.Spec.PodSelector.MatchLabels = map[string]string{"role": "primary"}
	all := networkPolicy("db", "all", ingress)
	for _, tt := range []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{"an operator's label", []runtime.Object{sts, running("pg-0", "primary"), running("pg-1", "replica"), primary},
			[]verdict{notEvaluated("StatefulSet db/pg", "Pod db/pg-0 is isolated, unlike its template")}},
		{"pods that agree", []runtime.Object{sts, running("pg-0", "primary"), all},
			[]verdict{pass("StatefulSet db/pg", "isolated for ingress by NetworkPolicy db/all")}},
		{"manifests: only the template", []runtime.Object{sts, primary},
			[]verdict{fail("StatefulSet db/pg", "", `no NetworkPolicy of namespace "db" selects it for ingress`)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inv := clusterInventory(t, nil, tt.objs...)
			if tt.name == "manifests: only the template" {
				inv = newInventory(t, tt.objs...)
			}
			assertVerdicts(t, c, run(t, c, inv), tt.want)
		})
	}
}
