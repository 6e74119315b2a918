package helm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
)

// ExampleNew loads a chart directory as `helm template shop testdata/web` renders it. Each object's source is the template it came from and the line it starts on.
func ExampleNew() {
	r, err := helm.New(helm.WithReleaseName("shop"))
	if err != nil {
		log.Fatal(err)
	}
	inv, err := inventory.LoadManifests(context.Background(), []string{"testdata/web"}, inventory.WithRenderer(r))
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range inv.Objects() {
		fmt.Printf("%s %s/%s\t%s:%d\n", o.Kind(), o.Namespace(), o.Name(), o.Source().File, o.Source().Line)
	}
	fmt.Println(inv.Objects()[0].Source().Root)
	// Output:
	// ConfigMap default/shop-web-ports	web/templates/service.yaml:13
	// Service default/shop-web	web/templates/service.yaml:4
	// ServiceAccount default/shop-sub	web/charts/sub/templates/serviceaccount.yaml:1
	// Deployment default/shop-web	web/templates/deployment.yaml:1
	// Job default/shop-web-migrate	web/templates/hook-job.yaml:1
	// helm:testdata/web
}
