#!/usr/bin/env bash
# What rcplan costs a user's translation unit to compile. Installs the build's rcplan into a
# scratch prefix (as a user's find_package would see it: headers as system includes) and times
# with the same compiler, one compile at a time:
#   consumer  bench/compile/consumer.cpp: parses a CLUSTER NODES dump, loads a resource from
#             JSON, calls reconcile() and prints the plan as JSON; header-only, and against
#             rcplan::compiled (-DRCPLAN_SEPARATE_COMPILATION, its library linked afterwards)
#   umbrella  a translation unit that only includes <rcplan/rcplan.hpp>, both ways
#   nlohmann  nlohmann/json's own figure: a program that parses and dumps JSON
# at -O0 and -O2, printing seconds, peak memory and the ratio to nlohmann's figure at the same
# level. Not a test: timings depend on the machine and its load.
#
# Knobs (environment): RCPLAN_BUILD_DIR=build (configured with RCPLAN_BUILD_COMPILED=ON, the
# default), CXX=g++, REPEAT=1 (the best of REPEAT runs is printed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh

build=${RCPLAN_BUILD_DIR:-build}
cxx=${CXX:-g++}
repeat=${REPEAT:-1}
[[ -x /usr/bin/time ]] || rcplan_apt_install time
[[ -f "$build/build.ninja" || -f "$build/Makefile" ]] || { echo "compile_time.sh: configure $build first (scripts/test.sh does)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/rcplan-compile-time-XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target rcplan_compiled >/dev/null
cmake --install "$build" --prefix "$work/prefix" >/dev/null
lib=$(find "$work/prefix" -name librcplan_compiled.a | head -1)
[[ -n "$lib" ]] || { echo "compile_time.sh: the install holds no rcplan::compiled (RCPLAN_BUILD_COMPILED=OFF?)" >&2; exit 1; }

# best of $repeat: "seconds peak_kb"
measure() {
  local best="" out
  for ((i = 0; i < repeat; ++i)); do
    out=$(/usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1)
    if [[ -z "$best" ]] || awk -v a="${out%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best=$out; fi
  done
  echo "$best"
}

printf '%-34s %8s %9s %12s\n' "translation unit" seconds "peak MB" "x nlohmann"
for level in O0 O2; do
  base=$(measure "$cxx" -std=c++20 -"$level" -c bench/compile/nlohmann.cpp -o "$work/nlohmann.o")
  base_s=${base%% *}
  row() {
    local name=$1 result=$2
    awk -v n="$name" -v s="${result%% *}" -v kb="${result##* }" -v b="$base_s" \
      'BEGIN { printf "%-34s %8.2f %9.0f %12.1f\n", n, s, kb / 1024, s / b }'
  }
  row "nlohmann parse+dump -$level" "$base"
  for mode in header-only compiled; do
    defines=()
    [[ $mode == compiled ]] && defines=(-DRCPLAN_SEPARATE_COMPILATION)
    row "consumer $mode -$level" "$(measure "$cxx" -std=c++20 -"$level" "${defines[@]}" -isystem "$work/prefix/include" \
      -c bench/compile/consumer.cpp -o "$work/consumer-$mode.o")"
    row "umbrella $mode -$level" "$(measure "$cxx" -std=c++20 -"$level" "${defines[@]}" -isystem "$work/prefix/include" \
      -c bench/compile/umbrella.cpp -o "$work/umbrella-$mode.o")"
  done
done

# the compiled consumer links against the library and runs
"$cxx" "$work/consumer-compiled.o" "$lib" -o "$work/consumer"
"$work/consumer" examples/data/healthy.nodes <(printf '%s' '{"metadata": {"name": "bench"}, "spec": {"masterSize": 3}}') \
  | grep -q '"status"' && echo "the compiled consumer links and plans"
