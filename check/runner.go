package check

import "fmt"

// What a runner (kspm.Run, and checktest, which mirrors it) reports for a check beside the
// check's own findings.

// NothingReported is the message of the notApplicable result the runner gives a check that
// ran, returned no error and reported no finding, so that every check that ran appears in the
// results.
const NothingReported = "nothing to evaluate: the check reported no findings"

// ManualMessage is the message of the one manual result a runner gives a manual check.
func ManualMessage(m Meta) string {
	if m.Description != "" {
		return "manual control: review by hand: " + m.Description
	}
	return "manual control: review by hand"
}

// PanicError is the error a check's panic becomes. The runner (kspm.Run) and checktest put it in
// the error result of the check, in Result.Err: errors.As(result.Err, &pe) finds it.
type PanicError struct {
	// CheckID is the ID of the check that panicked.
	CheckID string
	// Value is the value passed to panic.
	Value any
	// Stack is the goroutine's stack at the panic, as runtime/debug.Stack formats it.
	Stack []byte
}

// Error implements error.
func (e *PanicError) Error() string { return fmt.Sprintf("check %s panicked: %v", e.CheckID, e.Value) }
