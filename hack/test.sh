#!/usr/bin/env bash
# The project's test command (the README's): unit tests with the race detector, then the
# integration tests against a real etcd and kube-apiserver on loopback. The first run builds
# both from the Go module proxy (hack/build-controlplane.sh: ~15 minutes cold on 2 cores,
# skipped once .cache/controlplane/bin holds them). The CLIs that the in-process renderers are
# compared with are built the same way into .cache/tools/bin: kustomize (hack/build-kustomize.sh,
# under a minute cold; KSPM_KUSTOMIZE) and helm (hack/build-helm.sh, ~5 minutes cold;
# KSPM_HELM), each skipped once built. The report tests validate SARIF against the published
# SARIF 2.1.0 schema, taken from the Go module proxy (hack/fetch-sarif-schema.sh;
# KSPM_SARIF_SCHEMA), and render the HTML report in headless Chromium, which
# hack/install-chromium.sh installs from the Debian packages when missing (12-17 s cold; the
# test skips without it).
#
# Extra arguments go to both `go test` runs (e.g. -run TestFaults -v).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n--- %s\n' "$*"; }

step "hack/build-controlplane.sh (etcd, kube-apiserver → .cache/controlplane/bin)"
hack/build-controlplane.sh

step "hack/build-kustomize.sh (the kustomize CLI that kspm's in-process builds are compared with → .cache/tools/bin)"
hack/build-kustomize.sh
export KSPM_KUSTOMIZE=$PWD/.cache/tools/bin/kustomize

step "hack/build-helm.sh (helm CLI → .cache/tools/bin, for the tests comparing chart rendering with helm template)"
hack/build-helm.sh
export KSPM_HELM="$PWD/.cache/tools/bin/helm"

step "hack/fetch-sarif-schema.sh (the SARIF 2.1.0 schema → .cache/schemas, for the report tests)"
KSPM_SARIF_SCHEMA=$(hack/fetch-sarif-schema.sh)
export KSPM_SARIF_SCHEMA

step "hack/install-chromium.sh (headless Chromium for the HTML report test; never fails the run)"
hack/install-chromium.sh

step "go test -race ./...${*:+ $*}"
go test -race ./... "$@"

step "go test -count=1 -tags integration ./internal/integration/...${*:+ $*}"
go test -count=1 -tags integration ./internal/integration/... "$@"
