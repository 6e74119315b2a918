package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

// shop returns the objects of a cluster with a namespace "shop" and one pod in it, which
// runs privileged when privileged is set.
func shop(t testing.TB, privileged bool) []runtime.Object {
	sc := &corev1.SecurityContext{Privileged: ptr.To(privileged)}
	return typed(t,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27", SecurityContext: sc}}}},
	)
}

// fleetFixture is a kubeconfig of three contexts: "prod" reaches a cluster with a privileged
// pod, "staging" a clean one, "edge" a port nothing listens on.
type fleetFixture struct {
	kubeconfig    string
	prod, staging *fakeCluster
	hostile       string // the name of a context reaching staging, in hostileConfig
	hostileConfig string // a kubeconfig with contexts "prod" and hostile
	commaConfig   string // a kubeconfig with contexts "a,b" (prod), "a" and "b" (staging)
}

func newFleetFixture(t *testing.T) *fleetFixture {
	t.Helper()
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	f := &fleetFixture{
		prod:    newFakeCluster(t, fakeOptions{token: "prod-token"}, shop(t, true)...),
		staging: newFakeCluster(t, fakeOptions{token: "staging-token"}, shop(t, false)...),
		hostile: "evil\x1b[2J\u202e",
	}
	f.kubeconfig = writeFleetKubeconfig(t, kubeContext{"prod", f.prod, ""}, kubeContext{"staging", f.staging, ""},
		kubeContext{"edge", nil, ""})
	f.hostileConfig = writeFleetKubeconfig(t, kubeContext{"prod", f.prod, ""}, kubeContext{f.hostile, f.staging, ""})
	f.commaConfig = writeFleetKubeconfig(t, kubeContext{"a,b", f.prod, ""}, kubeContext{"a", f.staging, ""},
		kubeContext{"b", f.staging, ""})
	return f
}

// scanFleetJSON runs the command with -o json added and decodes the fleet document.
func scanFleetJSON(t *testing.T, args ...string) (int, *report.Fleet, string) {
	t.Helper()
	code, stdout, stderr := runScan(t, "", append(args, "-o", "json")...)
	var fleet report.Fleet
	require.NoError(t, json.Unmarshal([]byte(stdout), &fleet), "stdout is not a fleet document; stderr:\n%s\nstdout:\n%s", stderr, stdout)
	require.Equal(t, report.FleetSchemaVersion, fleet.SchemaVersion)
	return code, &fleet, stderr
}

// counts returns the FleetCounts of a report, from its results (not from its summary).
func counts(rep *report.Report) report.FleetCounts {
	c := report.FleetCounts{FailedBySeverity: map[check.Severity]int{}, LoadErrors: len(rep.Inventory.Errors)}
	for _, r := range rep.Results {
		switch r.Status {
		case check.StatusFail:
			c.FailedBySeverity[r.Severity]++
		case check.StatusNotEvaluated:
			c.NotEvaluated++
		case check.StatusError:
			c.Errors++
		}
	}
	return c
}

