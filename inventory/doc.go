// Package inventory is kspm's data: an immutable snapshot of a cluster's objects, loaded from
// a live API server (FromKubeconfig, FromConfig, FromClientset; KubeconfigContexts lists a
// kubeconfig's clusters for a tool that scans several) or from manifests (LoadManifests), or
// assembled with a Builder.
//
// Built-in kinds (BuiltinKinds) are held as their typed Go structs, every other kind as
// unstructured data; each Object keeps where it came from (file and line of its document) for
// reports. Secrets never carry values. Indexes answer the lookups checks make — by kind, by
// namespace, by name, by UID — and PodTemplates yields every pod specification once, on the
// workload that owns it.
//
// The inventory records, for each kind, whether it was listed, forbidden, not served, or
// absent from the input (Coverage), so that a check can tell "there are none" from "we could
// not see" and report notEvaluated instead of a false pass. Manifests are a part of a cluster
// unless WithCompleteInput declares them the whole cluster (see Inventory.Whole). Problems met while loading
// (malformed documents, refused lists) are in Errors, each naming its file and line or its
// kind; the rest of the input loads regardless.
//
// Manifests may define one object (kind, namespace and name) in several places: variants, as
// repositories keep per environment or per install flavour. Every definition is kept and
// evaluated, with one warning per object (Warnings); a lookup on behalf of an object (what it
// references) goes through From, which resolves to the definition nearest it (see View).
//
// An Inventory is safe for concurrent use and must not be modified. The inventory knows
// nothing of checks, benchmarks or reports. Package inventory/rbac answers who can do what
// over it.
package inventory
