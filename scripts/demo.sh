#!/usr/bin/env bash
# The main job, end to end: build the rcplan CLI and run `rcplan demo`. It creates a real Redis
# Cluster of local redis-server processes (3 masters, 1 replica each) in a temporary directory,
# loads keys, scales it to 4 masters and back to 3, kills a master and lets the cluster recover,
# printing every plan rcplan makes and its result, then reads every key back. It exits non-zero
# if a key was lost. About half a minute once built.
#
# On a fresh Debian bookworm it first installs the packages it needs (as root, or via sudo).
# Arguments go to `rcplan demo`: ./scripts/demo.sh --keys 100000 --keep --dir /tmp/my-cluster
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh

build_dir=${RCPLAN_BUILD_DIR:-build}

rcplan_ensure_packages
rcplan_configure "$build_dir" >/dev/null
cmake --build "$build_dir" -j "${RCPLAN_JOBS:-2}" --target rcplan_cli >/dev/null

echo "\$ rcplan demo${*:+ $*}"
exec "$build_dir/bindings/cli/rcplan" demo "$@"
