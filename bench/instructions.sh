#!/usr/bin/env bash
# Instructions per plan_rebalance call, per bench scenario, counted by callgrind (these
# machines' virtual CPUs have no performance counters for `perf stat`): the driver plans each
# scenario once and three times, and the difference, halved, is one plan's cost. Counts are
# stable where wall time on a shared machine is not.
#
# Usage: bench/instructions.sh [BUILD_DIR] [MASTERS]   (default: build, 1000; a Release build)
set -euo pipefail
build=${1:-build}
masters=${2:-1000}
driver="$build/bench/rcplan_plan_once"
[[ -x $driver ]] || { echo "instructions.sh: build the target rcplan_plan_once in $build first" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count() {  # scenario times -> total instructions of the run
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$driver" "$1" "$masters" "$2" >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; exit 1; }
  sed -n 's/^summary: //p' "$tmp/out"
}

printf '| scenario (%s masters) | instructions per plan |\n|---|---|\n' "$masters"
for s in join_one join_half fragmented drain balanced; do
  one=$(count "$s" 1)
  three=$(count "$s" 3)
  awk -v s="$s" -v a="$one" -v b="$three" 'BEGIN { printf "| %s | %.2f M |\n", s, (b - a) / 2 / 1e6 }'
done
