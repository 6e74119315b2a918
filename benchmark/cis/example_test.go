package cis_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/cis"
	"github.com/kspm-dev/kspm/inventory"
)

// Judge a kube-apiserver static pod manifest against the API server controls.
func ExampleV112() {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "kube-apiserver-cp1", Namespace: "kube-system"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:    "kube-apiserver",
			Command: []string{"kube-apiserver", "--authorization-mode=Node,RBAC", "--profiling=false", "--anonymous-auth"},
		}}},
	}
	inv, err := inventory.New(pod)
	if err != nil {
		panic(err)
	}
	b := cis.V112()
	results, err := kspm.Run(context.Background(), inv, b.Checks)
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		switch r.CheckID {
		case "cis:1.2.1", "cis:1.2.6", "cis:1.2.15", "cis:3.1.1":
			fmt.Printf("%s %s: %s\n", r.CheckID, r.Status, r.Message)
		}
	}
	// Output:
	// cis:1.2.1 fail: --anonymous-auth=true (bare flag); want false
	// cis:1.2.6 pass: --authorization-mode=Node,RBAC does not include AlwaysAllow
	// cis:1.2.15 pass: --profiling=false
	// cis:3.1.1 manual: manual control: review by hand: Client certificates cannot be revoked; review how people authenticate (certificate signing requests and RBAC subjects only hint at it). CIS assessment: Manual.
}
