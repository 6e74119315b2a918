// Package publish publishes a monitor's results (package monitor) where Kubernetes users
// already look: as report objects in the cluster (Reports) and as Prometheus metrics
// (Metrics). Both are fed the monitor's updates (monitor.WithUpdates) and keep the current
// results from them, so that publishing follows what changed and not the size of the cluster.
//
// # What is current
//
// At the first update, the current results are the monitor's report (Monitor.Report) and the
// notEvaluated stand-ins the update's deltas carry (a result that could no longer be
// evaluated, because its kind became forbidden or its check cannot run, which a report does
// not list); after it, each update's deltas (keyed by monitor.Key) change them. So a finding
// whose object can no longer be seen stays published, as notEvaluated, until it is evaluated
// again: it is never taken for resolved.
//
// # Report objects
//
// Reports writes one OpenReports Report (openreports.io/v1alpha1) per namespace holding the
// results about that namespace's objects, and a ClusterReport for the results about
// cluster-scoped objects and about no object; with WithKinds(PolicyReports), the same as
// wgpolicyk8s.io/v1alpha2 PolicyReports and ClusterPolicyReports. The results are those of
// package report/openreports, where the mapping of statuses is documented (notEvaluated is
// error, never pass or skip). By default only findings are written (fail, warn, error: see
// WithResults): a cluster's pass results are the number of its objects times the checks that
// apply to each, which would weigh on etcd; the report's configuration (limits.statusFilter)
// says so to its readers.
//
// Size: a report object holds at most WithMaxResults results (DefaultMaxResults) and about
// MaxPartBytes of them in JSON, well under etcd's 1.5 MiB request limit. A scope with more is
// split into numbered parts named <instance>-<n> (kspm-0, kspm-1, ...), never truncated. The
// results about one object stay in one part, and stay in the part they are in while it has
// room, so that a change to one object rewrites one part; parts are packed again when they
// hold less than half of what they could. Parts no longer needed are deleted.
//
// Ownership: every object written carries the labels app.kubernetes.io/managed-by=kspm,
// kspm.dev/instance=<instance> (WithInstance; this label links the parts of a report) and
// kspm.dev/part=<n>. Reports reads, updates and deletes only objects with the first two: an
// object of the same name without them is left alone and reported as an error, and another
// instance's objects are not touched.
//
// Writes only on change: Reports remembers what it wrote (and, after Load, what the cluster
// held), and writes an object only when its labels or content differ. A restarted monitor
// calls Load first: it reads the objects back (their results, when each was found, and which
// part holds which object), so that identical objects are not written again, and returns the
// results for monitor.WithPrevious, so that the restart emits no false deltas either.
//
// Rate: writes go through a work queue keyed by scope (one namespace, or the cluster), which
// coalesces the updates that arrive while a scope waits (WithDelay), retries a failed scope
// with exponential backoff, and a token bucket (WithWriteRate) bounds the writes per second,
// besides the client's own rate limit. A conflict (409) is answered by reading the object
// again and writing on top of it.
package publish
