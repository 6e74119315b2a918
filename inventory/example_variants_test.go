package inventory_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/inventory"
)

// A repository keeps a prod and a dev variant of one app: the Namespace is defined twice, with
// different Pod Security labels. Both definitions stay in the inventory; each pod's reference
// to its Namespace resolves, through From, to the definition nearest the pod.
func ExampleInventory_From() {
	ns := func(level string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop",
			Labels: map[string]string{"pod-security.kubernetes.io/enforce": level}}}
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}}

	b := inventory.NewBuilder(inventory.ModeManifests)
	_ = b.Add(ns("restricted"), inventory.Source{File: "deploy/prod/namespace.yaml", Line: 1})
	_ = b.Add(ns("privileged"), inventory.Source{File: "deploy/dev/namespace.yaml", Line: 1})
	_ = b.Add(pod, inventory.Source{File: "deploy/prod/web.yaml", Line: 1})
	_ = b.Add(pod.DeepCopy(), inventory.Source{File: "deploy/dev/web.yaml", Line: 1})
	inv := b.Build()

	for _, p := range inv.ByKind(inventory.KindPod) {
		n := inv.From(p).Get(inventory.KindNamespace, "", p.Namespace())
		fmt.Printf("%s (%s): namespace from %s enforces %s\n", p, p.Source(), n.Source(),
			n.Meta().GetLabels()["pod-security.kubernetes.io/enforce"])
	}
	for _, w := range inv.Warnings() {
		fmt.Println("warning:", w)
	}
	// Output:
	// Pod shop/web (deploy/dev/web.yaml:1): namespace from deploy/dev/namespace.yaml:1 enforces privileged
	// Pod shop/web (deploy/prod/web.yaml:1): namespace from deploy/prod/namespace.yaml:1 enforces restricted
	// warning: deploy/dev/namespace.yaml:1: Namespace shop: duplicate object: defined 2 times, also at deploy/prod/namespace.yaml:1; each definition is evaluated, and a reference to the object resolves to the definition nearest the referring object
	// warning: deploy/dev/web.yaml:1: Pod shop/web: duplicate object: defined 2 times, also at deploy/prod/web.yaml:1; each definition is evaluated, and a reference to the object resolves to the definition nearest the referring object
}
