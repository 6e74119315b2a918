// Package workloads holds the "workloads" benchmark: workload hygiene controls written in Go
// (and one in CEL), beside the Pod Security Standards and CIS benchmarks. They judge what a
// pod runs with: privilege and the node's namespaces, hostPath volumes, images (tags,
// digests, registries, pull policy), resource requests and limits (with the defaults a
// namespace's LimitRange sets at admission), the root filesystem, the root group, probes,
// ports, the ServiceAccount a pod runs as, pods no controller manages, and what is kept in
// namespace default.
//
// Each control lives in its own file (check_<name>.go, with its tests beside it and its
// fixtures under testdata/<name>) whose top comment says what it inspects and what passes.
// The pod controls give one result per pod template: every bare pod and the template of
// every workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
// CronJob), reported on the object that owns it; a failure names every offending container
// and points its field path at the first. A template is judged as the API server will run
// it: the loader applies the API server's defaults (pull policy, requests from limits), and
// the controls apply what admission adds (LimitRange defaults). When a kind a control reads
// could not be seen completely (forbidden or failed when listed from a cluster), the control
// adds one notEvaluated result naming it, so a clean-looking result list is never mistaken
// for a pass over objects that were not seen.
//
// Workloads returns the controls as a benchmark; each is also available on its own from its
// constructor (Privileged, ResourceLimits, ...), to be mixed into other lists of checks.
package workloads
