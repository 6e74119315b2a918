package netreach_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// ExampleEngine_Reach asks whether a pod of namespace shop may reach the database of
// namespace db, which admits only its own namespace's pods labelled app=api.
func ExampleEngine_Reach() {
	pod := func(ns, name, app string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": app}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: app + ":1",
				Ports: []corev1.ContainerPort{{Name: "pg", ContainerPort: 5432}}}}}}
	}
	inv, err := inventory.New(
		pod("shop", "web", "web"), pod("db", "api", "api"), pod("db", "pg", "pg"),
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "db", Name: "pg-from-api"},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "pg"}},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}}}},
				}},
			}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	e := netreach.New(inv)
	pods := map[string]netreach.Pod{}
	for _, t := range inv.PodTemplates() {
		pods[t.Owner.Name()] = netreach.PodOf(t)
	}
	port, err := netreach.ResolvePort(pods["pg"], "pg")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, from := range []string{"web", "api"} {
		a := e.Reach(pods[from], pods["pg"], port)
		fmt.Printf("%s → pg on %s: %s (ingress isolated: %s", from, a.Port, a.Allowed, a.Ingress.Isolated)
		for _, p := range a.Ingress.Policies {
			fmt.Printf("; %s allows: %s", p.Policy.Name, p.Allows)
		}
		fmt.Println(")")
	}
	// Output:
	// web → pg on 5432/TCP: no (ingress isolated: yes; pg-from-api allows: no)
	// api → pg on 5432/TCP: yes (ingress isolated: yes; pg-from-api allows: yes)
}
