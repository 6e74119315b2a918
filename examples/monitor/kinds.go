package main

import (
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/inventory"
)

// watchedKinds returns the kinds the monitor watches for benchmarks (for inventory.WithKinds):
// every kind a check of theirs reads (check.Meta Kinds and Requires, and Depends' Kinds: the
// contract's declarations of what a check reads) that a cluster can be listed for: the
// built-in kinds, and the other network policy kinds, which are asked of discovery. Nil when
// a check that runs declares no kind at all (it may read any): every kind is watched then.
// The kinds are in BuiltinKinds order, then OtherNetworkPolicyKinds order.
func watchedKinds(benchmarks []benchmark.Benchmark) []schema.GroupKind {
	read := make(map[schema.GroupKind]bool)
	for _, b := range benchmarks {
		for _, c := range b.Checks {
			if c == nil {
				continue
			}
			m := c.Meta()
			if m.Manual {
				continue // reads nothing: reported manual without running
			}
			kinds := slices.Concat(m.Kinds, m.Requires)
			if m.Depends != nil {
				kinds = append(kinds, m.Depends.Kinds...)
			}
			if len(kinds) == 0 {
				return nil
			}
			for _, gk := range kinds {
				read[gk] = true
			}
		}
	}
	var out []schema.GroupKind
	for _, k := range slices.Concat(inventory.BuiltinKinds(), inventory.OtherNetworkPolicyKinds()) {
		if read[k.GroupKind()] {
			out = append(out, k.GroupKind())
		}
	}
	return out
}

// readsDefaultNamespace reports whether a check of benchmarks that runs reads the listing of
// namespace default's other resources (check.Dependencies.DefaultNamespace): only then does
// the monitor list them.
func readsDefaultNamespace(benchmarks []benchmark.Benchmark) bool {
	for _, b := range benchmarks {
		for _, c := range b.Checks {
			if c == nil {
				continue
			}
			if m := c.Meta(); !m.Manual && m.Depends != nil && m.Depends.DefaultNamespace {
				return true
			}
		}
	}
	return false
}
