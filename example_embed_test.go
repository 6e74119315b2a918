package kspm_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// An organisation's own checks, as a benchmark of their own, scanned in one run with a
// bundled benchmark; the report is then read by check and by object.
func ExampleScan_ownChecksWithBundled() {
	yes := true
	inv, err := inventory.New(
		&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", Labels: map[string]string{"team": "shop"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
				SecurityContext: &corev1.SecurityContext{Privileged: &yes}}}},
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
	teamLabel := check.New(check.Meta{
		ID:          "acme:team-label",
		Title:       "Workloads name their team",
		Severity:    check.Low,
		Remediation: "Add the label team: NAME to the pod template.",
		Kinds:       []schema.GroupKind{inventory.KindPod},
	}, func(ctx context.Context, pass *check.Pass) error {
		for _, t := range pass.Inventory.PodTemplates() {
			if t.Metadata.Labels["team"] == "" {
				pass.Fail(t.Owner, "metadata.labels", "no team label")
			} else {
				pass.Pass(t.Owner, "team "+t.Metadata.Labels["team"])
			}
		}
		return nil
	})
	own := benchmark.Benchmark{Name: "acme", Title: "ACME platform rules", Checks: []check.Check{teamLabel}}
	bundled, err := kspm.SelectBenchmarks([]string{"pss-baseline"})
	if err != nil {
		fmt.Println(err)
		return
	}

	rep, err := kspm.Scan(context.Background(), inv, append(bundled, own))
	if err != nil {
		fmt.Println(err)
		return
	}
	// By check: every check that ran, with its count of results per status.
	for _, c := range rep.Checks {
		if c.CheckID == "acme:team-label" || c.CheckID == "pss:privileged" {
			fmt.Printf("%s: %d pass, %d fail\n", c.CheckID, c.Counts.Pass, c.Counts.Fail)
		}
	}
	// By object: what failed for each object.
	failed := map[string][]string{}
	var order []string
	for _, r := range rep.Results {
		if r.Status != check.StatusFail {
			continue
		}
		k := r.Object.String()
		if _, seen := failed[k]; !seen {
			order = append(order, k)
		}
		failed[k] = append(failed[k], r.CheckID)
	}
	for _, k := range order {
		fmt.Println(k, failed[k])
	}
	// Output:
	// pss:privileged: 1 pass, 1 fail
	// acme:team-label: 1 pass, 1 fail
	// Pod shop/web [pss:privileged]
	// Pod shop/api [acme:team-label]
}