func TestFleetJSON(t *testing.T) {
	f := newFleetFixture(t)
	code, fleet, stderr := scanFleetJSON(t, "--kubeconfig", f.kubeconfig, "--context", "prod,staging", "--context", "edge", "-b", "workloads")
	assert.Equal(t, exitError, code, "edge could not be scanned")

	require.Len(t, fleet.Clusters, 3)
	var order []string
	for _, c := range fleet.Clusters {
		order = append(order, c.Context)
	}
	assert.Equal(t, []string{"prod", "staging", "edge"}, order, "the order given")
	prod, staging, edge := fleet.Clusters[0], fleet.Clusters[1], fleet.Clusters[2]
	require.NotNil(t, prod.Report, prod.Error)
	require.NotNil(t, staging.Report, staging.Error)
	assert.Equal(t, f.prod.srv.URL, prod.Server)
	assert.Equal(t, []string{f.prod.srv.URL}, prod.Report.Inventory.Sources, "each cluster's own inventory")
	assert.Equal(t, []string{f.staging.srv.URL}, staging.Report.Inventory.Sources)
	assert.Equal(t, check.StatusFail, verdict(prod.Report, "workloads:privileged", "Pod shop/web"))
	assert.Equal(t, check.StatusPass, verdict(staging.Report, "workloads:privileged", "Pod shop/web"))
	assert.Nil(t, edge.Report)
	assert.Contains(t, edge.Error, "cannot reach the API server at "+edge.Server)

	// The summary counts each cluster's results; the total adds them up.
	assert.Equal(t, 3, fleet.Summary.Clusters)
	assert.Equal(t, 1, fleet.Summary.NotScanned)
	require.Len(t, fleet.Summary.ByCluster, 3)
	assert.Equal(t, counts(prod.Report), fleet.Summary.ByCluster[0].Counts)
	assert.Equal(t, counts(staging.Report), fleet.Summary.ByCluster[1].Counts)
	assert.Equal(t, edge.Error, fleet.Summary.ByCluster[2].Error)
	assert.Positive(t, fleet.Summary.ByCluster[0].Counts.FailedBySeverity[check.Critical], "the privileged pod")
	assert.Zero(t, fleet.Summary.ByCluster[1].Counts.FailedBySeverity[check.Critical])
	total := counts(prod.Report)
	for sev, n := range counts(staging.Report).FailedBySeverity {
		total.FailedBySeverity[sev] += n
	}
	total.NotEvaluated += counts(staging.Report).NotEvaluated
	assert.Equal(t, total, fleet.Summary.Total)

	assert.Regexp(t, `(?m)^kspm-scan: context "edge": not scanned: load cluster: inventory: cannot reach`, stderr)
	assert.NotContains(t, stderr, `context "prod"`, "nothing to say about the clusters that were scanned")
}

func TestFleetText(t *testing.T) {
	f := newFleetFixture(t)
	code, stdout, stderr := runScan(t, "", "--kubeconfig", f.kubeconfig, "--context", "prod,edge,staging", "-b", "workloads")
	assert.Equal(t, exitError, code, stderr)

	headings := regexp.MustCompile(`(?m)^=== context .*===$`).FindAllString(stdout, -1)
	require.Len(t, headings, 3)
	assert.Equal(t, `=== context "prod" (`+f.prod.srv.URL+`) ===`, headings[0])
	assert.Regexp(t, `^=== context "edge" \(http://127\.0\.0\.1:\d+\) ===$`, headings[1])
	assert.Equal(t, `=== context "staging" (`+f.staging.srv.URL+`) ===`, headings[2])
	// Each cluster's report is the one a scan of its context alone writes, under its heading.
	_, alone, _ := runScan(t, "", "--kubeconfig", f.kubeconfig, "--context", "staging", "-b", "workloads")
	alone = alone[strings.Index(alone, "\n"):] // past the line that says when it was generated
	assert.Contains(t, stdout, alone)
	assert.Regexp(t, `(?m)^=== context "edge" .*\nnot scanned: load cluster: inventory: cannot reach`, stdout)

	// The summary: a row per cluster, in order, then the total.
	summary := stdout[strings.Index(stdout, "\nFleet: "):]
	lines := strings.Split(strings.TrimSpace(summary), "\n")
	require.Len(t, lines, 6, summary)
	assert.Equal(t, "Fleet: 3 clusters, 2 scanned, 1 not scanned", lines[0])
	assert.Equal(t, strings.Fields("CONTEXT CRITICAL HIGH MEDIUM LOW INFO NOT EVALUATED ERRORS LOAD ERRORS"), strings.Fields(lines[1]))
	_, fleet, _ := scanFleetJSON(t, "--kubeconfig", f.kubeconfig, "--context", "prod,edge,staging", "-b", "workloads")
	row := func(name string, c report.FleetCounts) []string {
		out := []string{name}
		for _, sev := range check.Severities() {
			out = append(out, fmt.Sprint(c.FailedBySeverity[sev]))
		}
		return append(out, fmt.Sprint(c.NotEvaluated), fmt.Sprint(c.Errors), fmt.Sprint(c.LoadErrors))
	}
	assert.Equal(t, row(`"prod"`, fleet.Summary.ByCluster[0].Counts), strings.Fields(lines[2]))
	assert.Equal(t, strings.Fields(`"edge" - - - - - - - - not scanned: load cluster: inventory: cannot reach`),
		strings.Fields(lines[3])[:16], lines[3])
	assert.Equal(t, row(`"staging"`, fleet.Summary.ByCluster[2].Counts), strings.Fields(lines[4]))
	assert.Equal(t, row("TOTAL", fleet.Summary.Total), strings.Fields(lines[5]))
	assert.NotEqual(t, "0", strings.Fields(lines[5])[1], "the privileged pod's critical failure is counted")
}

