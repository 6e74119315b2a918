//go:build integration

package integration

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/cis"
	"github.com/kspm-dev/kspm/benchmark/rbac"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/rbacdefaults"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

var updateBootstrap = flag.Bool("update", false, "rewrite internal/rbacdefaults/apiserver.yaml from the API server")

// bootstrapHeader heads internal/rbacdefaults/apiserver.yaml.
const bootstrapHeader = `The RBAC objects kube-apiserver creates at startup: its bootstrap policy, every ClusterRole,
ClusterRoleBinding, Role and RoleBinding it labels kubernetes.io/bootstrapping=rbac-defaults
(that label and the autoupdate annotation left out), with default feature gates. Written from
a real API server (the version hack/build-controlplane.sh builds) by
  go test -tags integration -run TestBootstrapPolicyMatchesServer ./internal/integration -update
which, without -update, checks that this file still equals what the server creates. Aggregated
ClusterRoles (admin, edit, view) hold no rules until the controller manager fills them in.`

// TestBootstrapPolicyMatchesServer keeps the embedded bootstrap policy honest: it equals
// what a real kube-apiserver creates, object for object (compared in the file's canonical
// form, so a difference shows as a diff of the file).
func TestBootstrapPolicyMatchesServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs := adminClient(t)
	opts := metav1.ListOptions{LabelSelector: rbacdefaults.LabelBootstrapping + "=rbac-defaults"}
	var objs []runtime.Object
	crs, err := cs.RbacV1().ClusterRoles().List(ctx, opts)
	require.NoError(t, err)
	for i := range crs.Items {
		objs = append(objs, &crs.Items[i])
	}
	crbs, err := cs.RbacV1().ClusterRoleBindings().List(ctx, opts)
	require.NoError(t, err)
	for i := range crbs.Items {
		objs = append(objs, &crbs.Items[i])
	}
	roles, err := cs.RbacV1().Roles(metav1.NamespaceAll).List(ctx, opts)
	require.NoError(t, err)
	for i := range roles.Items {
		objs = append(objs, &roles.Items[i])
	}
	rbs, err := cs.RbacV1().RoleBindings(metav1.NamespaceAll).List(ctx, opts)
	require.NoError(t, err)
	for i := range rbs.Items {
		objs = append(objs, &rbs.Items[i])
	}
	require.NotEmpty(t, crs.Items)
	require.NotEmpty(t, rbs.Items)

	fromServer, err := rbacdefaults.Encode(bootstrapHeader, objs)
	require.NoError(t, err)
	path := filepath.Join(repoRoot(), "internal", "rbacdefaults", "apiserver.yaml")
	if *updateBootstrap {
		require.NoError(t, os.WriteFile(path, fromServer, 0o644))
		t.Logf("wrote %s: %d objects", path, len(objs))
		return
	}
	onDisk, err := os.ReadFile(path)
	require.NoError(t, err)
	// The embedded copy is that file: a stale binary cannot pass.
	embedded, err := rbacdefaults.Encode(bootstrapHeader, rbacdefaults.APIServer().Objects())
	require.NoError(t, err)
	for name, data := range map[string][]byte{path: onDisk, "the embedded policy": embedded} {
		if missing, extra := lineDiff(fromServer, data); len(missing)+len(extra) > 0 {
			t.Errorf("%s differs from what the API server creates (check the difference, then rerun with -update):\n"+
				"lines only the server has:\n%s\nlines only the file has:\n%s", name, strings.Join(missing, "\n"), strings.Join(extra, "\n"))
		}
	}
}

// TestBootstrapPolicyIsNotAFinding scans the server's RBAC objects as they are stored (subjects
// with API groups, aggregated roles without rules, no controller's service account): the
// rbac benchmark and the CIS 5.1 controls recognise every object of the bootstrap policy as
// a default one and fail none of them. (Here the server alone sets the bootstrapping label,
// so the test may trust it; the checks do not.)
func TestBootstrapPolicyIsNotAFinding(t *testing.T) {
	inv, err := inventory.FromConfig(t.Context(), adminConfig(),
		inventory.WithKinds(append(authz.Kinds(), inventory.KindServiceAccount)...))
	require.NoError(t, err)
	defaults := map[string]bool{}
	for _, o := range inv.Objects() {
		if o.Meta().GetLabels()[rbacdefaults.LabelBootstrapping] == "rbac-defaults" {
			defaults[o.String()] = true
		}
	}
	require.Greater(t, len(defaults), 100)
	cisRBAC := cis.V112()
	cisRBAC.Checks = slices.DeleteFunc(cisRBAC.Checks, func(c check.Check) bool {
		return !strings.HasPrefix(c.Meta().ID, "cis:5.1.")
	})
	bms := []benchmark.Benchmark{rbac.RBAC(), cisRBAC}
	rep := scan(t, inv, bms)
	judged := 0
	for _, r := range rep.Results {
		if r.Object == nil || !defaults[r.Object.String()] {
			continue
		}
		judged++
		assert.NotEqual(t, check.StatusFail, r.Status, resultKey(r))
	}
	// 5.1.1 and 5.1.3 give each default binding of cluster-admin and each default role a
	// verdict of its own: the defaults were looked at, not missed.
	assert.Greater(t, judged, 50)
}

// lineDiff returns the lines of want that got lacks and those of got that want lacks, in
// order (a line counts as many times as it occurs).
func lineDiff(want, got []byte) (missing, extra []string) {
	count := func(data []byte) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(string(data), "\n") {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	for _, l := range strings.Split(string(want), "\n") {
		if g[l] > 0 {
			g[l]--
		} else {
			missing = append(missing, l)
		}
	}
	for _, l := range strings.Split(string(got), "\n") {
		if w[l] > 0 {
			w[l]--
		} else {
			extra = append(extra, l)
		}
	}
	return missing, extra
}
