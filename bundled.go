package kspm

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/cis"
	"github.com/kspm-dev/kspm/benchmark/network"
	"github.com/kspm-dev/kspm/benchmark/org"
	"github.com/kspm-dev/kspm/benchmark/pss"
	"github.com/kspm-dev/kspm/benchmark/rbac"
	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/benchmark/workloads"
)

// BenchmarkOption configures the bundled benchmarks.
type BenchmarkOption interface{ applyBenchmark(*benchmarkConfig) }

type benchmarkOptionFunc func(*benchmarkConfig)

func (f benchmarkOptionFunc) applyBenchmark(c *benchmarkConfig) { f(c) }

type benchmarkConfig struct {
	pssVersion     string
	clusterVersion string
}

// pssOptions are the options of the pss-* benchmarks.
func (c *benchmarkConfig) pssOptions() []pss.Option {
	opts := []pss.Option{pss.WithVersion(c.pssVersion)}
	if c.clusterVersion != "" {
		opts = append(opts, pss.WithClusterVersion(c.clusterVersion))
	}
	return opts
}

type bundledBenchmark struct {
	name string
	make func(*benchmarkConfig) (benchmark.Benchmark, error)
	// alias marks a benchmark whose controls another bundled benchmark already runs
	// (cis-2.0 shares cis-1.12's): it is selectable by name but not part of the default set.
	alias bool
	// optIn marks a benchmark of example policies whose parameters an organisation sets
	// (org): selectable by name but not part of the default set, whose findings would
	// otherwise be judged against the example organisation's registries and domains.
	optIn bool
}

// bundled lists the bundled benchmarks in the order --list shows them.
var bundled = []bundledBenchmark{
	{name: workloads.WorkloadsName, make: func(*benchmarkConfig) (benchmark.Benchmark, error) { return workloads.Workloads(), nil }},
	{name: network.NetworkName, make: func(*benchmarkConfig) (benchmark.Benchmark, error) { return network.Network(), nil }},
	{name: pss.BaselineName, make: func(c *benchmarkConfig) (benchmark.Benchmark, error) {
		return pss.Baseline(c.pssOptions()...)
	}},
	{name: pss.RestrictedName, make: func(c *benchmarkConfig) (benchmark.Benchmark, error) {
		return pss.Restricted(c.pssOptions()...)
	}},
	{name: rbac.RBACName, make: func(*benchmarkConfig) (benchmark.Benchmark, error) { return rbac.RBAC(), nil }},
	{name: cis.V112Name, make: func(*benchmarkConfig) (benchmark.Benchmark, error) { return cis.V112(), nil }},
	{name: cis.V20Name, make: func(*benchmarkConfig) (benchmark.Benchmark, error) { return cis.V20(), nil }, alias: true},
	{name: pss.NamespacesName, make: func(c *benchmarkConfig) (benchmark.Benchmark, error) {
		return pss.Namespaces(c.pssOptions()...)
	}},
	{name: secrets.SecretsName, make: func(*benchmarkConfig) (benchmark.Benchmark, error) { return secrets.Secrets(), nil }},
	{name: org.OrgName, make: func(*benchmarkConfig) (benchmark.Benchmark, error) { return org.Org(), nil }, optIn: true},
}

// BenchmarkNames returns the names of the bundled benchmarks.
func BenchmarkNames() []string {
	names := make([]string, len(bundled))
	for i, b := range bundled {
		names[i] = b.name
	}
	return names
}

// DefaultBenchmarkNames returns the names of the benchmarks a scan runs when none are named:
// every bundled benchmark except those whose controls another one already runs (cis-2.0)
// and the organisation policies (org), which are examples to set parameters for.
func DefaultBenchmarkNames() []string {
	var names []string
	for _, b := range bundled {
		if !b.alias && !b.optIn {
			names = append(names, b.name)
		}
	}
	return names
}

// Benchmarks returns fresh copies of the default benchmarks (see DefaultBenchmarkNames).
func Benchmarks(opts ...BenchmarkOption) ([]benchmark.Benchmark, error) {
	return SelectBenchmarks(DefaultBenchmarkNames(), opts...)
}

// SelectBenchmarks returns fresh copies of the named bundled benchmarks, in the order given.
// An unknown name is an error that lists the valid ones.
func SelectBenchmarks(names []string, opts ...BenchmarkOption) ([]benchmark.Benchmark, error) {
	cfg := &benchmarkConfig{pssVersion: "latest"}
	for _, o := range opts {
		o.applyBenchmark(cfg)
	}
	var out []benchmark.Benchmark
	for _, name := range names {
		i := slices.IndexFunc(bundled, func(b bundledBenchmark) bool { return b.name == name })
		if i < 0 {
			return nil, fmt.Errorf("%w %q (valid: %s)", ErrUnknownBenchmark, name, strings.Join(BenchmarkNames(), ", "))
		}
		b, err := bundled[i].make(cfg)
		if err != nil {
			return nil, fmt.Errorf("benchmark %s: %w", name, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// WithPSSVersion sets the Pod Security Standards version the pss-* benchmarks evaluate at:
// "latest" (the default) or "v1.N".
func WithPSSVersion(v string) BenchmarkOption {
	return benchmarkOptionFunc(func(c *benchmarkConfig) {
		if v != "" {
			c.pssVersion = v
		}
	})
}

// WithClusterVersion sets the Kubernetes version ("v1.N") of the cluster the inventory
// describes. The pss-* benchmarks then evaluate "latest" (in --pss-version and in namespace
// labels) as that cluster's admission controller does: as the newest policy it knows.
func WithClusterVersion(v string) BenchmarkOption {
	return benchmarkOptionFunc(func(c *benchmarkConfig) { c.clusterVersion = v })
}
