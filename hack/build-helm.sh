#!/usr/bin/env bash
# Builds the helm CLI from the Go module proxy into .cache/tools/bin/helm, at the version of
# helm.sh/helm/v4 in go.mod, for the tests that compare kspm's in-process chart rendering with
# `helm template` (inventory/helm, KSPM_HELM). Nothing is downloaded from anywhere but the
# module proxy. Skipped when the binary there is already of that version. Cold (empty Go build
# cache): 280 s on 2 cores (340 CPU-seconds); 600 s when other jobs share them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/.cache/tools/bin
cd "$root"
version=$(go list -m -f '{{.Version}}' helm.sh/helm/v4)

# go version -m names the module version a binary was built from.
if [ -x "$bin/helm" ] && go version -m "$bin/helm" | grep -Eq "^[[:space:]]+mod[[:space:]]+helm.sh/helm/v4[[:space:]]+$version([[:space:]]|\$)"; then
	exit 0
fi
mkdir -p "$bin"
printf 'build-helm: building helm %s\n' "$version" >&2
# go install PKG@VERSION builds the CLI as its own module (helm's go.mod), as a user would get
# it, independent of this module's requirements.
GOBIN="$bin" GOFLAGS=-buildvcs=false go install -trimpath "helm.sh/helm/v4/cmd/helm@$version"
printf 'build-helm: ready: %s\n' "$bin/helm" >&2
