package rbac

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// want is one expected finding: status, the object's reference ("" for none), the field, and
// text the message must contain.
type want struct {
	status   check.Status
	object   string
	field    string
	contains []string
}

func pass(contains ...string) want { return want{status: check.StatusPass, contains: contains} }

func notEvaluated(contains ...string) want {
	return want{status: check.StatusNotEvaluated, contains: contains}
}

func fail(object, field string, contains ...string) want {
	return want{status: check.StatusFail, object: object, field: field, contains: contains}
}

// mode says how a fixture becomes an inventory.
type mode int

const (
	// asManifests: as read from the manifests.
	asManifests mode = iota
	// asCluster: as if listed from a cluster holding exactly these objects, every built-in
	// kind listed completely.
	asCluster
)

func load(t *testing.T, path string, m mode) *inventory.Inventory {
	t.Helper()
	return loadForbidding(t, path, m)
}

// loadForbidding loads a fixture; as a cluster, the kinds forbidden could not be listed.
func loadForbidding(t *testing.T, path string, m mode, forbidden ...schema.GroupKind) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.LoadManifests(context.Background(), []string{path})
	require.NoError(t, err)
	require.Empty(t, inv.Errors(), "fixture %s", path)
	if m == asManifests {
		return inv
	}
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		c := inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed}
		if slices.Contains(forbidden, k.GroupKind()) {
			c.State, c.Reason = inventory.Forbidden, "the scanner may not list them"
		}
		b.SetCoverage(c)
	}
	for _, o := range inv.Objects() {
		if !slices.Contains(forbidden, o.GroupKind()) {
			require.NoError(t, b.Add(o.Object(), o.Source()))
		}
	}
	return b.Build()
}

