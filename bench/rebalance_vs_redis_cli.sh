#!/usr/bin/env bash
# Times `redis-cli --cluster rebalance --cluster-use-empty-masters` against `rcplan rebalance
# --use-empty-masters` on two identical real clusters on this machine: 3 masters holding KEYS
# keys of SIZE bytes spread over all slots, plus 3 empty masters. Both run in the same script,
# one after the other; afterwards both clusters must be balanced with every key present.
#
# While each rebalance runs, a client (`rcplan keys traffic`) reads and writes random keys one
# at a time and reports what it saw: each command's latency (p50, p99, p99.9, max), and errors
# (redirections, MOVED and ASK, are normal during a resharding; anything else is an error).
#
# Not a test: timings depend on the machine. Knobs (environment):
#   KEYS=300000      keys per cluster (KEYS=30000 for a quick run)
#   SIZE=100         bytes per value
#   LOAD=1           run the concurrent client (0: no load during the rebalance)
#   RCPLAN_BUILD_DIR=build   where rcplan is built (built here if missing)
#   RCPLAN_PARALLEL=         rcplan's --parallel (its default: 8)
#   RCPLAN_PER_NODE=         rcplan's --max-per-node (migrations per master per wave)
#   REDIS_CLI_PIPELINE=      redis-cli's --cluster-pipeline (keys per MIGRATE; its default is 10)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KEYS=${KEYS:-300000}
SIZE=${SIZE:-100}
LOAD=${LOAD:-1}
rcplan_extra=()
if [[ -n ${RCPLAN_PARALLEL:-} ]]; then rcplan_extra+=(--parallel "$RCPLAN_PARALLEL"); fi
if [[ -n ${RCPLAN_PER_NODE:-} ]]; then rcplan_extra+=(--max-per-node "$RCPLAN_PER_NODE"); fi
cli_extra=()
if [[ -n ${REDIS_CLI_PIPELINE:-} ]]; then cli_extra=(--cluster-pipeline "$REDIS_CLI_PIPELINE"); fi
source bench/lib/cluster.sh
bench_require "${RCPLAN_BUILD_DIR:-build}" redis-server redis-cli python3

work=$(mktemp -d "${TMPDIR:-/tmp}/rcplan-bench-XXXXXX")
bench_cluster_init

# balanced as redis-cli means it: all 6 masters hold slots, none more than 2 % off 16384/6 (a
# second rebalance would do nothing); the spread says how close to exact each tool got
check_balanced() {
  local counts min max n
  counts=$(slot_counts "$1")
  n=$(wc -w <<<"$counts")
  min=$(tr ' ' '\n' <<<"$counts" | grep . | head -1)
  max=$(tr ' ' '\n' <<<"$counts" | grep . | tail -1)
  if [[ $n == 6 ]] && ((min * 100 >= 2730 * 98 && max * 100 <= 2731 * 102)); then
    echo "balanced (slots per master: $counts; spread $((max - min)))"
  else
    echo "NOT balanced (slots per master: $counts)"
    return 1
  fi
}

echo "two clusters of 3 masters + 3 empty masters, $KEYS keys of $SIZE bytes each (work dir $work)"
read -r -a a_ports <<<"$(start_cluster redis-cli 3 3)"
read -r -a b_ports <<<"$(start_cluster rcplan 3 3)"
if ((${#a_ports[@]} != 6 || ${#b_ports[@]} != 6)); then
  echo "could not start both clusters" >&2
  exit 1
fi
a="127.0.0.1:${a_ports[0]}"
b="127.0.0.1:${b_ports[0]}"
for seed in "$a" "$b"; do
  "$rcplan" keys load --redis "$seed" --count "$KEYS" --size "$SIZE" >/dev/null
done
echo "loaded; slots per master before: $(slot_counts "${a_ports[0]}")"

t_cli=$(run_timed redis-cli "$a" redis-cli --cluster rebalance "$a" --cluster-use-empty-masters "${cli_extra[@]}")
t_rcplan=$(run_timed rcplan "$b" "$rcplan" rebalance --redis "$b" --use-empty-masters "${rcplan_extra[@]}")

echo
printf '%-48s %8s s\n' "redis-cli --cluster rebalance --cluster-use-empty-masters" "$t_cli"
printf '%-48s %8s s\n' "rcplan rebalance --use-empty-masters" "$t_rcplan"
awk -v c="$t_cli" -v r="$t_rcplan" 'BEGIN { printf "ratio (redis-cli / rcplan): %.1fx\n", c / r }'

echo
status=0
for side in "redis-cli $a ${a_ports[0]}" "rcplan $b ${b_ports[0]}"; do
  read -r name seed port <<<"$side"
  echo "$name cluster:"
  echo "  $(check_balanced "$port" || status=1)"
  verify=$("$rcplan" keys verify --redis "$seed" --count "$KEYS" --size "$SIZE") || status=1
  echo "  $verify"
  in_slots=$(count_keys_in_slots "$port")
  echo "  COUNTKEYSINSLOT over all owned slots: $in_slots"
  [[ $in_slots == "$KEYS" ]] || status=1
  echo "  CPU: $(cat "$work/$name.cpu")"
  if [[ $LOAD == 1 ]]; then echo "  client during the rebalance: $(traffic_line "$work/$name.traffic")"; fi
done
[[ $(check_balanced "${a_ports[0]}") == balanced* && $(check_balanced "${b_ports[0]}") == balanced* ]] || status=1
if ((status != 0)); then echo "FAILED: a cluster is unbalanced or lost keys" >&2; fi
exit "$status"
