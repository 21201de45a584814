#!/usr/bin/env bash
# Builds rcplan's libFuzzer targets (fuzz/, Clang with AddressSanitizer and UBSan) and runs
# each for SECONDS (default 60; RCPLAN_JOBS of them at once, default 2), its corpus seeded
# from tests/data, examples/data and fuzz/corpus (hand-made seeds, and inputs kept as
# regressions) and kept between runs in FUZZ_DIR (default build-fuzz/corpus). Prints
# executions and findings per target; exits non-zero if any target found a crash, a leak, a
# sanitizer report or a timeout, whose input libFuzzer leaves in FUZZ_DIR/findings.
#
# Usage: scripts/fuzz.sh [SECONDS|build] [TARGET...]   (targets: the names in fuzz/CMakeLists.txt,
# without fuzz_; `build` only builds them, as CI does beside another job's tests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh
seconds=${1:-60}
shift || true
build=${FUZZ_BUILD_DIR:-build-fuzz}
fuzz_dir=${FUZZ_DIR:-$build/corpus}

rcplan_ensure_packages
rcplan_ensure_clang  # with libFuzzer
RCPLAN_BUILD_TYPE=RelWithDebInfo rcplan_configure "$build" -DCMAKE_CXX_COMPILER=clang++ -DRCPLAN_BUILD_FUZZ=ON \
  -DRCPLAN_BUILD_TESTS=OFF -DRCPLAN_BUILD_EXAMPLES=OFF -DRCPLAN_BUILD_BENCH=OFF -DRCPLAN_INSTALL=OFF >/dev/null

targets=("$@")
((${#targets[@]} > 0)) || targets=(cluster_nodes cluster_shards info_replication resp spec_json spec_yaml plan_json c_abi)
cmake --build "$build" -j "${RCPLAN_JOBS:-2}" --target "${targets[@]/#/fuzz_}" >/dev/null
[[ $seconds == build ]] && exit 0

# seeds: what the tests read
seed() {  # seed TARGET FILE...: copies files into the target's corpus
  local t=$1
  shift
  mkdir -p "$fuzz_dir/$t"
  for f in "$@"; do [[ -f $f ]] && cp "$f" "$fuzz_dir/$t/seed-$(basename "$f")"; done
}
seed cluster_nodes tests/data/cluster_nodes/*.txt examples/data/*.nodes
seed spec_yaml tests/data/fixtures/*.yaml
seed spec_json bench/scenarios/refused/*.json
seed plan_json bench/scenarios/refused/*.json
seed c_abi examples/data/*.nodes
# the hand-made seeds and the inputs kept as regressions
for d in fuzz/corpus/*/; do
  t=$(basename "$d")
  mkdir -p "$fuzz_dir/$t"
  for f in "$d"*; do [[ -f $f ]] && cp "$f" "$fuzz_dir/$t/kept-$(basename "$f")"; done
done

mkdir -p "$fuzz_dir/findings"
# Each target runs in one process on one core: as many at once as RCPLAN_JOBS (default 2).
parallel=${RCPLAN_JOBS:-2}

# run_target T: runs T for SECONDS; leaves its log and its exit status beside the corpus.
run_target() {
  local t=$1 rc=0
  "$build/fuzz/fuzz_$t" "$fuzz_dir/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$fuzz_dir/findings/$t-" -print_final_stats=1 >"$fuzz_dir/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$fuzz_dir/$t.rc"
}

running=0
for t in "${targets[@]}"; do
  if ((running >= parallel)); then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
wait || true

# the report in the targets' order, whichever finished first
status=0
printf '%-18s %12s %10s  %s\n' target executions exec/s findings
for t in "${targets[@]}"; do
  log="$fuzz_dir/$t.log"
  rc=$(cat "$fuzz_dir/$t.rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=$(find "$fuzz_dir/findings" -name "$t-*" | wc -l)
  printf '%-18s %12s %10s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$found"
  if ((rc != 0 || found > 0)); then
    status=1
    grep -m 5 -E "ERROR|SUMMARY|terminate|deadly" "$log" >&2 || tail -n 5 "$log" >&2
  fi
done
exit "$status"
