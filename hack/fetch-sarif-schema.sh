#!/usr/bin/env bash
# Writes the published SARIF 2.1.0 JSON schema (OASIS, errata01) to .cache/schemas/ and prints
# its path, for the test that validates report.WriteSARIF's output against it (report:
# TestSARIFSchema, KSPM_SARIF_SCHEMA). The schema is not kept in this repository: it is taken
# from a Go module on the module proxy that ships it, github.com/owenrumney/go-sarif/v3, whose
# pkg/report/v210/sarif/schema.go holds it whole as a Go raw string. The version is pinned;
# nothing is downloaded but that module. Skipped when the file is already there. Cold: a
# second or two (one module of 400 KB); 0.04 s once the module is in the module cache.
set -euo pipefail

module=github.com/owenrumney/go-sarif/v3
version=v3.3.1
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.cache/schemas/sarif-schema-2.1.0.json
if [ -s "$out" ]; then
	printf '%s\n' "$out"
	exit 0
fi
# Outside the module: go mod download then neither reads nor writes this go.mod.
dir=$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "$module@$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
src=$dir/pkg/report/v210/sarif/schema.go
if [ ! -f "$src" ]; then
	printf 'fetch-sarif-schema: %s not found in %s@%s\n' "$src" "$module" "$version" >&2
	exit 1
fi
mkdir -p "$(dirname "$out")"
# The text between "const schema = `" and the closing back quote.
awk 'f && /^`/ {exit} f {print} /^const schema = `/ {f=1; sub(/^const schema = `/, ""); if (length) print}' "$src" >"$out.tmp"
if ! grep -q '"id": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"' "$out.tmp"; then
	printf 'fetch-sarif-schema: %s does not hold the OASIS SARIF 2.1.0 schema\n' "$src" >&2
	rm -f "$out.tmp"
	exit 1
fi
mv "$out.tmp" "$out"
printf '%s\n' "$out"
