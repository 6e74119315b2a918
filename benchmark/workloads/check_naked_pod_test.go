package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestNakedPodFixtures(t *testing.T) {
	runFixtures(t, workloads.NakedPod())
}

// From a cluster, a pod in kube-system without the marks of a static pod is not one.
func TestNakedPodCluster(t *testing.T) {
	c := workloads.NakedPod()
	inv := clusterInventory(t, nil, pod("kube-system", "etcd", corev1.PodSpec{Containers: []corev1.Container{ctr("etcd", "etcd:3.6")}}))
	assertVerdicts(t, c, run(t, c, inv), []verdict{fail("Pod kube-system/etcd", "metadata.ownerReferences", "no controller manages the pod")})
}