// findCheck returns the benchmark's check with the given ID.
func findCheck(t *testing.T, id string) check.Check {
	t.Helper()
	for _, c := range RBAC().Checks {
		if c.Meta().ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return nil
}

// run runs c over inv as the runner does (Requires honoured) and returns its findings
// ordered by object.
func run(t *testing.T, c check.Check, inv *inventory.Inventory, params map[string]any) []check.Finding {
	t.Helper()
	meta := c.Meta()
	if reason := inv.Unseen(meta.Requires...); reason != "" {
		return []check.Finding{{Status: check.StatusNotEvaluated, Message: "cannot be evaluated: " + reason}}
	}
	var out []check.Finding
	p := check.NewPass(inv, meta, params, func(f check.Finding) { out = append(out, f) })
	require.NoError(t, c.Run(context.Background(), p))
	slices.SortStableFunc(out, func(a, b check.Finding) int {
		return cmp.Compare(refOf(a), refOf(b))
	})
	return out
}

func refOf(f check.Finding) string {
	if f.Object == nil {
		return ""
	}
	return f.Object.String()
}

func assertFindings(t *testing.T, got []check.Finding, wants []want) {
	t.Helper()
	var lines []string
	for _, f := range got {
		lines = append(lines, string(f.Status)+" "+refOf(f)+" "+f.Field+": "+f.Message)
	}
	require.Len(t, got, len(wants), "findings:\n%s", strings.Join(lines, "\n"))
	for i, w := range wants {
		f := got[i]
		assert.Equal(t, w.status, f.Status, "finding %d: %s", i, lines[i])
		assert.Equal(t, w.object, refOf(f), "finding %d: %s", i, lines[i])
		assert.Equal(t, w.field, f.Field, "finding %d: %s", i, lines[i])
		for _, c := range w.contains {
			assert.Contains(t, f.Message, c, "finding %d", i)
		}
	}
}

// fixtureTest runs a check over testdata/NAME/pass.yaml and fail.yaml.
type fixtureTest struct {
	mode       mode
	params     map[string]any
	passWants  []want
	failWants  []want
	failParams map[string]any
}

func (ft fixtureTest) run(t *testing.T, id string) {
	t.Helper()
	c := findCheck(t, id)
	dir := filepath.Join("testdata", strings.TrimPrefix(id, "rbac:"))
	t.Run("pass", func(t *testing.T) {
		assertFindings(t, run(t, c, load(t, filepath.Join(dir, "pass.yaml"), ft.mode), ft.params), ft.passWants)
	})
	t.Run("fail", func(t *testing.T) {
		assertFindings(t, run(t, c, load(t, filepath.Join(dir, "fail.yaml"), ft.mode), ft.params), ft.failWants)
	})
}

func TestBenchmarkValidates(t *testing.T) {
	b := RBAC()
	require.NoError(t, b.Validate())
	assert.Equal(t, "rbac", b.Name)
	for _, c := range b.Checks {
		m := c.Meta()
		assert.True(t, strings.HasPrefix(m.ID, "rbac:"), m.ID)
		assert.Equal(t, Section, m.Section, m.ID)
		assert.NotEmpty(t, m.Description, m.ID)
		assert.NotEmpty(t, m.References, m.ID)
	}
}

// TestEveryCheckHasFixtures keeps the rule: a check comes with pass and fail fixtures and a
// file of its own.
func TestEveryCheckHasFixtures(t *testing.T) {
	for _, c := range RBAC().Checks {
		name := strings.TrimPrefix(c.Meta().ID, "rbac:")
		for _, f := range []string{"pass.yaml", "fail.yaml"} {
			_, err := os.Stat(filepath.Join("testdata", name, f))
			assert.NoError(t, err, "check %s lacks fixture %s", c.Meta().ID, f)
		}
	}
}

// TestDefaultsAreNotFindings runs every check over a cluster holding only the RBAC defaults
// of the API server and kubeadm (the real ones, and an abridged set): nothing fails, and
// every check passes.
func TestDefaultsAreNotFindings(t *testing.T) {
	for name, inv := range map[string]*inventory.Inventory{
		"real":     overDefaults(t, ""),
		"abridged": load(t, filepath.Join("testdata", "defaults", "cluster.yaml"), asCluster),
	} {
		for _, c := range RBAC().Checks {
			t.Run(name+"/"+c.Meta().ID, func(t *testing.T) {
				got := run(t, c, inv, nil)
				require.Len(t, got, 1, "%v", got)
				assert.Equal(t, check.StatusPass, got[0].Status, got[0].Message)
			})
		}
	}
	t.Run("without the default allow-list they are findings", func(t *testing.T) {
		got := run(t, findCheck(t, "rbac:secrets-read-cluster-wide"), overDefaults(t, ""), map[string]any{ParamDefaultAllowList: false})
		var failed []string
		for _, f := range got {
			if f.Status == check.StatusFail {
				failed = append(failed, refOf(f)+" "+f.Field)
			}
		}
		assert.Equal(t, []string{
			"ClusterRoleBinding cluster-admin subjects[0]",
			"ClusterRoleBinding kubeadm:cluster-admins subjects[0]",
			"ClusterRoleBinding system:controller:generic-garbage-collector subjects[0]",
			"ClusterRoleBinding system:controller:namespace-controller subjects[0]",
			"ClusterRoleBinding system:controller:resourcequota-controller subjects[0]",
			"ClusterRoleBinding system:controller:storage-version-migrator-controller subjects[0]",
			"ClusterRoleBinding system:kube-controller-manager subjects[0]",
		}, failed)
	})
}

func TestAllowParam(t *testing.T) {
	inv := load(t, filepath.Join("testdata", "cluster-admin-binding", "fail.yaml"), asManifests)
	c := findCheck(t, "rbac:cluster-admin-binding")
	got := run(t, c, inv, map[string]any{ParamAllow: []any{
		"ClusterRoleBinding ops-admin -> ClusterRole cluster-admin -> *",
		"RoleBinding team-a/* -> ClusterRole cluster-admin -> ServiceAccount team-a/deployer",
	}})
	assertFindings(t, got, []want{pass("no binding outside the allow-list")})

	p := findCheck(t, "rbac:create-pods")
	_, err := allowListFrom(map[string]any{ParamAllow: []any{"nonsense"}})
	assert.ErrorIs(t, err, errBadParam)
	pp := check.NewPass(inv, p.Meta(), map[string]any{ParamAllow: "not a list"}, func(check.Finding) {})
	assert.ErrorIs(t, p.Run(context.Background(), pp), errBadParam)
	pp = check.NewPass(inv, p.Meta(), map[string]any{ParamDefaultAllowList: "yes"}, func(check.Finding) {})
	assert.ErrorIs(t, p.Run(context.Background(), pp), errBadParam)
}

func TestAllowEntry(t *testing.T) {
	a, err := ParseAllowEntry(" RoleBinding ns/x ->Role r->  User u ")
	require.NoError(t, err)
	assert.Equal(t, AllowEntry{Binding: "RoleBinding ns/x", Role: "Role r", Subject: "User u"}, a)
	assert.Equal(t, "RoleBinding ns/x -> Role r -> User u", a.String())
	for _, e := range DefaultAllowList() {
		b, err := ParseAllowEntry(e.String())
		require.NoError(t, err)
		assert.Equal(t, e, b)
	}
	assert.True(t, matchPattern("system:controller:*", "system:controller:x"))
	assert.True(t, matchPattern("*", "anything"))
	assert.True(t, matchPattern("", "anything"))
	assert.False(t, matchPattern("system:controller:x", "system:controller:xy"))
}

// TestEngineSharedAcrossChecks: the checks of one benchmark build one engine per inventory.
func TestEngineSharedAcrossChecks(t *testing.T) {
	c := &engineCache{}
	inv := load(t, filepath.Join("testdata", "defaults", "cluster.yaml"), asCluster)
	e1 := c.get(inv)
	assert.Same(t, e1, c.get(inv))
	other := load(t, filepath.Join("testdata", "defaults", "cluster.yaml"), asCluster)
	e2 := c.get(other)
	assert.NotSame(t, e1, e2)

	// An inventory derived from it with the RBAC objects unchanged keeps its engine; one whose
	// RBAC objects changed gets a new one.
	derived, err := other.With(inventory.Put(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "new", Namespace: "ns"}}))
	require.NoError(t, err)
	assert.Same(t, e2, c.get(derived))
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "new"}}
	changed, err := derived.With(inventory.Put(role))
	require.NoError(t, err)
	e3 := c.get(changed)
	assert.NotSame(t, e2, e3)
	assert.Same(t, changed, e3.Inventory())
}

