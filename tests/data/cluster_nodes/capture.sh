#!/usr/bin/env bash
# Regenerates the captured CLUSTER NODES dumps in this directory from real redis-server
# processes (needs redis-server and redis-cli on PATH). The tests check each dump against
# what this script did, so keep the steps and the file names in sync with tests/parse.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
base=${BASE_PORT:-32100}
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start() {  # start <port>
  mkdir -p "$work/$1"
  redis-server --port "$1" --bind 127.0.0.1 --dir "$work/$1" --save "" --appendonly no \
    --cluster-enabled yes --cluster-node-timeout 2000 --logfile "$work/$1/log" --daemonize no &
  pids+=($!)
  until redis-cli -p "$1" ping >/dev/null 2>&1; do sleep 0.05; done
}
cli() { redis-cli -p "$@"; }
nodes() { cli "$1" cluster nodes; }

# 3 masters (ports base+1..3) with one replica each (base+4 follows base+1, ...).
for i in 1 2 3 4 5 6; do start $((base + i)); done
for i in 2 3 4 5 6; do cli $((base + i)) cluster meet 127.0.0.1 $((base + 1)) >/dev/null; done
sleep 1
cli $((base + 1)) cluster addslotsrange 0 5460 >/dev/null
cli $((base + 2)) cluster addslotsrange 5461 10922 >/dev/null
cli $((base + 3)) cluster addslotsrange 10923 16383 >/dev/null
sleep 1
for i in 1 2 3; do
  until cli $((base + i + 3)) cluster replicate "$(cli $((base + i)) cluster myid)" >/dev/null 2>&1; do sleep 0.1; done
done
agreed() {  # every node sees the three replicas and the cluster is ok
  for i in 1 2 3 4 5 6; do
    [ "$(nodes $((base + i)) | grep -c slave)" = 3 ] || return 1
    cli $((base + i)) cluster info | grep -q cluster_state:ok || return 1
  done
}
until agreed; do sleep 0.1; done
nodes $((base + 1)) > "$out/stable_from_master.txt"
nodes $((base + 4)) > "$out/stable_from_replica.txt"

# Slot 100 moves from the first master to the second: importing first, then migrating.
id1=$(cli $((base + 1)) cluster myid); id2=$(cli $((base + 2)) cluster myid)
cli $((base + 2)) cluster setslot 100 importing "$id1" >/dev/null
cli $((base + 1)) cluster setslot 100 migrating "$id2" >/dev/null
nodes $((base + 1)) > "$out/open_slot_source.txt"
nodes $((base + 2)) > "$out/open_slot_target.txt"

# A MEET towards a port nobody listens on leaves a node in handshake for a while.
cli $((base + 3)) cluster meet 127.0.0.1 $((base + 99)) >/dev/null
nodes $((base + 3)) > "$out/handshake.txt"

# The third master crashes; its replica (synced first, and allowed to take over however long
# the link was down) takes over.
until cli $((base + 6)) info replication | grep -q master_link_status:up; do sleep 0.1; done
cli $((base + 6)) config set cluster-replica-validity-factor 0 >/dev/null
kill -9 "${pids[2]}"
until nodes $((base + 1)) | grep -q "master,fail " && [ "$(nodes $((base + 1)) | grep -c ' 10923-16383')" = 1 ] \
  && nodes $((base + 1)) | grep -q "127.0.0.1:$((base + 6))@[0-9]* master"; do sleep 0.1; done
nodes $((base + 1)) > "$out/failed_master.txt"

# Three nodes that know each other but own no slots.
for i in 11 12 13; do start $((base + i)); done
for i in 12 13; do cli $((base + i)) cluster meet 127.0.0.1 $((base + 11)) >/dev/null; done
until [ "$(nodes $((base + 11)) | grep -vc handshake)" = 3 ] && ! nodes $((base + 11)) | grep -q handshake; do sleep 0.1; done
nodes $((base + 11)) > "$out/empty_masters.txt"
echo "captured into $out"
