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

func TestPodTemplatesControllers(t *testing.T) {
	controlledBy := func(kind, apiVersion, name string, uid types.UID) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid,
			Controller: new(true)}}
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cp-1", UID: "node-uid"}}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "ns", UID: "rs-uid"}}
	tests := []struct {
		name   string
		pod    *corev1.Pod
		others []runtime.Object
		want   bool // the pod is reported on itself
	}{
		{"bare pod", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}}, nil, true},
		{"mirror pod controlled by its Node (UID)", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			Name: "kube-apiserver-cp-1", Namespace: "kube-system",
			OwnerReferences: controlledBy("Node", "v1", "cp-1", "node-uid")}}, []runtime.Object{node}, true},
		{"mirror pod controlled by its Node (no UID)", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			Name: "etcd-cp-1", Namespace: "kube-system",
			OwnerReferences: controlledBy("Node", "v1", "cp-1", "")}}, []runtime.Object{node}, true},
		{"pod of a ReplicaSet in the inventory", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			Name: "web-1-x", Namespace: "ns",
			OwnerReferences: controlledBy("ReplicaSet", "apps/v1", "web-1", "rs-uid")}}, []runtime.Object{rs}, false},
		{"pod of a ReplicaSet not in the inventory", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			Name: "web-2-x", Namespace: "ns",
			OwnerReferences: controlledBy("ReplicaSet", "apps/v1", "web-2", "other-uid")}}, []runtime.Object{rs}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := New(append([]runtime.Object{tt.pod}, tt.others...)...)
			require.NoError(t, err)
			var got bool
			for _, tmpl := range inv.PodTemplates() {
				if tmpl.Owner.Kind() == "Pod" && tmpl.Owner.Name() == tt.pod.Name {
					got = true
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
