package cis

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
)

// Names of the benchmarks, as the scanner's -b takes them.
const (
	V112Name = "cis-1.12"
	V20Name  = "cis-2.0"
)

// V112 returns the CIS Kubernetes Benchmark v1.12.0, named V112Name.
func V112() benchmark.Benchmark {
	return benchmark.Benchmark{
		Name:  V112Name,
		Title: "CIS Kubernetes Benchmark v1.12.0",
		Description: "The 131 controls of the CIS Kubernetes Benchmark v1.12.0: control plane " +
			"flags, etcd, kubelet configuration, node files, RBAC and pod policies.",
		Checks: checks(nil),
	}
}

// V20 returns the CIS Kubernetes Benchmark v2.0.1, named V20Name. It has the same controls
// as v1.12, except that 5.2.9 (added capabilities) is a level 2 control.
func V20() benchmark.Benchmark {
	return benchmark.Benchmark{
		Name:  V20Name,
		Title: "CIS Kubernetes Benchmark v2.0.1",
		Description: "The 131 controls of the CIS Kubernetes Benchmark v2.0.1 (as v1.12.0, " +
			"with 5.2.9 moved to level 2).",
		Checks: checks(map[string]string{"5.2.9": "L2"}),
	}
}

// Level values of the CIS profiles.
const (
	l1 = "L1"
	l2 = "L2"
)

// control is one CIS control: its metadata and how it is evaluated.
type control struct {
	id    string // CIS number, e.g. "1.2.1"
	title string
	level string
	// cisManual is the CIS document's assessment ("Manual" rather than "Automated").
	cisManual bool
	severity  check.Severity
	// what says what the check inspects and what passes.
	what        string
	remediation string
	kinds       []schema.GroupKind
	requires    []schema.GroupKind
	// manual marks a control that needs a person's judgement: it is not run.
	manual bool
	run    check.RunFunc
	// depends says what the results depend on (see depends.go).
	depends *check.Dependencies
}

func (c control) meta(level string) check.Meta {
	assessment := "Automated"
	if c.cisManual {
		assessment = "Manual"
	}
	desc := c.what
	if desc != "" && !strings.HasSuffix(desc, ".") {
		desc += "."
	}
	desc = strings.TrimSpace(desc + " CIS assessment: " + assessment + ".")
	return check.Meta{
		ID:          "cis:" + c.id,
		Title:       c.title,
		Description: desc,
		Severity:    c.severity,
		Remediation: c.remediation,
		References:  []string{"CIS Kubernetes Benchmark " + c.id},
		Section:     sectionOf(c.id),
		Level:       level,
		Kinds:       c.kinds,
		Requires:    c.requires,
		Manual:      c.manual,
		Depends:     c.depends,
	}
}

// allControls returns every control, in CIS order.
func allControls() []control {
	var cs []control
	cs = append(cs, nodeFileControls()...)
	cs = append(cs, apiServerControls()...)
	cs = append(cs, controllerManagerControls()...)
	cs = append(cs, schedulerControls()...)
	cs = append(cs, etcdControls()...)
	cs = append(cs, authControls()...)
	cs = append(cs, kubeletControls()...)
	cs = append(cs, kubeProxyControls()...)
	cs = append(cs, rbacControls()...)
	cs = append(cs, podSecurityControls()...)
	cs = append(cs, policyControls()...)
	slices.SortStableFunc(cs, func(a, b control) int { return compareIDs(a.id, b.id) })
	return cs
}

// checks builds the checks, overriding the level of the controls named in levels.
func checks(levels map[string]string) []check.Check {
	cs := allControls()
	out := make([]check.Check, 0, len(cs))
	for _, c := range cs {
		level := c.level
		if l, ok := levels[c.id]; ok {
			level = l
		}
		out = append(out, check.New(c.meta(level), c.run))
	}
	return out
}

// compareIDs orders CIS numbers numerically: 1.2.9 before 1.2.10.
func compareIDs(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// sections names the benchmark's sections; a control's section is its ID without the last
// number ("1.2.15" is in "1.2 API Server"; "2.1" in "2 Etcd Node Configuration").
var sections = map[string]string{
	"1.1": "1.1 Control Plane Node Configuration Files",
	"1.2": "1.2 API Server",
	"1.3": "1.3 Controller Manager",
	"1.4": "1.4 Scheduler",
	"2":   "2 Etcd Node Configuration",
	"3.1": "3.1 Authentication and Authorization",
	"3.2": "3.2 Logging",
	"4.1": "4.1 Worker Node Configuration Files",
	"4.2": "4.2 Kubelet",
	"4.3": "4.3 kube-proxy",
	"5.1": "5.1 RBAC and Service Accounts",
	"5.2": "5.2 Pod Security Standards",
	"5.3": "5.3 Network Policies and CNI",
	"5.4": "5.4 Secrets Management",
	"5.5": "5.5 Extensible Admission Control",
	"5.6": "5.6 General Policies",
}

func sectionOf(id string) string {
	i := strings.LastIndexByte(id, '.')
	if i < 0 {
		return id
	}
	return sections[id[:i]]
}
