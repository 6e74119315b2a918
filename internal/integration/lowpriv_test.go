//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kspm-dev/kspm/benchmark/rbac"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/testcluster"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// grantList gives subject the list verb on kinds, cluster-wide, and waits until the
// authorizer has seen the grant.
func grantList(t *testing.T, cs kubernetes.Interface, subject rbacv1.Subject, kinds ...schema.GroupKind) {
	t.Helper()
	ctx := t.Context()
	name := freshName("kspm-list")
	var rules []rbacv1.PolicyRule
	for _, gk := range kinds {
		k, ok := inventory.LookupKind(gk)
		require.True(t, ok, gk)
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{k.Group}, Resources: []string{k.Resource}, Verbs: []string{"list"}})
	}
	_, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{subject},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	last, _ := inventory.LookupKind(kinds[len(kinds)-1])
	require.Eventually(t, func() bool {
		sar, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: subject.Name, ResourceAttributes: &authorizationv1.ResourceAttributes{
				Verb: "list", Group: last.Group, Resource: last.Resource}},
		}, metav1.CreateOptions{})
		return err == nil && sar.Status.Allowed
	}, 10*time.Second, 50*time.Millisecond, "the authorizer never saw the grant")
}

// TestLowPrivilegeScan scans as a user who may list pods, namespaces and deployments only:
// the scan completes, the other kinds are Forbidden, and no check passes anything whose
// verdict depends on what the user could not see.
func TestLowPrivilegeScan(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	ns := newNamespace(t, cs, "lowpriv")
	// Objects for the checks to look at: a namespace without NetworkPolicy (which must not pass
	// for someone who cannot list NetworkPolicies), a workload, a bare pod, and RBAC.
	_, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.example.com/web:1.0"}}},
			},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "debug"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "sh", Image: "busybox:1.36",
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "everyone-admin"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:authenticated"}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	allowed := []schema.GroupKind{inventory.KindNamespace, inventory.KindPod, inventory.KindDeployment}
	grantList(t, cs, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: testcluster.LowPrivUser}, allowed...)

	inv, err := inventory.FromConfig(ctx, lowPrivConfig())
	require.NoError(t, err, "the load goes on past forbidden kinds")
	var forbidden []inventory.KindInfo
	for _, k := range inventory.BuiltinKinds() {
		c := inv.Coverage(k.GroupKind())
		if c.GroupKind() == inventory.KindNamespace || c.GroupKind() == inventory.KindPod || c.GroupKind() == inventory.KindDeployment {
			assert.Equal(t, inventory.Listed, c.State, k.Kind)
			continue
		}
		forbidden = append(forbidden, k)
		assert.Equal(t, inventory.Forbidden, c.State, k.Kind)
		assert.Contains(t, c.Reason, fmt.Sprintf("cannot list resource %q in API group %q", k.Resource, k.Group), k.Kind)
	}
	var errKinds, wantKinds []string
	for _, e := range inv.Errors() {
		var le *inventory.ListError
		require.ErrorAs(t, e, &le)
		errKinds = append(errKinds, le.Kind.String())
	}
	for _, k := range forbidden {
		wantKinds = append(wantKinds, k.GroupKind().String())
	}
	assert.Equal(t, wantKinds, errKinds, "one error per forbidden kind, in BuiltinKinds order")
	require.NotNil(t, inv.Get(inventory.KindPod, ns, "debug"))

	bms := benchmarks(t)
	metas := checksByID(bms)
	low := scan(t, inv, bms)
	adminInv, err := inventory.FromConfig(ctx, adminConfig())
	require.NoError(t, err)
	require.Empty(t, adminInv.Errors())
	admin := scan(t, adminInv, bms)

	// Zero false passes: whatever the low-privilege scan passes, the admin scan (which saw
	// everything) passes too and fails nowhere on the same check and object.
	adminPass, adminNotPass := map[string]bool{}, map[string]bool{}
	for _, r := range admin.Results {
		if r.Status == check.StatusPass {
			adminPass[subjectKey(r)] = true
		} else {
			adminNotPass[subjectKey(r)] = true
		}
	}
	byCheck := map[string][]check.Result{}
	for _, r := range low.Results {
		byCheck[r.CheckID] = append(byCheck[r.CheckID], r)
		if r.Status != check.StatusPass {
			continue
		}
		assert.True(t, adminPass[subjectKey(r)] && !adminNotPass[subjectKey(r)],
			"false pass with less visibility: %s (admin scan: pass=%v, other=%v)", resultKey(r),
			adminPass[subjectKey(r)], adminNotPass[subjectKey(r)])
	}

	// Every check whose verdicts require a kind the user could not list says notEvaluated,
	// and nothing else.
	complete := func(gk schema.GroupKind) bool { return inv.Coverage(gk).Complete() }
	requiresUnseen := 0
	for id, m := range metas {
		var unseen []string
		for _, gk := range m.Requires {
			if !complete(gk) {
				unseen = append(unseen, gk.String())
			}
		}
		if len(unseen) == 0 || m.Manual {
			continue
		}
		requiresUnseen++
		rs := byCheck[id]
		require.NotEmpty(t, rs, "%s: no result", id)
		for _, r := range rs {
			assert.Equal(t, check.StatusNotEvaluated, r.Status, "%s requires %v: %s", id, unseen, resultKey(r))
		}
	}
	assert.Positive(t, requiresUnseen)
	t.Logf("%d checks; %d require a kind the user could not list; results as the user %v, as admin %v",
		len(metas), requiresUnseen, low.Summary.ByStatus, admin.Summary.ByStatus)
	// Every check that reports on a kind the user could not list says so.
	for id, m := range metas {
		var unseen []string
		for _, gk := range m.Kinds {
			if _, builtin := inventory.LookupKind(gk); builtin && !complete(gk) {
				unseen = append(unseen, gk.String())
			}
		}
		if len(unseen) == 0 || m.Manual {
			continue
		}
		n := 0
		for _, r := range byCheck[id] {
			if r.Status == check.StatusNotEvaluated {
				n++
			}
		}
		assert.Positive(t, n, "%s reports on %v, which the user could not list, yet no result says notEvaluated", id, unseen)
	}
	// The named cases: the namespace has no NetworkPolicy, and RBAC was unreadable.
	for _, r := range byCheck["network:namespace-default-deny"] {
		assert.Equal(t, check.StatusNotEvaluated, r.Status, resultKey(r))
	}
	require.NotEmpty(t, byCheck["network:namespace-default-deny"])
	for _, c := range rbac.RBAC().Checks {
		rs := byCheck[c.Meta().ID]
		require.NotEmpty(t, rs, c.Meta().ID)
		for _, r := range rs {
			assert.NotEqual(t, check.StatusPass, r.Status, resultKey(r))
		}
	}
	// The admin scan does find what the low-privilege scan could not judge.
	assert.Contains(t, failingSubjects(admin, "network:namespace-default-deny"), "network:namespace-default-deny | Namespace "+ns)

	// The scanner completes, says which permissions it lacked, and exits 2 (load errors).
	stdout, stderr, code := runScanner(t, "--kubeconfig", cluster.LowPrivKubeconfig, "-o", "json")
	assert.Equal(t, 2, code, "exit code with forbidden kinds; stderr:\n%s", stderr)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), "stdout is the JSON report")
	assert.NotEmpty(t, rep.Results)
	assert.Len(t, rep.Inventory.Errors, len(forbidden))
	// By group and kind: CNI plugins have kinds named NetworkPolicy too.
	states := map[string]inventory.State{}
	for _, c := range rep.Inventory.Coverage {
		states[c.Group+"/"+c.Kind] = c.State
	}
	last := -1
	for _, k := range forbidden {
		assert.Equal(t, inventory.Forbidden, states[k.Group+"/"+k.Kind], k.Kind)
		msg := fmt.Sprintf("cannot list resource %q in API group %q", k.Resource, k.Group)
		i := strings.Index(stderr, msg)
		assert.Greater(t, i, last, "the scanner names each missing permission, in a stable order: %s", msg)
		last = i
	}
	// And closes with one line of what to grant.
	assert.Regexp(t, `missing permissions: list configmaps, .*list secrets, .*notEvaluated`, stderr)
	assert.Contains(t, stderr, "list clusterroles.rbac.authorization.k8s.io")
	assert.NotContains(t, stderr, "list pods,", "pods were allowed")
	t.Logf("scanner stderr as the low-privilege user:\n%s", firstLines(stderr, 6))
}

// failingSubjects returns the subject keys of the failing results of a check.
func failingSubjects(rep *report.Report, checkID string) []string {
	var out []string
	for _, r := range rep.Results {
		if r.CheckID == checkID && r.Status == check.StatusFail {
			out = append(out, subjectKey(r))
		}
	}
	return out
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}
