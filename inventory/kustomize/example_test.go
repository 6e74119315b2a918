package kustomize_test

import (
	"context"
	"fmt"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/kustomize"
)

// Example builds an overlay (a base with a ConfigMap generator, a patch, a component) and
// prints each object with the file it came from.
func Example() {
	inv, err := inventory.LoadManifests(context.Background(), []string{"testdata/overlay"},
		inventory.WithRenderer(kustomize.New()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range inv.Objects() {
		fmt.Printf("%s  %s\n", o, o.Source())
	}
	fmt.Println("errors:", len(inv.Errors()))
	// Output:
	// ConfigMap prod/prod-web-extra-6g6gd9868f  base/kustomization.yaml:9 (kustomize:testdata/overlay)
	// ConfigMap prod/prod-web-settings-4kg7tm8gh7  base/kustomization.yaml:6 (kustomize:testdata/overlay)
	// Service prod/prod-web  base/app.yaml:25 (kustomize:testdata/overlay)
	// Deployment prod/prod-web  base/app.yaml:2 (kustomize:testdata/overlay)
	// NetworkPolicy prod/prod-deny-ingress  component/deny-ingress.yaml:1 (kustomize:testdata/overlay)
	// errors: 0
}
