// Package starter holds the "starter" benchmark: workload and cluster hygiene controls written in
// Go, a starting point that complements the Pod Security Standards and CIS benchmarks.
//
// Each control lives in its own file (check_<name>.go, with its tests beside it) whose top
// comment says what it inspects and what passes. The workload controls give one result per
// pod template: every bare pod and the template of every workload (Deployment, StatefulSet,
// DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), reported on the object that
// owns it; a failure names every offending container and points its field path at the first.
// When a kind the control reads could not be seen completely (forbidden or failed when listed
// from a cluster), the control adds one notEvaluated result naming it, so a clean-looking
// result list is never mistaken for a pass over objects that were not seen.
//
// Starter returns the controls as a benchmark; each is also available on its own from its
// constructor (SecretsInEnv, NamespaceNetworkPolicy), to be mixed into other lists of checks.
package starter
