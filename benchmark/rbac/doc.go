// Package rbac is the bundled "rbac" benchmark: the RBAC permissions attackers use to
// escalate, who holds them, and the bindings that could hand them out by accident.
//
// Each permission check reports one failing result per binding subject that holds the
// permission, on the binding, naming subject → binding → role → rule; grants on the
// allow-list are not reported: the "allow" parameter's entries, matched by name, and the
// grants of the API server's and kubeadm's default RBAC objects (DefaultAllowList),
// recognised by content, so that a binding merely named or labelled like a default one, or a
// default role edited to grant more, is reported. A check passes (one result without
// object) only when the RBAC objects are completely known and every binding's role is
// resolved; otherwise it reports notEvaluated with the reason, besides any failures found (a
// grant found is a fact whatever else is unseen).
//
// The checks share one rbac.Engine per inventory: build the benchmark once per scan.
package rbac