// TestIncompleteKnowledgeIsNotAPass: when RBAC objects or roles are not completely known,
// no check passes; it reports notEvaluated with the reason, and still reports what it found.
func TestIncompleteKnowledgeIsNotAPass(t *testing.T) {
	fixture := func(name, file string) string { return filepath.Join("testdata", name, file) }
	tests := []struct {
		name  string
		check string
		inv   func(t *testing.T) *inventory.Inventory
		wants []want
	}{
		{
			name:  "ClusterRoleBindings forbidden",
			check: "rbac:secrets-read-namespaced",
			inv: func(t *testing.T) *inventory.Inventory {
				return loadForbidding(t, fixture("secrets-read-namespaced", "pass.yaml"), asCluster, inventory.KindClusterRoleBinding)
			},
			wants: []want{notEvaluated("cannot tell", "clusterrolebindings forbidden: the scanner may not list them")},
		},
		{
			name:  "ClusterRoles forbidden, a grant found all the same",
			check: "rbac:secrets-read-namespaced",
			inv: func(t *testing.T) *inventory.Inventory {
				return loadForbidding(t, fixture("secrets-read-namespaced", "fail.yaml"), asCluster, inventory.KindClusterRole)
			},
			// The binding's ClusterRole is not known, so its grant is not either.
			wants: []want{notEvaluated("cannot tell", "clusterroles forbidden")},
		},
		{
			name:  "Roles forbidden, a ClusterRole grant found",
			check: "rbac:secrets-read-namespaced",
			inv: func(t *testing.T) *inventory.Inventory {
				return loadForbidding(t, fixture("secrets-read-namespaced", "fail.yaml"), asCluster, inventory.KindRole)
			},
			wants: []want{
				notEvaluated("there may be more than the failures reported", "roles forbidden"),
				fail("RoleBinding shop/app-secrets", "subjects[0]", "ServiceAccount shop/app can get, watch secrets"),
			},
		},
		{
			name:  "a binding to a built-in role the manifests lack",
			check: "rbac:create-pods",
			inv: func(t *testing.T) *inventory.Inventory {
				return load(t, fixture("default-serviceaccount-bindings", "fail.yaml"), asCluster)
			},
			// As a cluster, "edit" and "view" are missing and grant nothing: a pass.
			wants: []want{pass()},
		},
		{
			name:  "a binding to a built-in role the manifests lack, as manifests",
			check: "rbac:create-pods",
			inv: func(t *testing.T) *inventory.Inventory {
				b := inventory.NewBuilder(inventory.ModeManifests)
				src := load(t, fixture("default-serviceaccount-bindings", "fail.yaml"), asManifests)
				for _, o := range src.Objects() {
					require.NoError(t, b.Add(o.Object(), o.Source()))
				}
				for _, k := range []schema.GroupKind{inventory.KindRole, inventory.KindClusterRole} {
					b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Loaded})
				}
				return b.Build()
			},
			wants: []want{notEvaluated("cannot tell", "ClusterRole view is a built-in role that the input does not define")},
		},
		{
			name:  "service accounts not known",
			check: "rbac:missing-serviceaccount",
			inv: func(t *testing.T) *inventory.Inventory {
				return loadForbidding(t, fixture("missing-serviceaccount", "fail.yaml"), asCluster, inventory.KindServiceAccount)
			},
			wants: []want{notEvaluated("serviceaccounts forbidden")},
		},
		{
			name:  "workloads not known",
			check: "rbac:unused-serviceaccount",
			inv: func(t *testing.T) *inventory.Inventory {
				return loadForbidding(t, fixture("unused-serviceaccount", "fail.yaml"), asCluster, inventory.KindCronJob)
			},
			wants: []want{notEvaluated("cronjobs forbidden")},
		},
		{
			name:  "workloads not known, risky workloads found",
			check: "rbac:workload-serviceaccount",
			inv: func(t *testing.T) *inventory.Inventory {
				return loadForbidding(t, fixture("workload-serviceaccount", "fail.yaml"), asCluster, inventory.KindDaemonSet)
			},
			wants: []want{
				notEvaluated("there may be more", "daemonsets forbidden"),
				fail("CronJob batch/report", "spec.jobTemplate.spec.template.spec.serviceAccountName"),
				fail("Deployment shop/web", "spec.template.spec.serviceAccountName"),
				fail("Pod shop/debug", "spec.serviceAccountName"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, run(t, findCheck(t, tt.check), tt.inv(t), nil), tt.wants)
		})
	}
}

// TestChecksRunConcurrently runs every check at once on one inventory, as the runner may:
// the shared engine is built once and read concurrently (run with -race).
func TestChecksRunConcurrently(t *testing.T) {
	inv := load(t, filepath.Join("testdata", "workload-serviceaccount", "fail.yaml"), asCluster)
	bm := RBAC()
	results := make([][]check.Finding, len(bm.Checks))
	var wg sync.WaitGroup
	for i, c := range bm.Checks {
		wg.Go(func() {
			p := check.NewPass(inv, c.Meta(), nil, func(f check.Finding) { results[i] = append(results[i], f) })
			assert.NoError(t, c.Run(context.Background(), p))
		})
	}
	wg.Wait()
	for i, c := range bm.Checks {
		assert.Equal(t, len(run(t, c, inv, nil)), len(results[i]), c.Meta().ID)
	}
}
