// Package integration tests kspm against a real kube-apiserver and etcd on loopback
// (internal/testcluster): loading a realistic cluster page by page, scanning as a
// low-privilege user, listing Secrets as metadata only, RBAC engine parity with the API
// server's SubjectAccessReview, faults injected by internal/faultproxy, the scanner end to
// end, the least-privilege role of examples/deploy, and the monitor (package monitor) kept
// current through watches that the fault proxy breaks, closes and expires (410 Gone), its
// report equal to a one-shot scan's after every change.
//
// The tests carry the build tag "integration" and need the binaries that
// hack/build-controlplane.sh builds; hack/test.sh builds them and runs everything:
//
//	hack/build-controlplane.sh
//	go test -count=1 -tags integration ./internal/integration/...
//
// KSPM_PARITY_SEED and KSPM_PARITY_REQUESTS change the RBAC parity test's random seed and
// number of requests.
package integration
