package check

import (
	"github.com/kspm-dev/kspm/inventory"
)

// Result is one verdict of one check, ready for a report. Its JSON form is part of the report
// schema (see package report).
type Result struct {
	// CheckID is the ID of the check (Meta.ID), e.g. "pss:privileged".
	CheckID string `json:"checkID"`
	// Title is the check's title (Meta.Title).
	Title string `json:"title"`
	// Severity is the check's severity (Meta.Severity).
	Severity Severity `json:"severity"`
	// Status is the verdict.
	Status Status `json:"status"`
	// Exception is set on an excepted result (StatusExcepted): the status the check gave and
	// the exception that sets it aside. Nil on every other result.
	Exception *Exception `json:"exception,omitempty"`
	// Baseline says, in a report compared with a baseline report (see report.Baseline), whether
	// a failing or excepted result is new (BaselineNew) or was in the baseline already
	// (BaselinePresent); empty otherwise.
	Baseline string `json:"baseline,omitempty"`
	// Object is the object judged; nil for a result about no one object (e.g. "no
	// ClusterRoleBinding grants cluster-admin", or a kind that could not be seen). The
	// results about one object share one Ref (inventory.Object.SharedRef): it must not be
	// modified.
	Object *inventory.Ref `json:"object,omitempty"`
	// Message says why, in words: what failed, or why it could not be evaluated.
	Message string `json:"message,omitempty"`
	// Field is the field path the verdict concerns, as precise as the check can tell, e.g.
	// "spec.template.spec.containers[0].securityContext.privileged".
	Field string `json:"field,omitempty"`
	// Admission is set on the results of an admission policy check (see Admission): the
	// binding through which the policy judged the object.
	Admission *Admission `json:"admission,omitempty"`
	// Remediation is the check's remediation (Meta.Remediation), set on fail and manual results.
	Remediation string `json:"remediation,omitempty"`
	// Section is the benchmark section of the check (Meta.Section), e.g. "5.1 RBAC and
	// Service Accounts".
	Section string `json:"section,omitempty"`
	// Level is the check's profile level (Meta.Level), e.g. "L1" or "restricted".
	Level string `json:"level,omitempty"`
	// Err is the error of an error result, when there is one (a panic as a *PanicError,
	// the error a check returned, a timeout), for errors.Is and errors.As. Message holds its
	// text; Err is not part of the JSON form, so a report read back has none.
	Err error `json:"-"`
}

// NewResult makes the result of finding f of the check described by m. Its Object is the
// SharedRef of the finding's object.
func NewResult(m Meta, f Finding) Result {
	r := Result{
		CheckID:   m.ID,
		Title:     m.Title,
		Severity:  m.Severity,
		Status:    f.Status,
		Message:   f.Message,
		Field:     f.Field,
		Err:       f.Err,
		Admission: f.Admission,
		Section:   m.Section,
		Level:     m.Level,
	}
	if f.Object != nil {
		r.Object = f.Object.SharedRef()
	}
	if f.Status == StatusFail || f.Status == StatusManual {
		r.Remediation = m.Remediation
	}
	return r
}

// Admission says through which binding a ValidatingAdmissionPolicy judged an object (the
// checks of package benchmark/admission), and what that binding makes the API server do
// when the policy fails: a failing result whose ValidationActions hold Deny is an object the
// API server would reject, Warn one it would admit with a warning, Audit one it would admit
// and record in its audit log.
type Admission struct {
	// Binding is the name of the ValidatingAdmissionPolicyBinding.
	Binding string `json:"binding"`
	// ValidationActions are the binding's validationActions: Deny, Warn and/or Audit.
	ValidationActions []string `json:"validationActions,omitempty"`
}

// Exception is the exception that set a failing result aside (Result.Exception): the status
// the check gave, and who accepted the failure, why, until when, and where that is written.
type Exception struct {
	// From is the status the check gave the result: fail (only failures are excepted).
	From Status `json:"exceptedFrom"`
	// ID is the exception's id in its file, when it has one.
	ID string `json:"id,omitempty"`
	// Reason says why the failure is accepted.
	Reason string `json:"reason"`
	// Owner is who answers for the exception: a person or a team. For an exemption written
	// on the object itself it is AnnotationOwner.
	Owner string `json:"owner"`
	// Expires is the last day the exception applies, as YYYY-MM-DD in UTC; empty for an
	// exemption written on the object, which has none.
	Expires string `json:"expires,omitempty"`
	// Source is where the exception is written: "FILE:LINE" in an exceptions file, or the
	// annotation on the object.
	Source string `json:"source"`
}

// AnnotationOwner is the Owner of an exception written as an annotation on the object it
// exempts: whoever may edit the object.
const AnnotationOwner = "annotation on the object"

// Baseline values of Result.Baseline.
const (
	// BaselineNew marks a failing or excepted result that the baseline report does not hold.
	BaselineNew = "new"
	// BaselinePresent marks a failing or excepted result that the baseline report holds too.
	BaselinePresent = "present"
)
