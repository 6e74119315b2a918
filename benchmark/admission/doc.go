// Package admission builds the benchmark "admission-policies": the cluster's own
// ValidatingAdmissionPolicies, applied to what already runs. A policy judges objects only
// when they are written; this benchmark judges every object of an inventory as the API server
// would judge its creation, so that a policy added today says which of last year's objects it
// would reject, and a policy not yet applied (given beside the inventory, see LoadFile and
// WithObjects) says what it would reject before it is.
//
// Each ValidatingAdmissionPolicy is one check, "vap:" and its name (the family prefix of
// this package is "vap:", for ValidatingAdmissionPolicy); it reports one result per object
// and binding that the policy matches: fail with the policy's message when the API server
// would find the object in breach, pass when it would not. check.Result.Admission names the
// binding and its validationActions: a failure through a Deny binding is an object the API
// server would reject, through Warn one it would admit with a warning, through Audit one it
// would only record. Objects the policy does not match (its matchConstraints, the binding's
// matchResources, its matchConditions) get no result: the policy does not apply to them.
//
// The verdicts are the API server's: matching (resourceRules, excludeResourceRules,
// namespaceSelector, objectSelector, matchPolicy), matchConditions, variables, params
// (paramKind and paramRef by name or selector, parameterNotFoundAction), validations with
// message, messageExpression and reason, auditAnnotations and failurePolicy are the code of
// k8s.io/apiserver at the version of client-go, fed as it would be for a create: object is
// the object as the inventory holds it (from a cluster, as stored; from manifests, with the
// defaults inventory.ApplyDefaults sets), oldObject is null, request.operation is CREATE and
// request.dryRun true. Policies and bindings are defaulted and validated as the API server
// does when it stores them; one it would refuse gets one error result and judges nothing.
//
// What cannot be known offline is never a pass:
//   - authorizer and request.userInfo (who makes the request) have no meaning offline: a
//     validation that reads them (found from the compiled expression's references, through
//     variables too) makes the result notEvaluated unless another validation rejects the
//     object; a matchCondition that reads them, unless another one excludes the object; a
//     messageExpression that reads them gives way to the validation's message;
//   - a verdict that depends on request.dryRun (a policy that reads it, or request.options,
//     and judges the same request not dry-run otherwise) is notEvaluated: a real create is
//     not a dry run;
//   - a Namespace, param or resource the input lacks, when the verdict depends on it, makes
//     the result notEvaluated with the reason; so does a policy that matches the object only
//     at another API version (the API server would convert it; kspm does not convert), and a
//     paramKind that is not a built-in kind and that no CustomResourceDefinition of the input
//     defines (the API server fails every request the policy matches when it cannot resolve
//     it: kspm then follows the failurePolicy, when the input shows it cannot);
//   - a CEL error, a missing param under parameterNotFoundAction Deny or a misconfigured
//     binding follow the failurePolicy: an error result under Fail (the API server rejects
//     the object), notEvaluated under Ignore (it admits the object unjudged).
//
// Cost: each evaluation has the API server's CEL cost limits. The API server spends them once
// per request, a scan once per object: after a policy has run out of its budget on a few
// objects of a run, its remaining objects are notEvaluated, so that one costly policy cannot
// hold a scan for hours.
//
// The package links k8s.io/apiserver; programs that do not import it do not.
package admission