func TestFleetExitCodes(t *testing.T) {
	f := newFleetFixture(t)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"failures, no --fail-on", []string{"--context", "prod,staging"}, exitOK},
		{"a critical failure in one cluster", []string{"--context", "staging,prod", "--fail-on", "critical"}, exitFailOn},
		{"no failure at that level anywhere", []string{"--context", "staging,staging", "--context", "staging", "--fail-on", "critical"}, exitOK},
		{"a cluster not scanned wins over --fail-on", []string{"--context", "prod,edge", "--fail-on", "critical"}, exitError},
		{"all contexts", []string{"--all-contexts"}, exitError},
	}
	for _, tt := range tests {
		for _, format := range []string{"table", "json"} {
			t.Run(tt.name+" "+format, func(t *testing.T) {
				args := append([]string{"--kubeconfig", f.kubeconfig, "-b", "workloads", "-o", format}, tt.args...)
				code, stdout, stderr := runScan(t, "", args...)
				assert.Equal(t, tt.want, code, stderr)
				assert.NotEmpty(t, stdout)
			})
		}
	}
}

// --all-contexts scans every context, by name; context names are escaped wherever they are
// written.
func TestFleetAllContextsAndHostileNames(t *testing.T) {
	f := newFleetFixture(t)
	code, fleet, stderr := scanFleetJSON(t, "--kubeconfig", f.hostileConfig, "--all-contexts", "-b", "workloads")
	assert.Equal(t, exitOK, code, stderr)
	require.Len(t, fleet.Clusters, 2)
	assert.Equal(t, f.hostile, fleet.Clusters[0].Context, "sorted by name: e before p")
	assert.Equal(t, "prod", fleet.Clusters[1].Context)

	for _, format := range []string{"table", "json"} {
		_, stdout, stderr := runScan(t, "", "--kubeconfig", f.hostileConfig, "--all-contexts", "-b", "workloads", "-o", format)
		for _, raw := range []string{"\x1b", "\u202e"} {
			assert.NotContains(t, stdout, raw, format)
			assert.NotContains(t, stderr, raw, format)
		}
		if format == "table" {
			assert.Contains(t, stdout, `=== context "evil\x1b[2J\u202e" (`)
			assert.Contains(t, stdout, "\n  \"evil\\x1b[2J\\u202e\"  ")
		}
	}
	// Named with --context, a hostile name that is not in the kubeconfig is escaped too.
	code, stdout, stderr := runScan(t, "", "--kubeconfig", f.hostileConfig, "--context", "prod,nope\x1b]0;x\x07")
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `--context "nope\x1b]0;x\a": no such context in the kubeconfig (it has: "evil\x1b[2J\u202e", "prod")`)
	assert.NotContains(t, stderr, "\x1b")
}

