// Package secrets holds the "secrets" benchmark: how Secrets reach workloads, credentials
// written where Secrets belong, long-lived and stale Secrets, Secrets nothing uses, who can
// read each namespace's Secrets, and whether the API server encrypts them at rest.
//
// Every control works from metadata and references, and never reports a value: a Secret's
// data is not even in the inventory (the loaders drop it), and what the controls read of
// environment variables and ConfigMaps, to recognise credentials written into them, goes
// into messages only as the name of the variable or key and the reason it looks like a
// credential.
//
// Each control lives in its own file (check_<name>.go, with its tests beside it) whose top
// comment says what it inspects and what passes. What could not be seen is never a pass:
// a verdict that depends on objects the input may lack (a reference to a Secret from a
// workload not in the manifests, a grant from a binding not listed) is notEvaluated with
// the reason, unless the inventory stands for the whole cluster (inventory.Inventory.Whole).
//
// Secrets returns the controls as a benchmark; each is also available on its own from its
// constructor (SecretsInEnv, ...), to be mixed into other lists of checks.
package secrets
