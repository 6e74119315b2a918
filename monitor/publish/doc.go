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
// kspm.dev/part=<n>. Reports reads, updates and deletes only objects with the first two, and
// another instance's objects are not touched. An object of a name Reports should write
// without them (someone else's, or one whose labels someone changed) is never overwritten
// nor deleted: Reports warns once, counts it in ReportStats.Foreign, writes the rest of the
// scope, keeps the scope's parts no longer needed (they may hold the results meant for that
// name), and tries the name again at the reconcile's pace until it is free. It does not take
// another name: the parts' names are how a restarted monitor finds its parts again.
//
// Writes only on change: Reports remembers what it wrote (and, after Load, what the cluster
// held), and writes an object only when its labels or content differ.
//
// Reconcile: the cluster is not only Reports' to change (kubectl delete, a GitOps prune,
// another controller). Every WithReconcile period (DefaultReconcile), Run lists the
// instance's objects and queues again each scope whose objects differ from what it wrote:
// deleted (or relabelled out of the instance), edited, recreated with other content, or
// unknown to it (deleted when not needed). What it reads becomes what it remembers (content,
// uid, resourceVersion), so that a write on top of an object recreated by someone else does
// not carry a stale resourceVersion, and a matching object is not written. The reconcile
// lists, rather than watches, so that it costs one paged list per kind and period whatever
// happens in the cluster; ReportStats.Repairs counts the scopes it mended. A restarted monitor
// calls Load first: it reads the objects back (their results, when each was found, and which
// part holds which object), so that identical objects are not written again, and returns the
// results for monitor.WithPrevious, so that the restart emits no false deltas either.
//
// Rate: writes go through a work queue keyed by scope (one namespace, or the cluster), which
// coalesces the updates that arrive while a scope waits (WithDelay), retries a failed scope
// with exponential backoff, and a token bucket (WithWriteRate) bounds the writes per second,
// besides the client's own rate limit. A conflict (409) is answered by reading the object
// again and writing on top of it. When a part's write fails, the parts no longer needed are
// kept until it succeeds: the results moving into it are never missing meanwhile.
package publish
