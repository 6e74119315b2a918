// Package openreports turns kspm's results into OpenReports results and report objects
// (openreports.io/v1alpha1 Report and ClusterReport, the Go types of
// github.com/openreports/reports-api), and reads them back. It never loads or writes
// anything: package monitor/publish keeps such objects current in a cluster.
//
// # Results
//
// One check.Result becomes one ReportResult:
//
//   - source "kspm"; policy the check's ID; rule its title; category its benchmark section, or,
//     for a check without one, the part of its ID before the colon (the benchmark's name);
//     severity the check's (the five severities of both are the same words);
//   - resources: the result's object (apiVersion, kind, namespace, name, uid), none for a result
//     about no object;
//   - message: the result's message, cut to MaxMessageBytes with a marker saying so;
//   - properties: "status", kspm's own status (so that nothing is lost in the mapping below
//     and the result can be read back exactly), "field", the field path the verdict concerns,
//     and "level", the check's profile level, each when set;
//   - timestamp: when the result took its current form (the caller says), in whole seconds.
//
// # Statuses
//
// OpenReports defines five results: pass (the requirements are met), fail (they are not),
// warn (they are not, and the policy is not scored), error (the policy could not be
// evaluated) and skip (the policy was not selected, by the user's inputs or because it does
// not apply). kspm's statuses map onto them as follows (ResultOf):
//
//	pass           → pass
//	fail           → fail
//	error          → error   (the check itself failed)
//	notEvaluated   → error   (the control applies but could not be evaluated; the message
//	                          says why, and property status says notEvaluated)
//	notApplicable  → skip    (the control does not apply here)
//	manual         → warn    (a person must judge; not scored)
//	excepted       → skip    (a failure an owned exception sets aside: the user's input
//	                          deselects it; property exception says who, until when, why)
//
// notEvaluated is never pass, nor skip: skip says the policy was not selected or does not
// apply, which would hide that something that applies could not be seen. It is error, the
// OpenReports word for "could not be evaluated". A status kspm does not know is error too.
// Scored is set on pass, fail and error results: those that count toward the posture.
package openreports
