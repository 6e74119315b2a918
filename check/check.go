package check

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Severity ranks how bad a failing result is.
type Severity string

// Severities, from most to least severe.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Severities returns every severity, most severe first.
func Severities() []Severity { return []Severity{Critical, High, Medium, Low, Info} }

// Rank returns 5 for Critical down to 1 for Info, and 0 for an invalid severity.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 5
	case High:
		return 4
	case Medium:
		return 3
	case Low:
		return 2
	case Info:
		return 1
	}
	return 0
}

// Valid reports whether s is one of the defined severities.
func (s Severity) Valid() bool { return s.Rank() > 0 }

// ParseSeverity parses a severity name, ignoring case.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToLower(strings.TrimSpace(s)))
	if !sev.Valid() {
		return "", fmt.Errorf("unknown severity %q (want one of critical, high, medium, low, info)", s)
	}
	return sev, nil
}

// Status is the verdict of one result.
type Status string

// Result statuses.
const (
	// StatusPass: the object was evaluated and complies.
	StatusPass Status = "pass"
	// StatusFail: the object was evaluated and does not comply.
	StatusFail Status = "fail"
	// StatusError: the evaluation itself failed (a panicking check, a runaway expression).
	StatusError Status = "error"
	// StatusNotApplicable: the control does not apply here (e.g. a managed control plane that has
	// no kube-apiserver pod to inspect). The message says why.
	StatusNotApplicable Status = "notApplicable"
	// StatusNotEvaluated: the control applies but could not be evaluated, usually because data it
	// needs could not be seen (a forbidden kind, no node data). The message says why. Never
	// read it as a pass.
	StatusNotEvaluated Status = "notEvaluated"
	// StatusManual: the control needs a person's judgement.
	StatusManual Status = "manual"
	// StatusExcepted: the check failed the object, and an exception someone owns sets the
	// failure aside until it expires (see Result.Exception, which keeps the status the check
	// gave). No check reports it: exceptions are applied to results afterwards (package
	// exception). It is counted apart, never as a pass and never as a failure.
	StatusExcepted Status = "excepted"
)

// Statuses returns every status in a fixed order.
func Statuses() []Status {
	return []Status{StatusFail, StatusError, StatusNotEvaluated, StatusManual, StatusExcepted, StatusNotApplicable, StatusPass}
}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPass, StatusFail, StatusError, StatusNotApplicable, StatusNotEvaluated, StatusManual, StatusExcepted:
		return true
	}
	return false
}

// Meta describes a check: what it inspects and what to do about a failure.
type Meta struct {
	// ID is unique within a set of checks, e.g. "workloads:privileged" or "cis:5.1.1". It names
	// one control: two checks with the same ID are the same control only when their whole
	// Meta is equal (several benchmarks may hold it; kspm.Scan runs it once), and otherwise
	// may not be run together.
	ID string `json:"id"`
	// Title is a one-line summary.
	Title string `json:"title"`
	// Description says what the check inspects and what passes.
	Description string `json:"description,omitempty"`
	// Severity ranks a failure.
	Severity Severity `json:"severity"`
	// Remediation says how to fix a failure.
	Remediation string `json:"remediation"`
	// References are links or document names.
	References []string `json:"references,omitempty"`
	// Section groups checks within a benchmark, e.g. "5.1 RBAC and Service Accounts".
	Section string `json:"section,omitempty"`
	// Level is a benchmark's profile level, e.g. "L1" or "restricted".
	Level string `json:"level,omitempty"`
	// Kinds are the kinds of object the check reads and reports on (CEL checks evaluate the
	// objects of these kinds). It is the one declaration of what a check reads, Go or CEL:
	// when any of them was not seen completely (see UnseenKinds), the runner still runs the
	// check over the objects seen and adds one notEvaluated result, about no object, naming
	// the kinds (unless the check reported such a result itself), so that "no failures" is not
	// read as a pass.
	Kinds []schema.GroupKind `json:"kinds,omitempty"`
	// Requires are the kinds, read or not by the objects reported on, whose complete listing
	// every verdict depends on (a cross-object rule: "no NetworkPolicy in this namespace").
	// When any is not completely known, the runner reports one notEvaluated result instead of
	// running the check. Unlike Kinds, a kind with no object in manifests counts as not
	// completely known.
	Requires []schema.GroupKind `json:"requires,omitempty"`
	// Params declares the parameters of a Go check: names, types and defaults. The runner
	// then gives the check, in Pass.Params, the defaults overridden by the caller's values
	// converted to the declared types, and a parameter the check does not declare, or a value
	// of the wrong type, is an error before anything runs (see ResolveParams). A Go check
	// that declares none takes none: any parameter set for it is an error. CEL checks declare
	// theirs in CELSpec.Params.
	Params []Param `json:"params,omitempty"`
	// Manual marks a control that needs a person's judgement; the runner reports one manual
	// result for it without running it.
	Manual bool `json:"manual,omitempty"`
	// Depends declares what the results depend on, so that a driver keeping results current
	// while objects change (package monitor) re-runs the check only when, and only for the
	// objects, a change can alter them (see Dependencies). Nil: every change re-runs it
	// whole. The one-shot runner ignores it, and it is no part of the check's identity (see
	// SameControl).
	Depends *Dependencies `json:"-"`
}

// SameControl reports whether a and b describe the same control: equal in every field but
// Depends, which says how a driver may run the check, not what it is.
func SameControl(a, b Meta) bool {
	a.Depends, b.Depends = nil, nil
	return reflect.DeepEqual(a, b)
}

// Check is one control: metadata plus a run function that reports findings through a Pass.
// Implementations must be safe for concurrent use: the runner may run a check on several
// inventories at once, and many checks at once on one inventory.
type Check interface {
	// Meta returns the check's metadata. It must return the same value every call.
	Meta() Meta
	// Run inspects pass.Inventory and reports findings through pass. A returned error means
	// the check itself failed; the runner turns it into an error result.
	Run(ctx context.Context, pass *Pass) error
}

// RunFunc is the body of a Go check.
type RunFunc func(ctx context.Context, pass *Pass) error

type goCheck struct {
	meta Meta
	run  RunFunc
}

// New returns a check with the given metadata whose body is the Go function run.
// For a manual control, run may be nil.
func New(meta Meta, run RunFunc) Check { return &goCheck{meta: meta, run: run} }

func (c *goCheck) Meta() Meta { return c.meta }

func (c *goCheck) Run(ctx context.Context, pass *Pass) error {
	if c.run == nil {
		if c.meta.Manual {
			return nil
		}
		return fmt.Errorf("check %s has no run function", c.meta.ID)
	}
	return c.run(ctx, pass)
}
