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
//   - Run and Scan (this package) run checks concurrently and return typed results;
//   - package report writes them as JSON or text.
//
// A verdict is never a false pass: what could not be evaluated is reported as notEvaluated
// (or notApplicable) with the reason. For Go and CEL checks alike, the kinds a check reads are
// declared in check.Meta.Kinds and a kind not seen completely yields a notEvaluated result
// (see Run). A run with no checks, two different checks with one ID (see Scan on check
// identity), and parameters for a check not in the run or that it does not take are errors.
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
//   - starter:namespace-network-policy, starter:secrets-in-env, starter:workload-default-sa;
//   - every check of the rbac benchmark: rbac:admission-write, rbac:bind-escalate,
//     rbac:cluster-admin-binding, rbac:create-persistentvolumes, rbac:create-pods,
//     rbac:csr-approval, rbac:default-serviceaccount-bindings, rbac:impersonate,
//     rbac:missing-role, rbac:missing-serviceaccount, rbac:nodes-proxy, rbac:pod-exec,
//     rbac:secrets-read-cluster-wide, rbac:secrets-read-namespaced, rbac:serviceaccount-token,
//     rbac:system-group-bindings, rbac:unused-serviceaccount, rbac:wildcard-rules,
//     rbac:workload-serviceaccount;
//   - CIS control-plane flags, read from control-plane pods (notApplicable when none is in the
//     manifests): cis:1.2.1 to cis:1.2.27, cis:1.2.29, cis:1.2.30, cis:1.3.1 to cis:1.3.7,
//     cis:1.4.1, cis:1.4.2, cis:2.1 to cis:2.7, cis:3.2.1, cis:5.5.1;
//   - CIS objects: cis:4.3.1 (kube-proxy), cis:5.1.1 to cis:5.1.13 (RBAC and service account
//     tokens), cis:5.2.1 (admission policy), cis:5.3.2 (NetworkPolicy), cis:5.4.1 (ConfigMaps
//     read into the environment);
//   - pss:namespace-enforce-label when the manifests hold no Namespace (notEvaluated without
//     the option; under it, nothing to judge, so notApplicable).
//
// The other Pod Security Standards checks (pss-*) and kspm checks judge each object on its own
// and do not change.
package kspm
