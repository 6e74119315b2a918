package kspm_test

import (
	"bytes"
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// A check written in Go, run over a small inventory built in memory.
func ExampleRun() {
	inv, err := inventory.New(
		&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
			Spec:       corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}},
		},
		&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api"},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "api:2.1"}}},
		},
	)
	if err != nil {
		fmt.Println(err)
		return
	}

	hostNetwork := check.New(check.Meta{
		ID:          "example:host-network",
		Title:       "Pods do not use the node's network",
		Severity:    check.High,
		Remediation: "Remove hostNetwork from the pod spec.",
	}, func(ctx context.Context, pass *check.Pass) error {
		for _, t := range pass.Inventory.PodTemplates() {
			if t.Spec.HostNetwork {
				pass.Fail(t.Owner, t.Path+".hostNetwork", "uses the node's network namespace")
			} else {
				pass.Pass(t.Owner, "has its own network namespace")
			}
		}
		return nil
	})

	results, err := kspm.Run(context.Background(), inv, []check.Check{hostNetwork})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Printf("%s %s: %s", r.Status, r.Object, r.Message)
		if r.Field != "" {
			fmt.Printf(" (%s)", r.Field)
		}
		fmt.Println()
	}
	// Output:
	// pass Pod shop/api: has its own network namespace
	// fail Pod shop/web: uses the node's network namespace (spec.hostNetwork)
}

// Scanning with a bundled benchmark and writing the failures as text.
func ExampleScan() {
	privileged := true
	inv, err := inventory.New(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default-deny"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}},
		&appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				ServiceAccountName: "web",
				Containers: []corev1.Container{{
					Name:            "app",
					Image:           "nginx:latest",
					SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
				}},
			}}},
		},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	benchmarks, err := kspm.SelectBenchmarks([]string{"workloads"})
	if err != nil {
		fmt.Println(err)
		return
	}

	r, err := kspm.Scan(context.Background(), inv, benchmarks)
	if err != nil {
		fmt.Println(err)
		return
	}
	// report.WriteJSON(os.Stdout, r) would write the whole report as JSON, and
	// report.WriteText a table for people.
	fmt.Printf("%d results: %d pass, %d fail; worst failure: %s\n",
		r.Summary.Total, r.Summary.ByStatus[check.StatusPass], r.Summary.ByStatus[check.StatusFail], r.MaxFailedSeverity())
	for _, res := range r.Results {
		if res.Status == check.StatusFail {
			fmt.Printf("%s %s %s: %s\n", res.Severity, res.CheckID, res.Object, res.Message)
		}
	}
	// Output:
	// 21 results: 9 pass, 7 fail; worst failure: critical
	// critical workloads:privileged Deployment shop/web: container "app" runs privileged
	// medium workloads:root-group Deployment shop/web: container "app" sets no runAsGroup (nor does the pod): it runs as the image's group, root's for a root or numeric image user
	// medium workloads:read-only-root-filesystem Deployment shop/web: container "app" has a writable root filesystem (readOnlyRootFilesystem is not set)
	// low workloads:latest-tag Deployment shop/web: container "app" uses image "nginx:latest", whose tag latest is not pinned
	// low workloads:image-digest Deployment shop/web: container "app" uses image "nginx:latest", not pinned by digest
	// low workloads:liveness-probe Deployment shop/web: container "app" has no liveness probe
	// low workloads:readiness-probe Deployment shop/web: container "app" has no readiness probe
}

// Writing the JSON report of a scan as its results are made, as the scanner does with -o
// json: the bytes report.WriteJSON writes for Scan's report, without holding every result.
func ExampleScanJSON() {
	inv, err := inventory.New(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "debug"},
		Spec:       corev1.PodSpec{HostPID: true, Containers: []corev1.Container{{Name: "sh", Image: "busybox:1.36"}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	benchmarks, err := kspm.SelectBenchmarks([]string{"pss-baseline"})
	if err != nil {
		fmt.Println(err)
		return
	}
	var out bytes.Buffer // os.Stdout, a file
	sum, err := kspm.ScanJSON(context.Background(), &out, inv, benchmarks)
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := report.ReadJSON(&out)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d results written, %d failed; worst failure: %s\n", len(rep.Results), sum.ByStatus[check.StatusFail], sum.MaxFailedSeverity())
	// Output:
	// 12 results written, 1 failed; worst failure: high
}
