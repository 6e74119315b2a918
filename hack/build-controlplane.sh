#!/usr/bin/env bash
# Builds etcd and kube-apiserver from the Go module proxy into .cache/controlplane/bin, for the
# integration tests. Nothing is downloaded from anywhere but the module proxy. Skips a binary that
# already exists. Cold: ~15 min on 2 cores (about 930 CPU-seconds); with a warm Go build cache,
# under a minute.
set -euo pipefail

ETCD_VERSION=${ETCD_VERSION:-v3.7.3}
KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
STAGING_VERSION=v0${KUBE_VERSION#v1}

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${KSPM_CONTROLPLANE_DIR:-$root/.cache/controlplane}
bin=$cache/bin
mkdir -p "$bin"

log() { printf 'build-controlplane: %s\n' "$*" >&2; }

# quiet runs a command with its output kept in a log, shown only if it fails.
quiet() {
	local out
	if ! out=$("$@" 2>&1); then
		printf '%s\n' "$out" >&2
		return 1
	fi
}

build_etcd() {
	if [ -x "$bin/etcd" ]; then return; fi
	local src=$cache/src-etcd
	rm -rf "$src" && mkdir -p "$src" && cd "$src"
	log "building etcd $ETCD_VERSION"
	go mod init kspm.local/etcd-build >/dev/null 2>&1
	quiet go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
	go build -trimpath -buildvcs=false -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3
	mv "$bin/etcd.tmp" "$bin/etcd"
}

build_apiserver() {
	if [ -x "$bin/kube-apiserver" ]; then return; fi
	local src=$cache/src-apiserver
	rm -rf "$src" && mkdir -p "$src" && cd "$src"
	log "building kube-apiserver $KUBE_VERSION (cold: ~15 minutes)"
	go mod init kspm.local/apiserver-build >/dev/null 2>&1
	# k8s.io/kubernetes replaces its staging modules with local paths, which a dependent module
	# cannot follow: pin each to its published version instead.
	local gomod
	gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
	grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$gomod" | awk -v v="$STAGING_VERSION" '{print "replace " $1 " => " $1 " " v}' >>go.mod
	quiet go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION"
	go build -trimpath -buildvcs=false \
		-ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${STAGING_VERSION#v0.}" \
		-o "$bin/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
	mv "$bin/kube-apiserver.tmp" "$bin/kube-apiserver"
}

build_etcd
build_apiserver
log "ready: $bin"
