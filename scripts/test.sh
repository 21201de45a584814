#!/usr/bin/env bash
# Builds rcplan and runs the whole test suite: unit and property tests, tests against real
# local redis-server processes, the CLI and example tests, the CMake consumer tests, and a
# compile of every public header on its own.
#
# On a fresh Debian bookworm it first installs the packages it needs (as root, or via sudo).
# The build goes to ./build unless RCPLAN_BUILD_DIR says otherwise; RCPLAN_JOBS sets the
# parallelism (default 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh

build_dir=${RCPLAN_BUILD_DIR:-build}
jobs=${RCPLAN_JOBS:-2}

rcplan_ensure_packages
rcplan_configure "$build_dir"
cmake --build "$build_dir" -j "$jobs"
cmake --build "$build_dir" -j "$jobs" --target all_verify_interface_header_sets
rcplan_prepare_test_servers test.sh
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
