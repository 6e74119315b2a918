// Package pss holds the Pod Security Standards benchmarks, with the verdicts of the Kubernetes
// Pod Security admission controller.
//
// The checks are not rewritten here: every control runs the check functions of
// k8s.io/pod-security-admission/policy, the code the API server's PodSecurity admission plugin
// runs, picked for the chosen policy version exactly as that plugin's evaluator picks them. This
// package adds what a posture scanner needs around them: one control per upstream check
// ("pss:<upstream check ID>") with a title, a description and a remediation of our own, a
// severity, the field each failure concerns, and a result for every pod template of the
// inventory (bare pods and the templates of every workload kind), reported on the object that
// owns it.
//
// Three benchmarks are built here:
//
//   - Baseline ("pss-baseline") and Restricted ("pss-restricted") evaluate every pod template
//     at one level and version (WithVersion; "latest" by default). Restricted holds the
//     restricted checks and the baseline checks that no restricted check replaces at that
//     version, as upstream does; a check that has no implementation yet at the version is left
//     out. The controls of both are listed by the upstream package, so a newer
//     k8s.io/pod-security-admission brings its new checks without a change here.
//   - Namespaces ("pss-namespaces") asks what admission does with the namespaces as labelled:
//     pss:namespace-enforce-label flags namespaces that enforce nothing, and
//     pss:namespace-violations, pss:namespace-audit-violations and
//     pss:namespace-warn-violations flag the workloads that break their own namespace's
//     enforce, audit and warn policy (the enforce mode rejects their next pod; audit and warn
//     only record or warn, hence three controls with three severities). The labels are read
//     with the upstream parser, so a bad label means what it means to admission: an invalid
//     enforce level enforces restricted, an invalid version means latest, an invalid audit or
//     warn level means privileged.
//
// WhatIf answers the rollout question "if these namespaces enforced level L at version V, which
// workloads would be rejected?"; WhatIfBenchmark gives the same answer as check results for a
// scanner.
//
// Versions: "latest" means the newest policy the admission controller knows, which is the
// cluster's own version. This package knows the policies of the k8s.io/pod-security-admission
// module it is built with; for an older cluster, say which with WithClusterVersion, or
// "latest" is evaluated as the newer policy.
//
// The inputs are defaulted as the API server would before admission sees them where the
// policy depends on it: a volume with no source is an emptyDir. Inventories read from a
// cluster are already defaulted.
package pss
