package openreports

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// ReportResult is one result of a report (the OpenReports type).
type ReportResult = v1alpha1.ReportResult

// Source is the source of every result and report made here.
const Source = "kspm"

// Names of the properties of a result (see the package documentation).
const (
	// PropertyStatus holds kspm's status of the result (check.Status).
	PropertyStatus = "status"
	// PropertyField holds the field path the verdict concerns.
	PropertyField = "field"
	// PropertyLevel holds the check's profile level.
	PropertyLevel = "level"
	// PropertyException holds, for an excepted result, who set the failure aside, until
	// when, where that is written and why.
	PropertyException = "exception"
)

// Bounds on the text a result carries: the message, the rule (the check's title) and the
// field path come from checks, some written by users in CEL files, and may quote objects; a
// longer text is cut, at a rune boundary, and ends with a marker saying how long it was. The
// check's ID, section and level are held to MaxRuleBytes too.
const (
	MaxMessageBytes = 4096
	MaxRuleBytes    = 512
	MaxFieldBytes   = 1024
)

// The resources of the two kinds, for a dynamic client.
var (
	ReportResource        = v1alpha1.SchemeGroupVersion.WithResource("reports")
	ClusterReportResource = v1alpha1.SchemeGroupVersion.WithResource("clusterreports")
)

// ResultOf returns the OpenReports result of a kspm status (see the package documentation):
// notEvaluated, and any status kspm does not know, is error, never pass or skip.
func ResultOf(s check.Status) v1alpha1.Result {
	switch s {
	case check.StatusPass:
		return "pass"
	case check.StatusFail:
		return "fail"
	case check.StatusNotApplicable, check.StatusExcepted:
		return "skip" // an excepted failure: set aside by the user's own input, the exception
	case check.StatusManual:
		return "warn"
	}
	return "error" // error, notEvaluated, unknown
}

// statusOf returns the kspm status an OpenReports result stands for, when no property says
// it: error is read as error (it may have been notEvaluated), warn as manual, skip as
// notApplicable; an unknown result is error.
func statusOf(r v1alpha1.Result) check.Status {
	switch r {
	case "pass":
		return check.StatusPass
	case "fail":
		return check.StatusFail
	case "skip":
		return check.StatusNotApplicable
	case "warn":
		return check.StatusManual
	}
	return check.StatusError
}

// NewResult returns the OpenReports result of r, found (in its current form) at at.
func NewResult(r check.Result, at time.Time) v1alpha1.ReportResult {
	out := v1alpha1.ReportResult{
		Source:      Source,
		Policy:      Cut(r.CheckID, MaxRuleBytes),
		Rule:        Cut(r.Title, MaxRuleBytes),
		Category:    Cut(category(r), MaxRuleBytes),
		Timestamp:   metav1.Timestamp{Seconds: at.Unix()},
		Result:      ResultOf(r.Status),
		Description: Cut(r.Message, MaxMessageBytes),
		Properties:  map[string]string{PropertyStatus: string(r.Status)},
	}
	switch r.Status {
	case check.StatusPass, check.StatusFail, check.StatusError, check.StatusNotEvaluated:
		out.Scored = true
	}
	if r.Severity.Rank() > 0 {
		out.Severity = v1alpha1.ResultSeverity(r.Severity)
	}
	if r.Field != "" {
		out.Properties[PropertyField] = Cut(r.Field, MaxFieldBytes)
	}
	if r.Level != "" {
		out.Properties[PropertyLevel] = Cut(r.Level, MaxRuleBytes)
	}
	if e := r.Exception; e != nil {
		x := "excepted from " + string(e.From) + " by " + e.Owner
		if e.Expires != "" {
			x += " until " + e.Expires
		}
		out.Properties[PropertyException] = Cut(x+" ("+e.Source+"): "+e.Reason, MaxMessageBytes)
	}
	if o := r.Object; o != nil {
		out.Subjects = []corev1.ObjectReference{{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace,
			Name: o.Name, UID: types.UID(o.UID)}}
	}
	return out
}

// category is the check's section, or the benchmark its ID names.
func category(r check.Result) string {
	if r.Section != "" {
		return r.Section
	}
	if b, _, ok := strings.Cut(r.CheckID, ":"); ok {
		return b
	}
	return ""
}

// CheckResult reads an OpenReports result back: the kspm result it was made from (as far as a
// report holds it: no remediation, no error value, the section as the category) and when it
// was found. Its status is property status when that is a kspm status the result stands for,
// else the one the result stands for (error for an unknown one).
func CheckResult(rr v1alpha1.ReportResult) (check.Result, time.Time) {
	status := statusOf(rr.Result)
	if s := check.Status(rr.Properties[PropertyStatus]); s.Valid() && ResultOf(s) == ResultOf(status) {
		status = s
	}
	r := check.Result{
		CheckID:  rr.Policy,
		Title:    rr.Rule,
		Severity: check.Severity(rr.Severity),
		Status:   status,
		Message:  rr.Description,
		Field:    rr.Properties[PropertyField],
		Section:  rr.Category,
		Level:    rr.Properties[PropertyLevel],
	}
	if len(rr.Subjects) > 0 {
		s := rr.Subjects[0]
		r.Object = &inventory.Ref{APIVersion: s.APIVersion, Kind: s.Kind, Namespace: s.Namespace, Name: s.Name, UID: string(s.UID)}
	}
	return r, time.Unix(rr.Timestamp.Seconds, int64(rr.Timestamp.Nanos)).UTC()
}

// Summarize counts results by result.
func Summarize(results []v1alpha1.ReportResult) v1alpha1.ReportSummary {
	var s v1alpha1.ReportSummary
	for _, r := range results {
		switch r.Result {
		case "pass":
			s.Pass++
		case "fail":
			s.Fail++
		case "warn":
			s.Warn++
		case "skip":
			s.Skip++
		default:
			s.Error++
		}
	}
	return s
}

// NewReport returns the Report name in namespace holding results, with its summary and
// source; the caller sets its labels and configuration.
func NewReport(namespace, name string, results []v1alpha1.ReportResult) *v1alpha1.Report {
	return &v1alpha1.Report{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: "Report"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Source:     Source,
		Summary:    Summarize(results),
		Results:    results,
	}
}

// NewClusterReport returns the ClusterReport name holding results, with its summary and
// source; the caller sets its labels and configuration.
func NewClusterReport(name string, results []v1alpha1.ReportResult) *v1alpha1.ClusterReport {
	return &v1alpha1.ClusterReport{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: "ClusterReport"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Source:     Source,
		Summary:    Summarize(results),
		Results:    results,
	}
}

// GroupKind returns the group and kind of the object a result is about (from its first
// resource), and false for a result about no object.
func GroupKind(rr v1alpha1.ReportResult) (schema.GroupKind, bool) {
	if len(rr.Subjects) == 0 {
		return schema.GroupKind{}, false
	}
	gv, err := schema.ParseGroupVersion(rr.Subjects[0].APIVersion)
	if err != nil {
		return schema.GroupKind{Kind: rr.Subjects[0].Kind}, true
	}
	return schema.GroupKind{Group: gv.Group, Kind: rr.Subjects[0].Kind}, true
}

// Cut returns s, its invalid UTF-8 replaced by U+FFFD (as a JSON encoder would write it),
// when that is at most max bytes long, else its longest prefix of whole runes that leaves
// room, within max, for a marker saying how long it was.
func Cut(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	marker := fmt.Sprintf(" … [cut: %d bytes]", len(s))
	n := max - len(marker)
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + marker
}
