package kspm_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/inventory"
)

// verdicts runs every bundled check over the manifests at paths and returns, per check ID,
// its results as sorted lines (status, object, message).
func verdicts(t *testing.T, paths []string, opts ...inventory.ManifestOption) map[string][]string {
	t.Helper()
	ctx := context.Background()
	inv, err := inventory.LoadManifests(ctx, paths, opts...)
	require.NoError(t, err)
	// The default set (cis-2.0 would repeat cis-1.12's IDs) and the opt-in org pack.
	bs, err := kspm.SelectBenchmarks(append(kspm.DefaultBenchmarkNames(), "org"))
	require.NoError(t, err)
	rep, err := kspm.Scan(ctx, inv, bs)
	require.NoError(t, err)
	out := make(map[string][]string)
	for _, r := range rep.Results {
		obj := ""
		if r.Object != nil {
			obj = r.Object.String()
		}
		out[r.CheckID] = append(out[r.CheckID], fmt.Sprintf("%s|%s|%s", r.Status, obj, r.Message))
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// TestCompleteInputChangedChecks keeps the documented list of the checks whose verdict can
// change under WithCompleteInput exact: every bundled check runs over each fixture with and
// without the option, and the IDs whose results (status and object) differ are the IDs the
// package documentation and the README list. A check added to the list must be exercised
// by a fixture; a check whose verdict changes must be listed.
func TestCompleteInputChangedChecks(t *testing.T) {
	fixtures, err := filepath.Glob("testdata/complete/*.yaml")
	require.NoError(t, err)
	fixtures = append(fixtures, "examples/scan/testdata/app/app.yaml")
	changed := make(map[string]bool)
	for _, f := range fixtures {
		before := verdicts(t, []string{f})
		after := verdicts(t, []string{f}, inventory.WithCompleteInput())
		for id := range after {
			if !slices.Equal(statuses(before[id]), statuses(after[id])) {
				changed[id] = true
			}
		}
	}
	got := slices.Sorted(maps.Keys(changed))

	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, d := range []struct{ name, text, start, end string }{
		{"doc.go", string(doc), "# Manifests as the whole cluster", "\npackage kspm"},
		{"README.md", string(readme), "**Manifests as the whole cluster.**", "\n## "},
	} {
		i := strings.Index(d.text, d.start)
		require.GreaterOrEqual(t, i, 0, "%s has no section %q", d.name, d.start)
		sec := d.text[i:]
		sec = sec[:strings.Index(sec, d.end)]
		assert.Equal(t, got, documentedIDs(t, sec), "%s: the checks whose verdict changes under WithCompleteInput", d.name)
	}
}

var (
	checkIDRe  = regexp.MustCompile(`\b(?:workloads|secrets|network|rbac|cis|pss|org):[a-zA-Z0-9.-]*[a-zA-Z0-9]`)
	cisRangeRe = regexp.MustCompile("cis:((?:[0-9]+\\.)*)([0-9]+)`? to `?cis:((?:[0-9]+\\.)*)([0-9]+)")
)

// documentedIDs returns the check IDs a documentation section names, sorted; "cis:1.2.1 to
// cis:1.2.27" names every ID between.
func documentedIDs(t *testing.T, sec string) []string {
	t.Helper()
	ids := make(map[string]bool)
	for _, id := range checkIDRe.FindAllString(sec, -1) {
		ids[id] = true
	}
	for _, m := range cisRangeRe.FindAllStringSubmatch(sec, -1) {
		require.Equal(t, m[1], m[3], "range %q", m[0])
		from, err := strconv.Atoi(m[2])
		require.NoError(t, err)
		to, err := strconv.Atoi(m[4])
		require.NoError(t, err)
		for n := from; n <= to; n++ {
			ids[fmt.Sprintf("cis:%s%d", m[1], n)] = true
		}
	}
	return slices.Sorted(maps.Keys(ids))
}

func statuses(lines []string) []string {
	out := []string{}
	for _, l := range lines {
		i := strings.LastIndex(l, "|")
		out = append(out, l[:i])
	}
	sort.Strings(out)
	return out
}

// TestCompleteInputVerdicts: under WithCompleteInput a reference that names nothing the
// manifests hold names nothing in the cluster, as from a cluster listed completely; without
// it, the same reference cannot be judged.
func TestCompleteInputVerdicts(t *testing.T) {
	for _, tt := range []struct {
		fixture, checkID string
		def, complete    []string // status|object, sorted
	}{
		{"workloads.yaml", "network:namespace-default-deny",
			[]string{"notEvaluated|"}, []string{"fail|Namespace shop"}},
		{"workloads.yaml", "cis:5.3.2",
			[]string{"notEvaluated|"}, []string{"fail|Namespace shop"}},
		{"workloads.yaml", "network:workload-ingress-isolation",
			[]string{"notEvaluated|"}, []string{"fail|Deployment shop/web", "fail|Pod shop/lone"}},
		// NetworkPolicy shop/db-only, Service shop/db and Ingress shop/web name pods and a
		// Service the manifests lack.
		{"network.yaml", "network:policy-selects-nothing",
			[]string{"notEvaluated|NetworkPolicy shop/db-only"}, []string{"fail|NetworkPolicy shop/db-only"}},
		{"network.yaml", "network:dangling-services",
			[]string{"notEvaluated|Service shop/db"}, []string{"fail|Service shop/db"}},
		{"network.yaml", "network:dangling-ingresses",
			[]string{"notEvaluated|Ingress shop/web"}, []string{"fail|Ingress shop/web"}},
		// Deployment shop/web runs as service account web, which the manifests lack.
		{"workloads.yaml", "cis:5.1.6",
			[]string{"fail|Pod shop/lone", "notEvaluated|Deployment shop/web"},
			[]string{"fail|Deployment shop/web", "fail|Pod shop/lone"}},
		// Pod team/p runs as service account default, which only the control plane defines.
		{"default-sa.yaml", "cis:5.1.6",
			[]string{"notEvaluated|Pod team/p"}, []string{"fail|Pod team/p"}},
		{"default-sa.yaml", "workloads:workload-default-sa",
			[]string{"notEvaluated|Pod team/p"}, []string{"fail|Pod team/p"}},
		{"workloads.yaml", "workloads:missing-serviceaccount",
			[]string{"notEvaluated|Deployment shop/web", "pass|Pod shop/lone"},
			[]string{"fail|Deployment shop/web", "pass|Pod shop/lone"}},
		// No LimitRange in the manifests: one of the cluster may set the missing limits.
		{"workloads.yaml", "workloads:resource-limits",
			[]string{"notEvaluated|Deployment shop/web", "notEvaluated|Pod shop/lone"},
			[]string{"fail|Deployment shop/web", "fail|Pod shop/lone"}},
		// Deployment shop/web reads ConfigMaps settings and more-settings, which the
		// manifests lack: the pod gets no value from them.
		{"workloads.yaml", "secrets:env-credentials",
			[]string{"notEvaluated|Deployment shop/web", "pass|Pod shop/lone"},
			[]string{"pass|Deployment shop/web", "pass|Pod shop/lone"}},
		{"workloads.yaml", "cis:5.4.1",
			[]string{"notEvaluated|Deployment shop/web", "pass|Pod shop/lone"},
			[]string{"pass|Deployment shop/web", "pass|Pod shop/lone"}},
		// Secret vault/forgotten: nothing in the manifests names it, and no RBAC object is there.
		{"secrets.yaml", "secrets:unreferenced",
			[]string{"notEvaluated|Secret vault/forgotten"}, []string{"fail|Secret vault/forgotten"}},
		{"secrets.yaml", "secrets:readers",
			[]string{"notEvaluated|"}, []string{"pass|"}},
		// No workload at all: service account ops/idle, bound to a Role, runs nothing.
		{"rbac.yaml", "rbac:unused-serviceaccount",
			[]string{"notEvaluated|"}, []string{"fail|ServiceAccount ops/idle"}},
		{"rbac.yaml", "rbac:missing-role",
			[]string{"fail|RoleBinding ops/dangling", "notEvaluated|"}, []string{"fail|RoleBinding ops/dangling"}},
	} {
		t.Run(tt.fixture+" "+tt.checkID, func(t *testing.T) {
			path := filepath.Join("testdata", "complete", tt.fixture)
			def := verdicts(t, []string{path})
			require.Contains(t, def, tt.checkID)
			assert.Equal(t, tt.def, statuses(def[tt.checkID]), "default: %q", def[tt.checkID])
			complete := verdicts(t, []string{path}, inventory.WithCompleteInput())
			assert.Equal(t, tt.complete, statuses(complete[tt.checkID]), "complete: %q", complete[tt.checkID])
		})
	}
}

// TestManifestLoadFailureNotAPass: a pod specification that failed to load is unseen in
// manifests as in a cluster, declared complete or not: the CIS checks over pod
// specifications and over namespace default report notEvaluated beside their verdicts on
// what loaded, never a pass for the whole.
func TestManifestLoadFailureNotAPass(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(`apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  automountServiceAccountToken: false
  containers: [{name: app, image: registry.example.com/ok:1.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: default}
spec: {replicas: "many"}
`), 0o600))
	for _, complete := range []bool{false, true} {
		var opts []inventory.ManifestOption
		if complete {
			opts = append(opts, inventory.WithCompleteInput())
		}
		got := verdicts(t, []string{dir}, opts...)
		for _, id := range []string{"cis:5.2.2", "cis:5.1.6", "cis:5.6.4"} {
			require.Contains(t, got, id)
			assert.Contains(t, statuses(got[id]), "notEvaluated|", "complete=%v %s: %q", complete, id, got[id])
		}
	}
}
