// Package exception sets failing results aside under governed exceptions: each names the
// checks and objects it covers, why, who answers for it and until when. A result it sets
// aside is not removed: its status becomes check.StatusExcepted, and check.Result.Exception
// keeps the status the check gave with the exception's reason, owner, expiry and place in
// its file. Exceptions that have expired, or that set nothing aside, are reported
// (report.ExceptionsSummary), so that none outlives its purpose unseen.
//
// # The file
//
//	apiVersion: kspm.dev/v1alpha1
//	kind: Exceptions
//	exceptions:
//	- id: legacy-billing-root          # optional; unique in the file
//	  checks: [workloads:run-as-non-root, "pss:*"]   # required: check IDs or globs
//	  objects:                         # optional: absent means every result of the checks
//	  - kind: Deployment               # globs; an absent field matches anything
//	    namespace: billing
//	    name: "legacy-*"
//	    labels: "team=billing,tier in (batch)"   # a Kubernetes label selector
//	  reason: vendor image runs as root; replacement tracked in BILL-123   # required
//	  owner: billing-team@example.com  # required
//	  expires: 2026-06-30              # required: the last day it applies, in UTC
//
// Decoding is strict: an unknown or repeated field, a value of the wrong type, an anchor or
// alias, or a file of more than MaxFileSize bytes or MaxEntries exceptions is an error naming
// the file and line. A file may hold several such documents.
//
// Globs: * matches any run of characters (":" and "/" included, so "cis:5.*" and
// "vap:*/deny-*" work) and ? one character; every other character stands for itself. A
// check ID glob is matched against the whole ID, a kind against the object's kind (e.g.
// Deployment), a namespace against its namespace ("" for a cluster-scoped object, which
// therefore matches only an absent namespace or one of *), a name against its name. labels
// is parsed by k8s.io/apimachinery/pkg/labels (=, ==, !=, in, notin, exists, !key) and
// matched against the labels of the very definition judged: where the input defines an
// object in several files (variants), each definition is matched on its own labels.
//
// # Which results
//
// Only failures are set aside. A notEvaluated or error result says the check could not tell,
// and an exception never hides that: an exception matching only such results is reported as
// unused, with the reason. Results about no object (a check as a whole, the cluster) are
// matched only by exceptions without objects.
//
// An exception whose checks match every ID (only * in a glob) must name objects, none of
// which may match every object: one exception may not silence a whole scan.
//
// Where several exceptions match a failure, the first in the file (the first file first)
// sets it aside; the others count it as shadowed, and one that only ever was shadowed is
// reported as unused.
//
// # Expiry
//
// expires is a date, and the exception applies through the whole of that day in UTC: one
// that expires 2026-06-30 applies until 2026-07-01T00:00:00Z and not from that instant on,
// whatever the time zone of the machine or of the clock given. An expired exception sets
// nothing aside and is reported with the failures it still matches.
//
// # Annotations on objects
//
// Exemptions written on an object (annotation AnnotationExempt: comma-separated check IDs or
// globs, with the reason in AnnotationReason) are off by default: anyone who may edit an
// object could silence its findings. WithAnnotationExemptions enables them; they then apply
// after the file's exceptions, with owner check.AnnotationOwner and no expiry, only with a
// reason, and the report says they were used (report.AnnotationExemptions).
package exception
