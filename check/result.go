package check

import (
	"github.com/kspm-dev/kspm/inventory"
)

// Result is one verdict of one check, ready for a report. Its JSON form is part of the report
// schema (see package report).
type Result struct {
	CheckID     string         `json:"checkID"`
	Title       string         `json:"title"`
	Severity    Severity       `json:"severity"`
	Status      Status         `json:"status"`
	Object      *inventory.Ref `json:"object,omitempty"`
	Message     string         `json:"message,omitempty"`
	Field       string         `json:"field,omitempty"`
	Remediation string         `json:"remediation,omitempty"`
	Section     string         `json:"section,omitempty"`
	Level       string         `json:"level,omitempty"`
	// Err is the error of an error result, when there is one (a panic as a *kspm.PanicError,
	// the error a check returned, a timeout), for errors.Is and errors.As. Message holds its
	// text; Err is not part of the JSON form, so a report read back has none.
	Err error `json:"-"`
}

// NewResult makes the result of finding f of the check described by m.
func NewResult(m Meta, f Finding) Result {
	r := Result{
		CheckID:  m.ID,
		Title:    m.Title,
		Severity: m.Severity,
		Status:   f.Status,
		Message:  f.Message,
		Field:    f.Field,
		Err:      f.Err,
		Section:  m.Section,
		Level:    m.Level,
	}
	if f.Object != nil {
		ref := f.Object.Ref()
		r.Object = &ref
	}
	if f.Status == StatusFail || f.Status == StatusManual {
		r.Remediation = m.Remediation
	}
	return r
}
