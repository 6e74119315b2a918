package report_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var fixtureTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fixtureInventory is a cluster inventory with two objects, a forbidden kind, a failed kind
// and a load error.
func fixtureInventory(t *testing.T) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	b.AddSource("https://10.0.0.1:6443")
	require.NoError(t, b.Add(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", UID: "u-web"}}, inventory.Source{}))
	require.NoError(t, b.Add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, inventory.Source{}))
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	b.SetCoverage(inventory.Coverage{Kind: "Secret", State: inventory.Forbidden,
		Reason: `secrets is forbidden: User "scanner" cannot list resource "secrets"`})
	b.SetCoverage(inventory.Coverage{Group: "networking.k8s.io", Kind: "NetworkPolicy", State: inventory.Failed,
		Reason: "the server was unable to return a response in the time allotted"})
	b.AddError(&inventory.ListError{Kind: inventory.KindNetworkPolicy, State: inventory.Failed, Err: errors.New("timeout")})
	return b.Build()
}

// fixtureManifests is an inventory of manifests with no object, a load error and a warning.
func fixtureManifests() *inventory.Inventory {
	b := inventory.NewBuilder(inventory.ModeManifests)
	b.AddSource("deploy/")
	b.AddError(&inventory.SourceError{Source: inventory.Source{File: "deploy/bad.yaml", Line: 7},
		Err: errors.New("yaml: line 3: mapping values are not allowed in this context")})
	b.AddWarning(&inventory.SourceError{Source: inventory.Source{File: "deploy/agent.yaml", Line: 1}, Object: "DaemonSet default/agent",
		Err: errors.New("extensions/v1beta1 DaemonSet is not served since Kubernetes 1.16; read as apps/v1 DaemonSet")})
	return b.Build()
}

func deployRef() *inventory.Ref {
	return &inventory.Ref{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web", UID: "u-web"}
}

func fileRef(kind, ns, name, file string, line int) *inventory.Ref {
	return &inventory.Ref{APIVersion: "v1", Kind: kind, Namespace: ns, Name: name,
		Source: &inventory.Source{File: file, Line: line}}
}

// fixtureResults covers every status, every result field and objects with and without a source.
func fixtureResults() []check.Result {
	return []check.Result{
		{CheckID: "workloads:privileged", Title: "Privileged containers", Severity: check.Critical, Status: check.StatusFail,
			Object: deployRef(), Message: `container "app" runs privileged`,
			Field:       "spec.template.spec.containers[0].securityContext.privileged",
			Remediation: "Remove securityContext.privileged."},
		{CheckID: "workloads:privileged", Title: "Privileged containers", Severity: check.Critical, Status: check.StatusPass,
			Object: fileRef("Pod", "shop", "debug", "pods.yaml", 12), Message: "no privileged container"},
		{CheckID: "workloads:latest-tag", Title: "Images pinned", Severity: check.Low, Status: check.StatusFail,
			Object: fileRef("Pod", "shop", "debug", "pods.yaml", 12), Message: "container \"sh\" uses image busybox\n(no tag)",
			Field: "spec.containers[0].image", Remediation: "Pin images by digest or a version tag."},
		{CheckID: "network:namespace-default-deny", Title: "Namespaces deny traffic by default", Severity: check.Medium,
			Status: check.StatusNotEvaluated, Message: "cannot be evaluated: networkpolicies failed: timeout"},
		{CheckID: "kspm:boom", Title: "A check that failed", Severity: check.High, Status: check.StatusError,
			Message: "check kspm:boom panicked: boom"},
		{CheckID: "kspm:review", Title: "Review by hand", Severity: check.Info, Status: check.StatusManual,
			Message: "manual control: review by hand", Remediation: "Ask the owner."},
		{CheckID: "kspm:managed", Title: "Control plane flags", Severity: check.Medium, Status: check.StatusNotApplicable,
			Message: "managed control plane", Level: "L1"},
	}
}

// sectionResults are CIS-like results with sections, plus one result with no section.
func sectionResults() []check.Result {
	ns := &inventory.Ref{APIVersion: "v1", Kind: "Namespace", Name: "shop"}
	return []check.Result{
		{CheckID: "cis:5.1.1", Title: "cluster-admin use", Severity: check.High, Status: check.StatusFail,
			Object:  &inventory.Ref{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "ops-admin"},
			Message: "binds cluster-admin to group ops", Section: "5.1 RBAC and Service Accounts", Level: "L1",
			Remediation: "Bind a narrower role."},
		{CheckID: "cis:5.1.1", Title: "cluster-admin use", Severity: check.High, Status: check.StatusPass,
			Object:  &inventory.Ref{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "system:masters"},
			Message: "system binding", Section: "5.1 RBAC and Service Accounts", Level: "L1"},
		{CheckID: "cis:5.1.2", Title: "Minimize access to secrets", Severity: check.High, Status: check.StatusNotEvaluated,
			Message: "cannot be evaluated: roles forbidden", Section: "5.1 RBAC and Service Accounts", Level: "L1"},
		{CheckID: "cis:5.1.3", Title: "Minimize wildcard use", Severity: check.Medium, Status: check.StatusPass,
			Object: ns, Message: "no wildcard", Section: "5.1 RBAC and Service Accounts", Level: "L1"},
		{CheckID: "cis:5.1.4", Title: "Minimize pod creation", Severity: check.Medium, Status: check.StatusManual,
			Message: "manual control: review by hand", Section: "5.1 RBAC and Service Accounts", Level: "L1",
			Remediation: "Review who can create pods."},
		{CheckID: "cis:5.3.2", Title: "Namespaces have NetworkPolicies", Severity: check.Medium, Status: check.StatusPass,
			Object: ns, Message: "1 NetworkPolicy", Section: "5.3 Network Policies and CNI", Level: "L2"},
		{CheckID: "cis:5.7.1", Title: "Create administrative boundaries", Severity: check.Info, Status: check.StatusNotApplicable,
			Message: "single-tenant cluster", Section: "5.7 General Policies", Level: "L1"},
		{CheckID: "workloads:latest-tag", Title: "Images pinned", Severity: check.Low, Status: check.StatusFail,
			Object: deployRef(), Message: `container "app" uses image nginx:latest`, Remediation: "Pin images."},
	}
}

func fixtureReport(t *testing.T) *report.Report {
	t.Helper()
	return report.New(fixtureInventory(t), []string{"kspm"}, fixtureResults(),
		report.Tool{Name: "kspm", Version: "1.2.3"}, fixtureTime)
}

// golden compares got with testdata/name, rewriting the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -update")
	require.Equal(t, string(want), string(got), "output differs from %s; run go test -update after checking the change", path)
}
