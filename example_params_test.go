package kspm_test

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// A Go check that declares the kinds it reads and its parameters. The runner gives the check
// its defaults overridden by WithParams, rejects a misspelt parameter before running anything,
// and reports notEvaluated when a declared kind was not seen completely.
func ExampleRun_declaredKindsAndParams() {
	replicas := func(n int32) *int32 { return &n }
	b := inventory.NewBuilder(inventory.ModeCluster)
	_ = b.Add(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
		Spec: appsv1.DeploymentSpec{Replicas: replicas(1)}}, inventory.Source{})
	b.SetCoverage(inventory.Coverage{Group: "apps", Kind: "Deployment", State: inventory.Listed})
	b.SetCoverage(inventory.Coverage{Group: "apps", Kind: "StatefulSet", State: inventory.Forbidden,
		Reason: `User "ci" cannot list statefulsets`})
	inv := b.Build()

	minReplicas := check.New(check.Meta{
		ID:          "example:min-replicas",
		Title:       "Workloads run enough replicas",
		Severity:    check.Medium,
		Remediation: "Raise spec.replicas.",
		Kinds:       []schema.GroupKind{inventory.KindDeployment, inventory.KindStatefulSet},
		Params:      []check.Param{{Name: "min", Type: check.ParamInt, Default: 2, Description: "Fewest replicas allowed."}},
	}, func(ctx context.Context, pass *check.Pass) error {
		lowest := pass.Params["min"].(int) // declared: present, of its type
		for _, o := range pass.Inventory.ByKind(inventory.KindDeployment) {
			if d := o.Object().(*appsv1.Deployment); d.Spec.Replicas != nil && int(*d.Spec.Replicas) < lowest {
				pass.Failf(o, "spec.replicas", "%d replicas, fewer than %d", *d.Spec.Replicas, lowest)
			} else {
				pass.Pass(o, "enough replicas")
			}
		}
		return nil
	})

	ctx := context.Background()
	for _, params := range []map[string]any{{"min": 1}, {"minimum": 1}} {
		results, err := kspm.Run(ctx, inv, []check.Check{minReplicas}, kspm.WithParams("example:min-replicas", params))
		if errors.Is(err, kspm.ErrInvalidParams) {
			fmt.Println(err)
			continue
		}
		for _, r := range results {
			fmt.Printf("%s %v: %s\n", r.Status, r.Object, r.Message)
		}
	}
	// Output:
	// notEvaluated <nil>: objects of kinds not completely seen were not evaluated: statefulsets forbidden: User "ci" cannot list statefulsets
	// pass Deployment shop/web: enough replicas
	// invalid parameters: check example:min-replicas: unknown parameter "minimum" (known: min)
}
