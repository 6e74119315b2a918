package netreach_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// answers sums up what an engine says of every pod template: isolation both ways and what
// every namespace reaches.
func answers(inv *inventory.Inventory, e *netreach.Engine) []string {
	var out []string
	for _, t := range inv.PodTemplates() {
		p, ok := e.Pod(t.Owner)
		if !ok {
			out = append(out, t.Owner.String()+": no pod")
			continue
		}
		out = append(out, fmt.Sprintf("%s: %+v %+v %+v %d", t.Owner, e.Isolation(p, netreach.Ingress),
			e.Isolation(p, netreach.Egress), e.OpenToEveryNamespace(p), len(e.Listed(t.Owner))))
	}
	return out
}

func TestEngineForDerivedInventory(t *testing.T) {
	inv := cluster(t, `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {pod-template-hash: abc}}}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, uid: d-web}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: app, image: nginx}]}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-abc, namespace: shop, uid: rs-web, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-web, controller: true}]}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: app, image: nginx}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-abc-1, namespace: shop, labels: {app: web, pod-template-hash: abc}, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, uid: rs-web, controller: true}]}
spec: {containers: [{name: app, image: nginx}]}
`)
	e := netreach.New(inv)
	require.Equal(t, answers(inv, netreach.New(inv)), answers(inv, e))

	// A pod changes: the NetworkPolicies are the same, and the derived engine answers as a
	// new one would.
	pod := inv.Get(inventory.KindPod, "shop", "web-abc-1").Object().(*corev1.Pod).DeepCopy()
	pod.Labels["pod-template-hash"] = "def"
	next, err := inv.With(inventory.Put(pod))
	require.NoError(t, err)
	assert.True(t, inventory.SameKind(inv, next, inventory.KindNetworkPolicy))
	assert.False(t, inventory.SameKind(inv, next, inventory.KindPod))
	assert.Equal(t, answers(next, netreach.New(next)), answers(next, e.For(next)))

	// A policy changes: the derived engine reads the policies again.
	np := next.Get(inventory.KindNetworkPolicy, "shop", "web").Object().DeepCopyObject()
	np.(metav1.Object).SetLabels(map[string]string{"v": "2"})
	third, err := next.With(inventory.Put(np), inventory.Put(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Name: "debug", Namespace: "shop", Labels: map[string]string{"app": "web"}}}))
	require.NoError(t, err)
	assert.False(t, inventory.SameKind(next, third, inventory.KindNetworkPolicy))
	assert.Equal(t, answers(third, netreach.New(third)), answers(third, e.For(next).For(third)))
}
