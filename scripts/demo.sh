#!/usr/bin/env bash
# The main job, end to end: build the rcplan CLI and inspect a Redis Cluster topology captured
# with CLUSTER NODES (a cluster in the middle of a resharding, then one that lost a shard).
#
# On a fresh Debian bookworm it first installs the packages it needs (as root, or via sudo).
# Pass a file of your own to inspect it instead: ./scripts/demo.sh my-cluster-nodes.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh

build_dir=${RCPLAN_BUILD_DIR:-build}

rcplan_ensure_packages
rcplan_configure "$build_dir" >/dev/null
cmake --build "$build_dir" -j "${RCPLAN_JOBS:-2}" --target rcplan_cli >/dev/null
rcplan=("$build_dir/bindings/cli/rcplan")

if (($# > 0)); then
  for dump in "$@"; do
    "${rcplan[@]}" inspect --cluster-nodes "$dump"
  done
  exit 0
fi

for dump in examples/data/resharding.nodes examples/data/degraded.nodes; do
  echo "\$ rcplan inspect --cluster-nodes $dump"
  "${rcplan[@]}" inspect --cluster-nodes "$dump"
  echo
done
