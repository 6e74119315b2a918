package org

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
)

// OrgName is the name of the benchmark Org returns, as the scanner's -b takes it.
const OrgName = "org"

// Section is the report section of every control of the benchmark.
const Section = "org: organisation policies"

// files are the CEL check files of the benchmark, one control each, in report order. A test
// checks that it names every file of checks/ and nothing else.
var files = []string{
	"allowed-registries.yaml",
	"no-latest-in-production.yaml",
	"namespace-resource-quota.yaml",
	"namespace-limit-range.yaml",
	"required-labels.yaml",
	"loadbalancer-namespaces.yaml",
	"ingress-allowed-domains.yaml",
}

//go:embed checks/*.yaml
var checkFiles embed.FS

//go:embed vap/*.yaml vap/README.md
var vapFiles embed.FS

// Org returns a fresh copy of the "org" benchmark.
func Org() benchmark.Benchmark {
	checks := make([]check.Check, 0, len(files))
	for _, name := range files {
		cs, err := parse(name)
		if err != nil || len(cs) != 1 {
			panic(fmt.Sprintf("org: bundled check file %s does not load: %v", name, err)) // a build defect, caught by tests
		}
		checks = append(checks, cs[0])
	}
	return benchmark.Benchmark{
		Name:  OrgName,
		Title: "kspm organisation policies (CEL examples)",
		Description: "An organisation's own rules, written as CEL check files to copy and adapt: " +
			"images from allowed registries, no latest image in production, a ResourceQuota and " +
			"a LimitRange in every namespace, ownership labels on workloads, LoadBalancers only " +
			"in allowed namespaces, Ingress hosts under allowed domains. Parameters default to " +
			"the demo's example organisation.",
		Checks: checks,
	}
}

// CheckFile returns the CEL check file of the control id (e.g. "org:required-labels"), as
// the benchmark embeds it, to be written out, adapted and loaded with check.ParseCELChecks
// or the scanner's --checks; ok is false for an id the benchmark does not hold.
func CheckFile(id string) (data []byte, ok bool) {
	name, ok := strings.CutPrefix(id, "org:")
	if !ok || !slices.Contains(files, name+".yaml") {
		return nil, false
	}
	data, err := checkFiles.ReadFile("checks/" + name + ".yaml")
	return data, err == nil
}

// AdmissionPolicyFile returns the ValidatingAdmissionPolicy equivalent of the control id: a
// YAML stream of the policy, its binding and, when it has parameters, their ConfigMap; ok is
// false for a control with no admission form (org:namespace-resource-quota,
// org:namespace-limit-range: admission cannot see other objects) or not in the benchmark.
func AdmissionPolicyFile(id string) (data []byte, ok bool) {
	if _, ok := CheckFile(id); !ok {
		return nil, false
	}
	data, err := vapFiles.ReadFile("vap/" + strings.TrimPrefix(id, "org:") + ".yaml")
	return data, err == nil
}

func parse(name string) ([]check.Check, error) {
	data, err := checkFiles.ReadFile("checks/" + name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return check.ParseCELChecks(data, "benchmark/org/checks/"+name)
}
