package pss

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// BenchmarkRestrictedAndNamespaces runs the restricted and namespace controls over 10,000
// workloads in 100 labelled namespaces.
func BenchmarkRestrictedAndNamespaces(b *testing.B) {
	var objs []runtime.Object
	for n := range 100 {
		ns := fmt.Sprintf("ns%03d", n)
		objs = append(objs, namespace(ns, map[string]string{lEnforce: "baseline", lWarn: "restricted"}))
		for i := range 100 {
			spec := baselineSpec()
			if i%3 == 0 {
				spec = restrictedSpec()
			}
			objs = append(objs, deployment(ns, fmt.Sprintf("d%03d", i), spec))
		}
	}
	inv, err := inventory.New(objs...)
	if err != nil {
		b.Fatal(err)
	}
	restricted, err := Restricted()
	if err != nil {
		b.Fatal(err)
	}
	namespaces, err := Namespaces()
	if err != nil {
		b.Fatal(err)
	}
	checks := append(restricted.Checks, namespaces.Checks...)
	b.ResetTimer()
	for b.Loop() {
		results := 0
		for _, c := range checks {
			pass := check.NewPass(inv, c.Meta(), nil, func(check.Finding) { results++ })
			if err := c.Run(b.Context(), pass); err != nil {
				b.Fatal(err)
			}
		}
		if results < 10_000*len(restricted.Checks) {
			b.Fatalf("only %d results", results)
		}
	}
}
