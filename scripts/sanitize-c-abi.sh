#!/usr/bin/env bash
# The C ABI's tests (malformed, truncated, mistyped and huge input, 8 threads at once, the
# simulator's handles) under AddressSanitizer and UndefinedBehaviorSanitizer: the shared
# library and its test built with both, in build-sanitize-c (under RCPLAN_BUILD_ROOT), any
# report fatal.
#
# Usage: scripts/sanitize-c-abi.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh

rcplan_ensure_packages
dir="${RCPLAN_BUILD_ROOT:-.}/build-sanitize-c"
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# The sanitizers are the check here; warnings are the other builds' (test.sh, build-configs.sh).
RCPLAN_BUILD_TYPE=Debug RCPLAN_WERROR=OFF rcplan_configure "$dir" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DRCPLAN_BUILD_BENCH=OFF -DRCPLAN_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$dir" -j "${RCPLAN_JOBS:-2}" --target test_c
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$dir/tests/test_c"
