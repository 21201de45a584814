#!/usr/bin/env bash
# Does fan-in pay? One real cluster of HOLDERS masters holding KEYS keys and one empty master;
# for each per-node limit in PER_NODE, `rcplan rebalance --max-per-node K` moves the empty
# master's share onto it (fan-in: it imports from up to K donors at once) and then drains it
# again (fan-out: it gives to up to K receivers at once). Each move is timed with a client
# reading and writing keys one at a time beside it (latency percentiles, errors). At the end
# every key must be present with its value.
#
# Not a test: timings depend on the machine. Knobs (environment):
#   HOLDERS=10         masters holding the keys at the start
#   KEYS=1000000       keys (KEYS=100000 for a quick run)
#   SIZE=100           bytes per value
#   PER_NODE="1 2 4 0" limits to compare (0: no limit)
#   LOAD=1             run the concurrent client (0: none)
#   RCPLAN_PARALLEL=16 rcplan's --parallel (threads per wave)
#   RCPLAN_BUILD_DIR=build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

HOLDERS=${HOLDERS:-10}
KEYS=${KEYS:-1000000}
SIZE=${SIZE:-100}
PER_NODE=${PER_NODE:-"1 2 4 0"}
LOAD=${LOAD:-1}
PARALLEL=${RCPLAN_PARALLEL:-16}
source bench/lib/cluster.sh
bench_require "${RCPLAN_BUILD_DIR:-build}" redis-server redis-cli python3

work=$(mktemp -d "${TMPDIR:-/tmp}/rcplan-fan-in-XXXXXX")
bench_cluster_init

echo "$HOLDERS masters + 1 empty master, $KEYS keys of $SIZE bytes (work dir $work)"
read -r -a ports <<<"$(start_cluster fan-in "$HOLDERS" 1)"
seed="127.0.0.1:${ports[0]}"
new_id=$(redis-cli -p "${ports[$HOLDERS]}" cluster myid)
# a drained master stays a master (Redis 7 would make it a replica of a receiver), so that the
# next join finds it empty
for p in "${ports[@]}"; do redis-cli -p "$p" config set cluster-allow-replica-migration no >/dev/null; done
"$rcplan" keys load --redis "$seed" --count "$KEYS" --size "$SIZE" >/dev/null
echo "loaded; slots per master: $(slot_counts "${ports[0]}")"

# waves the plan had: from the progress lines on stderr ("wave 1/3: ...")
waves_of() { grep -o 'wave [0-9]*/[0-9]*' "$work/$1.err" | head -1 | cut -d/ -f2; }

status=0
rows=()
for k in $PER_NODE; do
  t_join=$(run_timed "join-$k" "$seed" "$rcplan" rebalance --redis "$seed" --use-empty-masters --threshold 0 \
    --max-per-node "$k" --parallel "$PARALLEL")
  holders=$(wc -w <<<"$(slot_counts "${ports[0]}")")
  ((holders == HOLDERS + 1)) || { echo "after the join with --max-per-node $k, $holders masters hold slots" >&2; status=1; }
  t_drain=$(run_timed "drain-$k" "$seed" "$rcplan" rebalance --redis "$seed" --use-empty-masters --threshold 0 \
    --weight "$new_id=0" --max-per-node "$k" --parallel "$PARALLEL")
  holders=$(wc -w <<<"$(slot_counts "${ports[0]}")")
  ((holders == HOLDERS)) || { echo "after the drain with --max-per-node $k, $holders masters hold slots" >&2; status=1; }
  rows+=("$k|$t_join|$(waves_of "join-$k")|$t_drain|$(waves_of "drain-$k")")
  echo "--max-per-node $k: join $t_join s, drain $t_drain s"
  if [[ $LOAD == 1 ]]; then
    echo "  client during the join:  $(traffic_line "$work/join-$k.traffic")"
    echo "  client during the drain: $(traffic_line "$work/drain-$k.traffic")"
  fi
done

echo
echo "| --max-per-node | join (s) | waves | drain (s) | waves |"
echo "|---|---|---|---|---|"
for r in "${rows[@]}"; do
  IFS='|' read -r k tj wj td wd <<<"$r"
  echo "| $k | $tj | $wj | $td | $wd |"
done

echo
verify=$("$rcplan" keys verify --redis "$seed" --count "$KEYS" --size "$SIZE") || status=1
echo "$verify"
in_slots=$(count_keys_in_slots "${ports[0]}")
echo "COUNTKEYSINSLOT over all owned slots: $in_slots"
[[ $in_slots == "$KEYS" ]] || status=1
if ((status != 0)); then echo "FAILED: a rebalance did not finish or keys were lost" >&2; fi
exit "$status"
