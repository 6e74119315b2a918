#!/usr/bin/env bash
# Builds the kustomize CLI from the Go module proxy into .cache/tools/bin/kustomize, for the
# tests that compare kspm's in-process builds with `kustomize build` (hack/test.sh passes its
# path in KSPM_KUSTOMIZE). The version built is KUSTOMIZE_VERSION, and it must be the release
# whose sigs.k8s.io/kustomize/api is the one in go.mod (the script checks), so that both sides
# run the same kustomize. Skips the build when that version is already there. Nothing is
# downloaded from anywhere but the module proxy.
set -euo pipefail

KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.8.2}

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/.cache/tools/bin
mkdir -p "$bin"

log() { printf 'build-kustomize: %s\n' "$*" >&2; }

if [ -x "$bin/kustomize" ] && [ "$("$bin/kustomize" version 2>/dev/null)" = "$KUSTOMIZE_VERSION" ]; then
	exit 0
fi

want=$(cd "$root" && go list -m -f '{{.Version}}' sigs.k8s.io/kustomize/api)
gomod=$(cd "$root" && go mod download -json "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" |
	sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
have=$(awk '$1 == "sigs.k8s.io/kustomize/api" { print $2 }' "$gomod")
if [ "$have" != "$want" ]; then
	log "kustomize $KUSTOMIZE_VERSION uses sigs.k8s.io/kustomize/api $have, go.mod has $want:" \
		"set KUSTOMIZE_VERSION to the release that uses $want"
	exit 1
fi

log "building kustomize $KUSTOMIZE_VERSION (api $want)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && GOBIN=$tmp GOFLAGS=-trimpath go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION")
mv "$tmp/kustomize" "$bin/kustomize"
