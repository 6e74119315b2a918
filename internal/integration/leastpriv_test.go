//go:build integration

package integration

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
	"github.com/kspm-dev/kspm/report"
)

// TestLeastPrivilege applies examples/deploy's ServiceAccount, ClusterRole and binding (in a
// fresh namespace), authenticates as the ServiceAccount with a token from the TokenRequest
// API, and shows that the role is enough for a full scan: no kind is forbidden, and the
// results equal cluster-admin's.
func TestLeastPrivilege(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	deploy := filepath.Join(repoRoot(), "examples", "deploy")
	manifests, err := inventory.LoadManifests(ctx, []string{filepath.Join(deploy, "rbac.yaml"), filepath.Join(deploy, "cronjob.yaml")})
	require.NoError(t, err)
	require.Empty(t, manifests.Errors())

	// Fresh names for everything the manifests name.
	ns := freshName("kspm")
	suffix := "-" + ns
	nsObj := manifests.Namespaces()
	require.Len(t, nsObj, 1)
	n := nsObj[0].DeepCopy()
	n.Name = ns
	_, err = cs.CoreV1().Namespaces().Create(ctx, n, metav1.CreateOptions{})
	require.NoError(t, err)
	require.Len(t, manifests.ServiceAccounts(), 1)
	sa := manifests.ServiceAccounts()[0].DeepCopy()
	sa.Namespace = ns
	_, err = cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	// Both roles: list on every kind, and (optional) get on nodes/proxy for kubelet /configz.
	require.Len(t, manifests.ClusterRoles(), 2)
	require.Len(t, manifests.ClusterRoleBindings(), 2)
	for _, crb := range manifests.ClusterRoleBindings() {
		require.Len(t, crb.Subjects, 1)
		require.Equal(t, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: manifests.Namespaces()[0].Name}, crb.Subjects[0])
	}
	createClusterRBAC(t, cs, manifests, suffix, ns)

	// The CronJob is valid for the API server, and its pod passes the namespace's Pod
	// Security level (restricted).
	require.Len(t, manifests.CronJobs(), 1)
	cj := manifests.CronJobs()[0].DeepCopy()
	cj.Namespace = ns
	_, err = cs.BatchV1().CronJobs(ns).Create(ctx, cj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err)
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "kspm-scan-now"}, Spec: cj.Spec.JobTemplate.Spec}
	_, err = cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "kspm-scan-pod"}, Spec: cj.Spec.JobTemplate.Spec.Template.Spec}
	_, err = cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err, "the scanner's pod is admitted in a restricted namespace")

	saUser := authz.ServiceAccountUser(ns, sa.Name)
	require.Eventually(t, func() bool {
		ok, err := sar(t, cs, saUser, &authorizationv1.ResourceAttributes{Verb: "list", Group: "admissionregistration.k8s.io",
			Resource: "validatingadmissionpolicybindings"}, nil)
		return err == nil && ok
	}, 10*time.Second, 50*time.Millisecond, "the authorizer never saw the binding")
	require.Eventually(t, func() bool {
		ok, err := sar(t, cs, saUser, &authorizationv1.ResourceAttributes{Verb: "get", Resource: "nodes", Subresource: "proxy", Name: "any-node"}, nil)
		return err == nil && ok
	}, 10*time.Second, 50*time.Millisecond, "the kubelet-config role lets the scanner read /configz")
	cfg := serviceAccountConfig(t, cs, ns, sa.Name)

	inv, err := inventory.FromConfig(ctx, cfg, inventory.WithKubeletConfigz(0))
	require.NoError(t, err)
	assert.Empty(t, inv.Errors())
	for _, c := range inv.CoverageAll() {
		assert.True(t, c.State == inventory.Listed || c.State == inventory.NotServed, "%s: %s %s", c.Kind, c.State, c.Reason)
	}
	adminInv, err := inventory.FromConfig(ctx, adminConfig(), inventory.WithKubeletConfigz(0))
	require.NoError(t, err)
	assert.Equal(t, adminInv.CoverageAll(), inv.CoverageAll(), "the same kinds and counts")

	bms := benchmarks(t)
	asSA, asAdmin := scan(t, inv, bms), scan(t, adminInv, bms)
	keys := func(rep *report.Report) []string {
		var out []string
		for _, r := range rep.Results {
			out = append(out, resultKey(r))
		}
		slices.Sort(out)
		return out
	}
	assert.Equal(t, keys(asAdmin), keys(asSA), "the ServiceAccount's scan gives cluster-admin's results")
	assert.Positive(t, asSA.Summary.ByStatus[check.StatusPass])

	// The scanner, run with the CronJob's arguments as the ServiceAccount, completes cleanly.
	args := append(slices.Clone(cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args), "--kubeconfig", writeKubeconfig(t, cfg))
	stdout, stderr, code := runScanner(t, args...)
	assert.Equal(t, 0, code, "stderr:\n%s", stderr)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), "the CronJob's args ask for JSON")
	assert.Empty(t, rep.Inventory.Errors)
	// The scanner also lists namespace default's other resources, which the role does not
	// grant: the two checks about what default holds are not evaluated, naming them; the
	// library scans, which do not list them, are not evaluated for want of the listing.
	aboutDefault := map[string]bool{"workloads:default-namespace": true, "cis:5.6.4": true}
	others := func(keys []string) []string {
		return slices.DeleteFunc(keys, func(k string) bool { return aboutDefault[strings.SplitN(k, " | ", 2)[0]] })
	}
	for _, r := range rep.Results {
		if aboutDefault[r.CheckID] && r.Object == nil {
			assert.Equal(t, check.StatusNotEvaluated, r.Status, "%s: %s", r.CheckID, r.Message)
			assert.Contains(t, r.Message, "forbidden: ", r.CheckID)
		}
	}
	assert.Equal(t, others(keys(asAdmin)), others(keys(&rep)), "the scanner's results equal the library scan's")
}