// One context named with --context, or names that come to one context, scan as always: one
// report, not a fleet document.
func TestFleetOneContextAsBefore(t *testing.T) {
	f := newFleetFixture(t)
	reportOf := func(args ...string) *report.Report {
		t.Helper()
		code, rep, stderr := scanJSON(t, "", append([]string{"-b", "workloads"}, args...)...)
		require.Equal(t, exitOK, code, stderr)
		return rep
	}
	current := reportOf("--kubeconfig", f.kubeconfig) // prod is the current context
	for _, args := range [][]string{
		{"--context", "prod"},
		{"--context", "prod", "--context", "prod"},
		{"--context", "prod,"},
		{"--context", ""}, // the current context, as before
	} {
		rep := reportOf(append([]string{"--kubeconfig", f.kubeconfig}, args...)...)
		assert.Equal(t, current.Results, rep.Results, "%q", args)
		assert.Equal(t, current.Inventory, rep.Inventory, "%q", args)
	}
	// A context whose name holds a comma is that context, not a list.
	rep := reportOf("--kubeconfig", f.commaConfig, "--context", "a,b")
	assert.Equal(t, []string{f.prod.srv.URL}, rep.Inventory.Sources)
	code, fleet, stderr := scanFleetJSON(t, "--kubeconfig", f.commaConfig, "--context", "a", "--context", "b,a", "-b", "workloads")
	assert.Equal(t, exitOK, code, stderr)
	require.Len(t, fleet.Clusters, 2, "a, then b; a named twice is scanned once")
	assert.Equal(t, "a", fleet.Clusters[0].Context)
	assert.Equal(t, "b", fleet.Clusters[1].Context)
}

// A cluster that refuses every list has nothing to scan: it is not scanned, its missing
// permissions are named, and the others go on; one whose credentials are rejected likewise.
func TestFleetForbiddenAndUnauthorized(t *testing.T) {
	f := newFleetFixture(t)
	locked := newFakeCluster(t, fakeOptions{token: "locked-token", forbidden: true}, shop(t, true)...)
	rotated := newFakeCluster(t, fakeOptions{token: "new-token"}, shop(t, true)...)
	path := writeFleetKubeconfig(t, kubeContext{"locked", locked, ""}, kubeContext{"prod", f.prod, ""},
		kubeContext{"stale", rotated, "old-token"})
	code, fleet, stderr := scanFleetJSON(t, "--kubeconfig", path, "--all-contexts", "-b", "workloads")
	assert.Equal(t, exitError, code)
	require.Len(t, fleet.Clusters, 3)
	assert.Contains(t, fleet.Clusters[0].Error, "nothing to scan: no object loaded from the cluster at "+locked.srv.URL)
	assert.NotNil(t, fleet.Clusters[1].Report)
	assert.Contains(t, fleet.Clusters[2].Error, "rejected the credentials")
	assert.Regexp(t, `(?m)^kspm-scan: context "locked": missing permissions: list .*\bnamespaces\b`, stderr)
	assert.Contains(t, stderr, `kspm-scan: context "locked": not scanned: nothing to scan`)
	assert.Contains(t, stderr, `kspm-scan: context "stale": not scanned:`)

	// With --allow-empty, the locked cluster is scanned: its report says what it could not see.
	code, fleet, _ = scanFleetJSON(t, "--kubeconfig", path, "--context", "locked", "--context", "prod", "-b", "workloads", "--allow-empty")
	assert.Equal(t, exitError, code, "its lists failed: load errors")
	require.NotNil(t, fleet.Clusters[0].Report)
	assert.Positive(t, fleet.Summary.ByCluster[0].Counts.LoadErrors)
	assert.Positive(t, fleet.Summary.ByCluster[0].Counts.NotEvaluated)
}

// At most --cluster-parallelism clusters are loaded at once, and the reports come in the
// order of the contexts whatever the order the loads end in.
func TestFleetClusterParallelism(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	load := &fleetLoad{}
	var contexts []kubeContext
	for i := range 4 {
		c := newFakeCluster(t, fakeOptions{token: "t", fleet: load, delay: 3 * time.Millisecond}, shop(t, i%2 == 0)...)
		contexts = append(contexts, kubeContext{fmt.Sprintf("c%d", i), c, ""})
	}
	path := writeFleetKubeconfig(t, contexts...)
	for _, n := range []int{1, 2} {
		code, fleet, stderr := scanFleetJSON(t, "--kubeconfig", path, "--all-contexts", "--cluster-parallelism", fmt.Sprint(n), "-b", "workloads")
		require.Equal(t, exitOK, code, stderr)
		for i, c := range fleet.Clusters {
			assert.Equal(t, fmt.Sprintf("c%d", i), c.Context)
		}
		most := load.mostClusters()
		assert.LessOrEqual(t, most, n, "--cluster-parallelism %d", n)
		assert.Positive(t, most)
	}
}

func TestFleetUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"all contexts and context", []string{"--all-contexts", "--context", "a"}, "does not go with --context"},
		{"negative parallelism", []string{"--all-contexts", "--cluster-parallelism", "-1"}, "--cluster-parallelism -1"},
		{"parallelism of one cluster", []string{"--cluster-parallelism", "2"}, "applies to several clusters"},
		{"who-can over a fleet", []string{"--all-contexts", "--who-can", "get", "secrets"}, "answer for one cluster"},
		{"reach over a fleet", []string{"--context", "a", "--context", "b", "--reach", "shop/pod/a", "shop/pod/b", "--port", "80"}, "answer for one cluster"},
		{"manifests", []string{"-f", "testdata/app", "--all-contexts"}, "use one or the other"},
		{"baseline over a fleet", []string{"--all-contexts", "--baseline", "old.json"}, "apply to one cluster's report"},
		{"exemptions over a fleet", []string{"--all-contexts", "--allow-annotation-exemptions"}, "apply to one cluster's report"},
		{"sarif over a fleet", []string{"--all-contexts", "-o", "sarif"}, "write one cluster's report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", tt.args...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
		})
	}
	t.Run("names a fleet for who-can", func(t *testing.T) {
		f := newFleetFixture(t)
		code, _, stderr := runScan(t, "", "--kubeconfig", f.kubeconfig, "--context", "prod,staging", "--who-can", "get", "secrets")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "answer for one cluster")
	})
	t.Run("exceptions over a fleet", func(t *testing.T) {
		f := newFleetFixture(t)
		exc := filepath.Join(t.TempDir(), "exceptions.yaml")
		require.NoError(t, os.WriteFile(exc, []byte("apiVersion: kspm.dev/v1alpha1\nkind: Exceptions\nexceptions: []\n"), 0o600))
		code, stdout, stderr := runScan(t, "", "--kubeconfig", f.kubeconfig, "--context", "prod,staging", "--exceptions", exc)
		assert.Equal(t, exitError, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "apply to one cluster's report")
	})
	t.Run("sarif over named contexts", func(t *testing.T) {
		f := newFleetFixture(t)
		code, stdout, stderr := runScan(t, "", "--kubeconfig", f.kubeconfig, "--context", "prod", "--context", "staging", "-o", "sarif")
		assert.Equal(t, exitError, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "write one cluster's report")
	})
	t.Run("no kubeconfig", func(t *testing.T) {
		noKubeconfig(t)
		code, _, stderr := runScan(t, "", "--all-contexts")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "nothing to scan: no kubeconfig")
	})
}

// The whole run's --timeout ends the clusters not yet scanned, each named; the document is
// still whole.
func TestFleetTimeout(t *testing.T) {
	f := newFleetFixture(t)
	slow := newFakeCluster(t, fakeOptions{token: "slow-token", delay: 300 * time.Millisecond}, shop(t, true)...)
	path := writeFleetKubeconfig(t, kubeContext{"prod", f.prod, ""}, kubeContext{"slow", slow, ""})
	code, fleet, stderr := scanFleetJSON(t, "--kubeconfig", path, "--all-contexts", "-b", "workloads", "--timeout", "1s")
	assert.Equal(t, exitError, code)
	require.Len(t, fleet.Clusters, 2)
	assert.NotNil(t, fleet.Clusters[0].Report, fleet.Clusters[0].Error)
	assert.Contains(t, fleet.Clusters[1].Error, "(--timeout 1s)")
	assert.Contains(t, stderr, `context "slow": not scanned:`)
}
