#!/usr/bin/env bash
# Builds every target rcplan compiles (library header checks, tests, examples, benchmarks,
# bindings and the CLI) in further configurations, without running the tests: the suite runs
# once, in scripts/test.sh; this proves the other standard builds compile too.
#
# Usage: scripts/build-configs.sh [COMPILER:BUILD_TYPE ...]
#   default: clang:Release gcc:Release
#   e.g.     scripts/build-configs.sh gcc:Debug clang:RelWithDebInfo
# Each goes to build-<compiler>-<type> (under RCPLAN_BUILD_ROOT, default .); warnings are
# errors when RCPLAN_WERROR=ON, as in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh

root=${RCPLAN_BUILD_ROOT:-.}
jobs=${RCPLAN_JOBS:-2}
configs=("$@")
if ((${#configs[@]} == 0)); then
  configs=(clang:Release gcc:Release)
fi

rcplan_ensure_packages
for config in "${configs[@]}"; do
  compiler=${config%%:*}
  type=${config#*:}
  case "$compiler" in
    gcc) cxx=g++ ;;
    clang)
      rcplan_ensure_clang
      cxx=clang++
      ;;
    *)
      echo "unknown compiler '$compiler' (gcc or clang)" >&2
      exit 2
      ;;
  esac
  dir="$root/build-$compiler-${type,,}"
  echo "== $compiler $type ($dir)"
  RCPLAN_BUILD_TYPE=$type rcplan_configure "$dir" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
  cmake --build "$dir" -j "$jobs"
  cmake --build "$dir" -j "$jobs" --target all_verify_interface_header_sets
done
