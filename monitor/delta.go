package monitor

import (
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// DeltaKind says how a result changed, for findings: results that ask for attention (see
// IsFinding).
type DeltaKind string

// Delta kinds.
const (
	// Opened: a finding appeared, where there was no result or one that is no finding (a
	// pass). Creating a privileged pod opens the fail result of workloads:privileged about it;
	// a kind becoming forbidden opens notEvaluated stand-ins for the results that passed.
	Opened DeltaKind = "opened"
	// Resolved: a finding went, its result gone or now no finding: fixing the privileged pod
	// resolves its fail result; a NetworkPolicy that isolates a pod turns its isolation result
	// from fail to pass; deleting the pod resolves every finding about it. A result that could
	// no longer be evaluated is never resolved: it changes to a notEvaluated stand-in.
	Resolved DeltaKind = "resolved"
	// Changed: any other change of a result: a finding with another status or message (a fail
	// that can no longer be evaluated, because its kind became forbidden, the check cannot run
	// or failed, changes to a notEvaluated stand-in that says why, until it is evaluated
	// again), and a result that is no finding appearing (Before nil: the pass results of a new
	// pod), changing, or going (After nil).
	Changed DeltaKind = "changed"
)

// IsFinding reports whether a result of status s asks for attention: fail, error,
// notEvaluated and manual results do; pass and notApplicable results do not.
func IsFinding(s check.Status) bool {
	switch s {
	case check.StatusPass, check.StatusNotApplicable:
		return false
	}
	return true
}

// Key identifies a result across evaluations: the check, the object (by kind, namespace and
// name: an object deleted and created again under its name is the same object to its results)
// and the field. Not the message, nor the order of results.
type Key struct {
	// CheckID is the check's ID.
	CheckID string `json:"checkID"`
	// Group and Kind are the object's API group and kind; Namespace and Name its namespace
	// and name. All are empty for a result about no object.
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	// Field is the result's field path.
	Field string `json:"field,omitempty"`
	// N tells apart the results a check reports about one object at one field, in their order
	// (0 for the first): almost always 0.
	N int `json:"n,omitempty"`
}

// Delta is one change of one result between two evaluations.
type Delta struct {
	// Kind says how the result changed.
	Kind DeltaKind `json:"kind"`
	// Key identifies the result.
	Key Key `json:"key"`
	// Time is when the evaluation that found the change finished.
	Time time.Time `json:"time"`
	// Before is the result before (nil for Opened), After the result now (nil for
	// Resolved): the same typed results as kspm.Scan's.
	Before *check.Result `json:"before,omitempty"`
	After  *check.Result `json:"after,omitempty"`
}

// Update is what one evaluation changed, handed to the WithUpdates callback.
type Update struct {
	// Revision counts evaluations, from 1.
	Revision uint64 `json:"revision"`
	// Time is when the evaluation finished.
	Time time.Time `json:"time"`
	// Initial marks the first evaluation: its deltas are against the results given to
	// WithPrevious (a restart), or, without them, open every result.
	Initial bool `json:"initial,omitempty"`
	// Deltas are the changed results, by check in the order of the checks, then by key.
	Deltas []Delta `json:"deltas,omitempty"`
	// Coverage holds the kinds whose coverage (state or reason) changed, as they are now:
	// a kind that became forbidden, or readable again.
	Coverage []inventory.Coverage `json:"coverage,omitempty"`
	// Objects is how many objects changed (created, updated or deleted) since the evaluation
	// before.
	Objects int `json:"objects"`
	// Duration is how long the evaluation took.
	Duration time.Duration `json:"duration"`
	// Whole names the checks re-run over the whole inventory, by ID, in the order of the
	// checks; Targeted counts those re-run for some objects only.
	Whole    []string `json:"whole,omitempty"`
	Targeted int      `json:"targeted"`
}
