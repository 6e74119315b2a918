#!/usr/bin/env bash
# compare.sh: the reproducible performance comparison of docs/PERFORMANCE.md.
#
# It generates synthetic corpora of realistic manifests (hack/gen-manifests), builds the
# scanner (examples/scan) and the decode floor (hack/decode-floor), installs kube-score
# v1.20.0 with `go install` into .cache/tools, then runs, on each corpus:
#   floor       sigs.k8s.io/yaml decoding every document into map[string]any, on one core
#   kspm        the scanner with every bundled benchmark (its default), -o json > /dev/null
#   kube-score  `kube-score score` on the same files, output discarded
# measuring wall time, user+sys CPU and peak RSS with /usr/bin/time, and prints a table
# with ratios. Everything it makes is under .cache/ (ignored by git).
#
# Usage: hack/compare.sh [--no-kube-score] [--runs N] [--quick]
#   --no-kube-score  skip kube-score (it takes minutes on the 50,000-object corpora)
#   --runs N         run the floor and kspm N times per corpus and keep the fastest run
#                    (default 1; kube-score runs once: it is the slow one)
#   --quick          10,000-object corpora only (a smoke test of the script)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
cache=$root/.cache/compare
bin=$root/.cache/bin
tools=$root/.cache/tools
kube_score_version=v1.20.0

with_kube_score=1
runs=1
quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--no-kube-score) with_kube_score=0 ;;
	--runs) runs=$2; shift ;;
	--quick) quick=1 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

log() { echo "compare.sh: $*" >&2; }

# What the script needs: Go (for the builds), GNU time (for CPU and peak RSS).
command -v go >/dev/null || { log "go is not installed"; exit 1; }
if [ ! -x /usr/bin/time ]; then
	log "installing GNU time"
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && apt-get install -y -qq time >/dev/null
	else
		sudo apt-get update -qq && sudo apt-get install -y -qq time >/dev/null
	fi
fi

mkdir -p "$cache" "$bin" "$tools"
log "building the scanner, the decode floor and the generator"
go build -o "$bin/kspm-scan" ./examples/scan
go build -o "$bin/decode-floor" ./hack/decode-floor
go build -o "$bin/gen-manifests" ./hack/gen-manifests
if [ "$with_kube_score" = 1 ] && [ ! -x "$tools/kube-score" ]; then
	log "installing kube-score $kube_score_version (go install; takes a few minutes once)"
	GOBIN=$tools go install "github.com/zegl/kube-score/cmd/kube-score@$kube_score_version"
fi

# Corpora: name, objects, files (0 = one file).
if [ "$quick" = 1 ]; then
	corpora=("10k-one 10000 0" "10k-many 10000 2200")
else
	corpora=("10k-one 10000 0" "10k-many 10000 2200" "50k-one 50000 0" "50k-many 50000 11000" "100k-one 100000 0")
fi
for c in "${corpora[@]}"; do
	read -r name n files <<<"$c"
	path=$cache/$name
	[ "$files" = 0 ] && path=$path.yaml
	if [ ! -e "$path" ]; then
		log "generating $name"
		"$bin/gen-manifests" -n "$n" -files "$files" -o "$path" >/dev/null
	fi
done

# measure TOOL CORPUS RUNS CMD...: runs CMD RUNS times, keeps the fastest run, appends a
# result row (corpus tool wall cpu rss_mb exit) to $results.
results=$cache/results.tsv
: >"$results"
measure() {
	local tool=$1 corpus=$2 n=$3
	shift 3
	local best_wall="" best_line="" out=$cache/time.out
	for _ in $(seq "$n"); do
		local code=0
		/usr/bin/time -f "%e %U %S %M" -o "$out" "$@" >/dev/null 2>"$cache/$tool.stderr" || code=$?
		local wall user sys rss
		read -r wall user sys rss < <(tail -n 1 "$out")
		if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN{exit !(a < b)}'; then
			best_wall=$wall
			best_line=$(awk -v c="$corpus" -v t="$tool" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v e="$code" \
				'BEGIN{printf "%s\t%s\t%.2f\t%.2f\t%.0f\t%d\n", c, t, w, u + s, r / 1024, e}')
		fi
	done
	echo "$best_line" >>"$results"
	log "$(echo "$best_line" | tr '\t' ' ')"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for c in "${corpora[@]}"; do
	read -r name n files <<<"$c"
	path=$cache/$name
	if [ "$files" = 0 ]; then
		path=$path.yaml
		ks_args=("$path")
	else
		mapfile -t ks_args < <(find "$path" -name '*.yaml' | sort)
	fi
	measure floor "$name" "$runs" env GOMAXPROCS=1 "$bin/decode-floor" "$path"
	measure kspm "$name" "$runs" "$bin/kspm-scan" -f "$path" -o json
	# kube-score on 100,000 objects takes many minutes; the comparison stops at 50,000.
	if [ "$with_kube_score" = 1 ] && [ "$n" -le 50000 ]; then
		measure kube-score "$name" 1 "$tools/kube-score" score "${ks_args[@]}"
	fi
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# The table.
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(go version | cut -d' ' -f3), load average $load_start at start, $load_end at end"
echo
awk -F'\t' '
{ wall[$1 "/" $2] = $3; cpu[$1 "/" $2] = $4; rss[$1 "/" $2] = $5; code[$1 "/" $2] = $6
  if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
function cell(k) { return (k in wall) ? sprintf("%.2f s / %.2f s / %d MB", wall[k], cpu[k], rss[k]) : "-" }
END {
  print "| corpus | floor: wall / CPU / RSS | kspm: wall / CPU / RSS | kube-score: wall / CPU / RSS | kspm/floor wall | kube-score/kspm wall | kube-score/kspm CPU |"
  print "|---|---|---|---|---|---|---|"
  for (i = 1; i <= n; i++) {
    c = order[i]
    printf "| %s | %s | %s | %s | %s | %s | %s |\n", c, cell(c "/floor"), cell(c "/kspm"), cell(c "/kube-score"),
      ratio(wall[c "/kspm"], wall[c "/floor"]), ratio(wall[c "/kube-score"], wall[c "/kspm"]), ratio(cpu[c "/kube-score"], cpu[c "/kspm"])
  }
  if (("100k-one/kspm" in wall) && ("10k-one/kspm" in wall)) {
    printf "\nkspm 100k/10k growth (one file): wall %s, CPU %s; peak RSS at 100k: %d MB\n",
      ratio(wall["100k-one/kspm"], wall["10k-one/kspm"]), ratio(cpu["100k-one/kspm"], cpu["10k-one/kspm"]), rss["100k-one/kspm"]
  }
  for (k in code) if (code[k] != 0 && k !~ /kube-score/) printf "note: %s exited %d (see .cache/compare/*.stderr)\n", k, code[k]
}' "$results"
