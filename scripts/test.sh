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
# The Kubernetes tests' control plane is built from Go modules on first use (then cached); build
# it before the C++ so the two do not compete for the cores while tests run. Without Go the
# Kubernetes tests report themselves skipped, saying why.
scripts/kube-testenv.sh build >/dev/null || echo "test.sh: the Kubernetes control plane cannot be built here (see above)" >&2
# The backup tests' S3 server (s3rver, from npm; cached outside the checkout).
rcplan_ensure_node || echo "test.sh: Node.js cannot be installed here; the S3 tests say why" >&2
scripts/s3-testenv.sh install >/dev/null || echo "test.sh: s3rver cannot be installed here (see above)" >&2
rcplan_configure "$build_dir"
cmake --build "$build_dir" -j "$jobs"
cmake --build "$build_dir" -j "$jobs" --target all_verify_interface_header_sets
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
