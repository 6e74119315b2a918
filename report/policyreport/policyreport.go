// Package policyreport holds the types of the Kubernetes Policy working group's policy
// reports, wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport, for the tools that
// read only those (Policy Reporter, older Kyverno tooling), and makes them from OpenReports
// reports (package report/openreports).
//
// The working group's Go module (sigs.k8s.io/wg-policy-prototypes) is not served by the Go
// module proxy, so the types are written here from the published CRD schema. OpenReports
// (openreports.io/v1alpha1) is that API's successor and kept its result and summary shapes
// field for field (the same JSON names, enums and types), so a PolicyReport's results and
// summary are OpenReports' types; the report itself has no source and no configuration.
//
// Severity: the CRDs Kyverno installs today allow critical, high, medium, low and info, as
// OpenReports does; the working group's first v1alpha2 CRD allowed only high, medium and low,
// and a server with that one installed rejects critical and info results.
package policyreport

import (
	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is wgpolicyk8s.io/v1alpha2.
var GroupVersion = schema.GroupVersion{Group: "wgpolicyk8s.io", Version: "v1alpha2"}

// The resources of the two kinds, for a dynamic client.
var (
	PolicyReportResource        = GroupVersion.WithResource("policyreports")
	ClusterPolicyReportResource = GroupVersion.WithResource("clusterpolicyreports")
)

// Result is one result of a policy report: the same shape as an OpenReports result.
type Result = v1alpha1.ReportResult

// Summary counts a report's results by result: the same shape as an OpenReports summary.
type Summary = v1alpha1.ReportSummary

// PolicyReport is a namespaced policy report (wgpolicyk8s.io/v1alpha2, kind PolicyReport).
type PolicyReport struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Scope is the object the report is about, when it is about one.
	Scope *corev1.ObjectReference `json:"scope,omitempty"`
	// ScopeSelector selects the objects the report is about, when it is about several.
	ScopeSelector *metav1.LabelSelector `json:"scopeSelector,omitempty"`
	// Summary counts the results by result.
	Summary Summary `json:"summary,omitempty"`
	// Results are the report's results.
	Results []Result `json:"results,omitempty"`
}

// PolicyReportList is a list of PolicyReports.
type PolicyReportList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the reports of the list.
	Items []PolicyReport `json:"items"`
}

// ClusterPolicyReport is a cluster-scoped policy report (wgpolicyk8s.io/v1alpha2, kind
// ClusterPolicyReport): the same fields as PolicyReport.
type ClusterPolicyReport PolicyReport

// ClusterPolicyReportList is a list of ClusterPolicyReports.
type ClusterPolicyReportList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the reports of the list.
	Items []ClusterPolicyReport `json:"items"`
}

// FromReport returns the PolicyReport of the same namespace, name, labels, scope and results
// as r (its source and configuration have no place in a PolicyReport: each result names its
// source).
func FromReport(r *v1alpha1.Report) *PolicyReport {
	return &PolicyReport{
		TypeMeta: metav1.TypeMeta{APIVersion: GroupVersion.String(), Kind: "PolicyReport"},
		ObjectMeta: metav1.ObjectMeta{Namespace: r.Namespace, Name: r.Name, Labels: r.Labels,
			Annotations: r.Annotations},
		Scope:         r.Scope,
		ScopeSelector: r.ScopeSelector,
		Summary:       r.Summary,
		Results:       r.Results,
	}
}

// FromClusterReport returns the ClusterPolicyReport of the same name, labels, scope and
// results as r.
func FromClusterReport(r *v1alpha1.ClusterReport) *ClusterPolicyReport {
	return &ClusterPolicyReport{
		TypeMeta:      metav1.TypeMeta{APIVersion: GroupVersion.String(), Kind: "ClusterPolicyReport"},
		ObjectMeta:    metav1.ObjectMeta{Name: r.Name, Labels: r.Labels, Annotations: r.Annotations},
		Scope:         r.Scope,
		ScopeSelector: r.ScopeSelector,
		Summary:       r.Summary,
		Results:       r.Results,
	}
}
