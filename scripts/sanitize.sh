#!/usr/bin/env bash
# The test suite under sanitizers, in Clang builds of their own (under RCPLAN_BUILD_ROOT):
#
#   address  AddressSanitizer + UndefinedBehaviorSanitizer, every test that runs rcplan's code
#            in an instrumented process (build-asan): the unit, property, Redis, Kubernetes,
#            CLI, example and C ABI tests. Left out: the Python and Go tests and examples (their
#            interpreters are not instrumented, and ASan must be the first library a process
#            loads) and the CMake consumer tests (they build other projects); the benchmarks
#            are not built.
#   thread   ThreadSanitizer (build-tsan) over what runs threads: the Redis binding's tests
#            (the parallel executor, the pacer and its probes, the quiet check), the C ABI's
#            concurrent callers and the controller's work queue.
#
# Any report fails the run. Warnings are errors when RCPLAN_WERROR=ON, as in CI: these builds
# are also where CI checks that rcplan compiles with Clang. `build` or `test` does only that
# half (CI builds one while another build's tests run).
#
# Usage: scripts/sanitize.sh address|thread [build|test]
# RCPLAN_JOBS: build parallelism (default 2); RCPLAN_TEST_JOBS: tests at once (default RCPLAN_JOBS).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh

kind=${1:-}
phase=${2:-all}
root=${RCPLAN_BUILD_ROOT:-.}
jobs=${RCPLAN_JOBS:-2}
# the tests mostly wait on servers: CI runs more of them at once than it has cores
test_jobs=${RCPLAN_TEST_JOBS:-$jobs}
case "$kind" in
  address)
    dir="$root/build-asan"
    flags="-fsanitize=address,undefined -fno-sanitize-recover=all"
    targets=(all)
    exclude='^(python|go|cmake)/|^examples/(python|go)_'
    include='.'
    # the test sources unoptimized: a third of their -O1 compile under ASan, and what they run
    # is mostly rcplan::compiled's and the bindings' code, which stays at -O1
    extra=(-DRCPLAN_TEST_OPTIMIZATION=-O0)
    ;;
  thread)
    dir="$root/build-tsan"
    flags="-fsanitize=thread"
    targets=(test_redis test_c test_controller)
    exclude='^$'
    include='^(redis|c|controller)/'
    # the Clang build of test files without the precompiled header: a missing include shows here
    extra=(-DRCPLAN_TEST_PCH=OFF)
    ;;
  *)
    echo "usage: scripts/sanitize.sh address|thread" >&2
    exit 2
    ;;
esac

rcplan_ensure_packages
rcplan_ensure_clang
[[ $kind == address && $phase != build ]] && rcplan_prepare_test_servers sanitize.sh
if [[ $phase != test ]]; then
  # -O1 with line tables: stack traces that name lines, at a fraction of -O0's run time. The C
  # examples link with the C driver, which leaves out the sanitizers' C++ parts and libstdc++.
  RCPLAN_BUILD_TYPE=RelWithDebInfo rcplan_configure "$dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" -DCMAKE_C_FLAGS="$flags -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags -fsanitize-link-c++-runtime -lstdc++" -DCMAKE_SHARED_LINKER_FLAGS="$flags" \
    -DRCPLAN_BUILD_BENCH=OFF "${extra[@]}" >/dev/null
  start=$SECONDS
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  echo "sanitize.sh $kind: built in $((SECONDS - start)) s"
fi
[[ $phase == build ]] && exit 0
start=$SECONDS
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# Properties run a quarter of their cases here: the sanitizers look for memory and threading
# faults along the code paths the release suite already drives with every case, and the
# instrumented planners and simulator run several times slower. RC_PARAMS given wins.
export RC_PARAMS=${RC_PARAMS:-max_success=25}
# Likewise the executor killed at 8 points of rebalances instead of 20 (each point a whole
# rebalance of 20,000 keys, which took over 400 s for the 20 under ASan).
export RCPLAN_TEST_KILL_POINTS=${RCPLAN_TEST_KILL_POINTS:-8}
ctest --test-dir "$dir" --output-on-failure -j "$test_jobs" -R "$include" -E "$exclude"
echo "sanitize.sh $kind: tests ran in $((SECONDS - start)) s"
