// Package kspm is a library for Kubernetes Security Posture Management: it finds security
// misconfigurations in a cluster's objects — RBAC, pod security, network policy, secrets,
// workload settings, control-plane flags — from a live cluster or from manifests.
//
// The flow is load → select → run → report:
//
//   - package inventory loads an immutable snapshot of objects (from a clientset, a
//     kubeconfig, or manifest files) and records, per kind, whether it could be seen;
//   - package check is the SDK for controls written in Go or CEL;
//   - package benchmark and its subpackages hold the bundled benchmarks;
//   - Run and Scan (this package) run checks concurrently and return typed results (ScanJSON
//     writes Scan's report as JSON while it makes the results, without holding them all);
//   - package report writes them as JSON or text, and as SARIF, JUnit XML, Markdown, HTML or
//     CSV (report.Write).
//   - package monitor keeps the results current over a watched cluster, re-running only what
//     each change can affect.
//
// # The contract
//
// The same rules hold for Go and CEL checks, and for the scanner and an embedding program
// alike (the scanner adds nothing to them).
//
// What a check declares, in check.Meta (a CEL check's in its CELSpec, from the same fields):
//   - identity: ID, Title, Severity and Remediation are required (check.Validate). Two checks
//     are the same control when their IDs and their whole Meta but Depends are equal
//     (check.SameControl); a control several benchmarks hold runs once, and a different check
//     reusing a taken ID is an error;
//   - Kinds, the kinds it reads; Requires, the kinds every one of its verdicts depends on
//     completely (a cross-object rule: "no NetworkPolicy in this namespace");
//   - Params, its parameters (name, type, default). A Go check takes only the parameters it
//     declares; a CEL check those of CELSpec.Params or that its expressions read;
//   - Manual, for a control a person must review;
//   - Depends (check.Dependencies), for a driver that keeps results current as objects change
//     (package monitor): every kind the results depend on and, for an incremental check,
//     Affected, which maps a changed object to the objects whose results it can change. Such
//     a check may be run for some objects only (Pass.Targets): it then reports about those
//     only, reading them through Pass.PodTemplates and Pass.Objects, exactly what a whole run
//     reports about them. A check without Depends is re-run whole on every change, never
//     skipped; the one-shot runner ignores Depends.
//
// What the runner (Run, Scan, ScanJSON) guarantees:
//   - statuses: each result is pass, fail, notEvaluated (could not be judged: the reason
//     says why), notApplicable (does not apply, or nothing to judge), manual or error (the
//     check failed). What could not be seen is never a pass;
//   - coverage: when a kind of Requires was not listed completely (forbidden, failed,
//     incomplete, or absent from manifests) the check is not run and gets one notEvaluated
//     result naming it; when a kind of Kinds was not seen completely, the check runs and gets,
//     beside its results over what was seen, one notEvaluated result about no object naming
//     it (see check.UnseenKinds);
//   - visibility: every check that runs has at least one result: one that reported nothing
//     gets a notApplicable result (check.NothingReported), and report.Report.Checks lists every
//     check with its counts per status, zeros included;
//   - failures stay results: a panic (check.PanicError, with its stack), a returned error, an
//     overrun of WithCheckTimeout, and a finding a report could not hold (an unknown status,
//     Pass.Error with a nil error) become error results carrying the error in Result.Err; the
//     other checks go on;
//   - order: results are grouped by check in the order given (benchmark by benchmark), and
//     within a check the results about no object come first, then by object (group, kind,
//     namespace, name), field, status and message, whatever the parallelism;
//   - concurrency: checks run concurrently over one immutable inventory; each check's run
//     function is called once per Run, with a Pass of its own.
//
// What is an error (Run, Scan and ScanJSON return it, and no results): no checks to run (ErrNoChecks,
// also for a benchmark with none), invalid checks or two different checks with one ID
// (ErrInvalidChecks), parameters for a check not in the run (ErrUnknownCheck) or that it does
// not take (ErrInvalidParams), and ctx ending before every check has run.
//
// Exceptions (WithExceptions, package exception) and a baseline (WithBaseline) are applied to
// the results of Scan and ScanJSON alike, after the checks ran: only failures are set aside
// (status excepted, never removed; notEvaluated and error never), and a baseline finding is
// resolved only when the check could have shown it again.
//
// # Manifests as the whole cluster
//
// By default manifests are a part of a cluster: a kind with no object in them is Absent
// (whether the cluster has any cannot be told), and an object a reference names but the
// manifests lack may be defined elsewhere, so checks that need "there are none" report
// notEvaluated. inventory.WithCompleteInput (the scanner's --complete) declares the manifests
// the whole cluster: such a kind is Listed with a count of 0, and Inventory.Whole reports true,
// so a missing referenced object does not exist, as for a cluster listed completely. A kind
// that a document which failed to load may have held stays Incomplete. Objects the control
// plane creates itself (each namespace's default ServiceAccount, the bootstrap RBAC roles) are
// taken to exist, and pod labels known only at run time stay unknown, as without the option.
// These bundled checks, and no others, can change verdict under it:
//   - workloads:missing-serviceaccount, workloads:resource-limits, workloads:resource-requests
//     (LimitRanges), workloads:workload-default-sa;
//   - secrets:env-credentials (ConfigMaps read into the environment), secrets:readers (RBAC),
//     secrets:unreferenced;
//   - network checks that need every NetworkPolicy, pod or Service: network:namespace-default-deny,
//     network:workload-ingress-isolation, network:workload-egress-isolation,
//     network:reachable-from-all-namespaces, network:policy-selects-nothing,
//     network:dangling-services, network:dangling-ingresses;
//   - every check of the rbac benchmark: rbac:admission-write, rbac:bind-escalate,
//     rbac:cluster-admin-binding, rbac:create-persistentvolumes, rbac:create-pods,
//     rbac:csr-approval, rbac:default-serviceaccount-bindings, rbac:impersonate,
//     rbac:missing-role, rbac:missing-serviceaccount, rbac:nodes-proxy, rbac:pod-exec,
//     rbac:secrets-read-cluster-wide, rbac:secrets-read-namespaced, rbac:serviceaccount-token,
//     rbac:system-group-bindings, rbac:unused-serviceaccount, rbac:wildcard-rules,
//     rbac:workload-serviceaccount;
//   - CIS objects: cis:5.1.1 to cis:5.1.13 (RBAC and service account tokens), cis:5.2.1 (admission policy), cis:5.3.2 (NetworkPolicy), cis:5.4.1 (ConfigMaps
//     read into the environment);
//   - the opt-in org pack: org:namespace-resource-quota, org:namespace-limit-range
//     (ResourceQuotas, LimitRanges), org:allowed-registries and org:no-latest-in-production
//     (a workload's Namespace, which CEL's namespaceObject reads);
//   - pss:namespace-enforce-label when the manifests hold no Namespace (notEvaluated without
//     the option; under it, nothing to judge, so notApplicable).
//
// The other Pod Security Standards checks (pss-*), workloads, secrets and network checks judge
// each object on its own and do not change. Nor do the CIS control-plane flags and the
// secrets benchmark's encryption at rest: without a control-plane pod in the manifests, the control
// plane's configuration is unknown (notEvaluated) with or without the option.
package kspm
