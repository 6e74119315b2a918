// Package monitor keeps a cluster's posture current: it lists and watches the cluster
// (inventory.Watch: one client-go Reflector per kind), re-evaluates only what each change can
// affect, and publishes a stream of deltas (WithUpdates) and the current full report on demand
// (Report, the same typed results as kspm.Scan's over the same inventory).
//
// It sits beside package kspm, which it drives: kspm.Checks picks the checks of the benchmarks
// as kspm.Scan does, kspm.Run runs a check over the whole inventory with the runner's
// guarantees, and the checks' own Meta.Depends (check.Dependencies) says which changes, and
// for an incremental check which objects, a re-run needs.
//
// # Snapshots
//
// Each evaluation sees an immutable inventory, so checks keep their concurrency guarantees: the
// watch derives each snapshot from the one before with inventory.Inventory.With, which shares
// every object and index the changes leave alone (an overlay of the changed objects over a
// flat base, rebuilt flat when the overlay grows past about twice the square root of the
// inventory's size). The inventory is held once: the reflectors keep no cache of their own.
//
// # What is re-run
//
// For a set of changed objects (each known before and after), a check is:
//   - left alone when no changed object is of a kind its Depends.Kinds names;
//   - re-run whole when it declares no Depends (every change re-runs it: never skipped), has
//     no Affected, or when the coverage of one of its kinds changed (a kind became forbidden);
//   - otherwise re-run for the objects Affected maps the changes to, its results about other
//     objects kept; a run for targets that fails, reports about another object, or whose
//     results about objects come to nothing or stop being so, is done again whole.
//
// A new listing of namespace default's other resources (inventory.WithDefaultNamespaceListing,
// which the watch makes again every inventory.WithDefaultNamespaceRefresh period and installs
// only when it says something new) re-runs whole the checks whose Depends.DefaultNamespace is
// set, and those that declare no Depends; no other. A result about a listed object that the
// next listing lacks is resolved when its resource was listed completely, and changes to a
// notEvaluated stand-in when it was not (forbidden, failed).
//
// Every check is also re-run whole at the first evaluation and every WithResync period (an
// hour by default), for the checks whose results depend on the time.
//
// # Deltas
//
// A result's identity (Key) is its check, its object's kind, namespace and name, and its
// field: not its message, nor its order. Each evaluation's deltas are the results opened,
// resolved and changed since the evaluation before. A relist of a kind after a 410 Gone, or a
// watch restarted, changes nothing unless objects did, so it emits nothing. A result that
// could no longer be evaluated (its object's kind became forbidden, the check cannot run or
// failed; for a result about no object, the check's new results say it could not see
// everything) is not resolved: it changes to a notEvaluated stand-in that says why, until it
// is evaluated again; the report, like kspm.Scan's, does not list stand-ins. A restarted monitor
// given the results it published before (WithPrevious) reports only what differs from them.
//
// # Memory
//
// Stats reports the objects and results held, how much of the inventory is not shared with
// the snapshots before (Overlay), and the process's live heap (HeapLiveBytes, from
// runtime/metrics "/gc/heap/live:bytes"): in a process that runs only a monitor, the
// monitor's memory. Results are kept compact (the verdict, field and message per object and
// check; the check's metadata and the object's reference are added when a report or a delta
// is made). docs/PERFORMANCE.md compares the heap of a monitor with a one-shot scan's.
package monitor
