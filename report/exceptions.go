package report

import "github.com/kspm-dev/kspm/check"

// ExceptionsSummary is what a report says of the exceptions applied to its results (see
// package exception, which makes it): the results they set aside carry status excepted and
// the exception that did it (check.Result.Exception); this lists the exceptions themselves.
type ExceptionsSummary struct {
	// Files are the exceptions files applied, as they were named.
	Files []string `json:"files,omitempty"`
	// Applied are the exceptions in force that set at least one failing result aside.
	Applied []ExceptionUse `json:"applied,omitempty"`
	// Expired are the exceptions past their expiry date: they set nothing aside any more,
	// and the failures they would have matched count again.
	Expired []ExceptionUse `json:"expired,omitempty"`
	// Unused are the exceptions in force that set no result aside; Note says why.
	Unused []ExceptionUse `json:"unused,omitempty"`
	// Annotations is set when exemptions written as annotations on the objects themselves
	// were allowed (they are not by default: whoever may edit an object could silence its
	// findings); nil otherwise.
	Annotations *AnnotationExemptions `json:"annotations,omitempty"`
}

// ExceptionUse is one exception of an exceptions file and what it did.
type ExceptionUse struct {
	// ID is the exception's id, when it has one.
	ID string `json:"id,omitempty"`
	// Source is where the exception is written: "FILE:LINE".
	Source string `json:"source"`
	// Checks are the check IDs and globs it names.
	Checks []string `json:"checks"`
	// Owner is who answers for it.
	Owner string `json:"owner"`
	// Expires is the last day it applies, YYYY-MM-DD (UTC).
	Expires string `json:"expires"`
	// Results is the number of failing results it set aside (for an expired exception: that
	// it matched, and that count as failures again).
	Results int `json:"results"`
	// Note says why an unused exception set nothing aside.
	Note string `json:"note,omitempty"`
}

// AnnotationExemptions says what the exemptions written on objects did, when they were
// allowed.
type AnnotationExemptions struct {
	// Results is the number of failing results they set aside.
	Results int `json:"results"`
	// Objects is the number of objects whose annotations set a result aside.
	Objects int `json:"objects"`
	// Ignored names the objects whose exemption was not applied, and why (one with no
	// reason, for instance).
	Ignored []string `json:"ignored,omitempty"`
}

// resultMessage is the message of res as the writers show it: for an excepted result, followed
// by who set it aside, until when and why, so that no format shows it without its exception.
func resultMessage(res *check.Result) string {
	if e := res.Exception; e != nil {
		return oneLine(res.Message) + " [" + oneLine(exceptionText(e)) + "]"
	}
	return oneLine(res.Message)
}
