// Package authz answers "who can do what" over an inventory, with the semantics of the
// Kubernetes API server's RBAC authorizer, and explains each answer.
//
// An Engine is built once from an inventory (New) and is then safe for concurrent use.
// Can asks whether one identity may make one request and returns every grant that allows
// it; WhoCan returns every binding subject granted a request. Each Grant names the subject
// as its binding names it, the binding, the role, and the rule.
//
// The rules followed are the authorizer's:
//   - a ClusterRoleBinding grants its ClusterRole's rules in every namespace and for
//     cluster-scoped and non-resource requests; a RoleBinding grants its Role's or
//     ClusterRole's rules only for requests in the binding's namespace; a ClusterRoleBinding
//     that references a Role, or a binding whose role does not exist, grants nothing;
//   - the questions about any namespace (CanAnywhere, WhoCanAnywhere) count a RoleBinding for
//     the request as the API server authorizes it in the binding's namespace
//     (Request.Within): a request on a cluster-scoped resource carries no namespace, so a
//     RoleBinding never grants it, except bind on ClusterRoles, which the API server asks in
//     the namespace of the RoleBinding being written, and get, update, patch, delete or watch
//     of a Namespace object, authorized in the namespace it names (so a RoleBinding grants
//     them on its own Namespace only: for a request naming it, or asking about some
//     Namespace with AnyName, never for all of them, nor list or create namespaces); Can and
//     WhoCan take the request's attributes as given, as a SubjectAccessReview does;
//   - a binding subject applies to an identity when it is a User of the identity's name, a
//     Group the identity belongs to, or a ServiceAccount whose user name
//     ("system:serviceaccount:NAMESPACE:NAME") is the identity's name; a ServiceAccount
//     subject without a namespace takes the RoleBinding's namespace;
//   - a rule allows a resource request when it names the verb (or "*"), the API group (or
//     "*"), the resource, "resource/subresource", "*" or "*/subresource", and, when it lists
//     resourceNames, the request's name (so a rule with resourceNames never allows a request
//     without a name, such as list or create); it allows a non-resource request when it names
//     the verb and the path, "*", or a prefix of the path followed by "*". A rule resource
//     "pods/*" is not a wildcard: it matches only the literal subresource "*".
//
// Aggregated ClusterRoles (aggregationRule) are resolved the way the aggregation controller
// does for inventories read from manifests, where no controller has filled them in: the
// role's rules are replaced by the union of the rules of every other ClusterRole matching
// any of its selectors. When those selectors match a built-in ClusterRole the input does not
// define (system:aggregate-to-admin, say), or the role's stored rules include some that no
// ClusterRole of the input supplies (a partial dump), the role's rules may be incomplete:
// Role.Incomplete says why, and Complete reports it for bound roles, so that a missing grant
// is not read as "nobody can". Inventories listed from a cluster use the rules stored there,
// which the controller keeps up to date and which are what the authorizer reads.
//
// The engine models RBAC only. Other authorizers (the Node authorizer, the system:masters
// group's bypass, webhooks) are outside its answers.
package authz
