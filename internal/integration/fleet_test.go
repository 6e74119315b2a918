//go:build integration

package integration

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// TestScannerFleet scans the test cluster through two contexts of one kubeconfig, as the
// admin and as a service account that may list pods and namespaces only: one fleet document,
// a report per context, each with what its user could see.
func TestScannerFleet(t *testing.T) {
	cs := adminClient(t)
	ns := newNamespace(t, cs, "fleet")
	pod := createPrivilegedPod(t, cs, ns)
	_, err := cs.CoreV1().ServiceAccounts(ns).Create(t.Context(), &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "viewer"}},
		metav1.CreateOptions{})
	require.NoError(t, err)
	// A User subject named as the service account's user name is the service account.
	grantList(t, cs, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "system:serviceaccount:" + ns + ":viewer"},
		inventory.KindPod, inventory.KindNamespace)
	viewer := serviceAccountConfig(t, cs, ns, "viewer")

	admin := adminConfig()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["test"] = &clientcmdapi.Cluster{Server: cluster.URL, CertificateAuthorityData: cluster.CAData()}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: admin.BearerToken}
	kc.AuthInfos["viewer"] = &clientcmdapi.AuthInfo{Token: viewer.BearerToken}
	kc.Contexts["admin"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "admin"}
	kc.Contexts["viewer"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "viewer"}
	kc.CurrentContext = "viewer"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*kc, path))

	t.Run("json", func(t *testing.T) {
		stdout, stderr, code := runScanner(t, "--kubeconfig", path, "--all-contexts", "-b", "workloads", "-o", "json")
		assert.Equal(t, 2, code, "the viewer's lists were refused: load errors; stderr:\n%s", firstLines(stderr, 20))
		var fleet report.Fleet
		require.NoError(t, json.Unmarshal([]byte(stdout), &fleet), firstLines(stdout, 20))
		require.Len(t, fleet.Clusters, 2)
		a, v := fleet.Clusters[0], fleet.Clusters[1]
		require.Equal(t, "admin", a.Context)
		require.Equal(t, "viewer", v.Context)
		require.NotNil(t, a.Report, a.Error)
		require.NotNil(t, v.Report, v.Error)
		assert.Equal(t, cluster.URL, a.Server)
		assert.Equal(t, cluster.URL, v.Server)

		assert.Equal(t, check.StatusFail, resultOf(a.Report, "workloads:privileged", pod))
		assert.Equal(t, check.StatusFail, resultOf(v.Report, "workloads:privileged", pod), "the viewer may list pods")
		sa := "ServiceAccount " + ns + "/default"
		assert.Equal(t, check.StatusFail, resultOf(a.Report, "workloads:default-sa-automount", sa),
			"the admin sees the service account, which leaves its token mounted")
		assert.Equal(t, check.Status(""), resultOf(v.Report, "workloads:default-sa-automount", sa),
			"the viewer cannot list service accounts: no verdict on one, and never a pass")
		assert.Empty(t, a.Report.Inventory.Errors)
		assert.NotEmpty(t, v.Report.Inventory.Errors)
		assert.Equal(t, 0, fleet.Summary.ByCluster[0].Counts.LoadErrors)
		assert.Equal(t, len(v.Report.Inventory.Errors), fleet.Summary.ByCluster[1].Counts.LoadErrors)
		assert.Greater(t, fleet.Summary.ByCluster[1].Counts.NotEvaluated, fleet.Summary.ByCluster[0].Counts.NotEvaluated,
			"what the viewer could not see is notEvaluated")
		assert.Regexp(t, `(?m)^kspm-scan: context "viewer": missing permissions: `, stderr)
		assert.NotRegexp(t, `(?m)^kspm-scan: context "admin": `, stderr)
	})

	t.Run("text", func(t *testing.T) {
		stdout, stderr, code := runScanner(t, "--kubeconfig", path, "--context", "admin,viewer", "-b", "workloads")
		assert.Equal(t, 2, code, firstLines(stderr, 20))
		assert.Equal(t, []string{`=== context "admin" (` + cluster.URL + `) ===`, `=== context "viewer" (` + cluster.URL + `) ===`},
			regexp.MustCompile(`(?m)^=== context .*$`).FindAllString(stdout, -1))
		assert.Regexp(t, `(?m)^Fleet: 2 clusters, 2 scanned, 0 not scanned$`, stdout)
	})

	t.Run("one context as before", func(t *testing.T) {
		stdout, stderr, code := runScanner(t, "--kubeconfig", path, "--context", "admin", "-b", "workloads", "-o", "json")
		assert.Equal(t, 0, code, firstLines(stderr, 20))
		rep, err := report.ReadJSON(strings.NewReader(stdout))
		require.NoError(t, err)
		assert.Equal(t, check.StatusFail, resultOf(rep, "workloads:privileged", pod))
	})
}

// resultOf returns the status of check id's result about object ("Kind namespace/name"), or
// "" when there is none.
func resultOf(rep *report.Report, id, object string) check.Status {
	for _, r := range rep.Results {
		if r.CheckID == id && r.Object != nil && r.Object.String() == object {
			return r.Status
		}
	}
	return ""
}
