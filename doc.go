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
package kspm
