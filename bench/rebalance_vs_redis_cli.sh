#!/usr/bin/env bash
# Times `redis-cli --cluster rebalance --cluster-use-empty-masters` against `rcplan rebalance
# --use-empty-masters` on two identical real clusters on this machine: 3 masters holding KEYS
# keys of SIZE bytes spread over all slots, plus 3 empty masters. Both run in the same script,
# one after the other; afterwards both clusters must be balanced with every key present.
#
# While each rebalance runs, a client (`rcplan keys traffic`) reads and writes random keys one
# at a time and reports what it saw: redirections (MOVED, ASK) are normal during a resharding,
# anything else is a client-visible error.
#
# Not a test: timings depend on the machine. Knobs (environment):
#   KEYS=300000      keys per cluster (KEYS=30000 for a quick run)
#   SIZE=100         bytes per value
#   LOAD=1           run the concurrent client (0: no load during the rebalance)
#   RCPLAN_BUILD_DIR=build   where rcplan is built (built here if missing)
#   RCPLAN_PARALLEL=8        rcplan's --parallel
#   REDIS_CLI_PIPELINE=      redis-cli's --cluster-pipeline (keys per MIGRATE; its default is 10)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KEYS=${KEYS:-300000}
SIZE=${SIZE:-100}
LOAD=${LOAD:-1}
PARALLEL=${RCPLAN_PARALLEL:-8}
cli_extra=()
if [[ -n ${REDIS_CLI_PIPELINE:-} ]]; then cli_extra=(--cluster-pipeline "$REDIS_CLI_PIPELINE"); fi
build_dir=${RCPLAN_BUILD_DIR:-build}
rcplan="$build_dir/bindings/cli/rcplan"

if [[ ! -x "$rcplan" ]]; then
  source scripts/lib/common.sh
  rcplan_ensure_packages
  rcplan_configure "$build_dir" >/dev/null
  cmake --build "$build_dir" -j "${RCPLAN_JOBS:-2}" --target rcplan_cli >/dev/null
fi
for tool in redis-server redis-cli; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rcplan-bench-XXXXXX")
pids_file="$work/pids"
: >"$pids_file"
cleanup() {
  # only the servers this script started, by the pids they wrote
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$pids_file"
  for f in "$work"/*/*/redis.pid; do [[ -f $f ]] && kill "$(cat "$f" 2>/dev/null)" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

# A port nothing listens on, with its cluster bus port (port + 10000) free as well. Both stay
# below Linux' ephemeral range (32768 and up), where outgoing connections take their ports.
used_ports=" "
free_port() {
  local p
  while :; do
    p=$((10000 + RANDOM % 12000))
    [[ $used_ports == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null; then
      used_ports+="$p "
      echo "$p"
      return
    fi
  done
}

# start_node NAME: one cluster-enabled redis-server on a free port; prints the port. A port
# taken between the check and the bind (other processes start servers too) means another try.
start_node() {
  local name=$1 p dir try i
  for try in 1 2 3 4 5 6 7 8 9 10; do
    p=$(free_port)
    dir="$work/$name/$p"
    mkdir -p "$dir"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 5000 --dir "$dir" --save "" --appendonly no --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
    for i in $(seq 40); do
      if redis-cli -p "$p" ping >/dev/null 2>&1; then
        cat "$dir/redis.pid" >>"$pids_file"
        echo "$p"
        return
      fi
      sleep 0.05
    done
    rm -rf "$dir"
  done
  echo "could not start a redis-server" >&2
  return 1
}

now() { date +%s.%N; }

# start_cluster NAME: 6 nodes, 3 of them masters of all slots, 3 empty masters; prints the ports
start_cluster() {
  local name=$1 ports=() p i
  for i in 0 1 2 3 4 5; do
    p=$(start_node "$name") || exit 1
    ports+=("$p")
  done
  redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" \
    --cluster-yes >"$work/$name.create.log"
  # the empty masters join by MEET (redis-cli's add-node refuses while the previous join is
  # still gossiping)
  for p in "${ports[@]:3}"; do
    redis-cli -p "$p" cluster meet 127.0.0.1 "${ports[0]}" >>"$work/$name.create.log"
  done
  # every node must know all six and agree before keys go in
  local deadline=$((SECONDS + 60))
  for p in "${ports[@]}"; do
    until [[ $(redis-cli -p "$p" cluster nodes | grep -vc handshake) == 6 ]] &&
      redis-cli -p "$p" cluster info | grep -q cluster_state:ok; do
      ((SECONDS < deadline)) || { echo "cluster $name did not form" >&2; exit 1; }
      sleep 0.1
    done
  done
  until redis-cli --cluster check "127.0.0.1:${ports[0]}" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "cluster $name did not settle" >&2; exit 1; }
    sleep 0.2
  done
  echo "${ports[*]}"
}

# slot counts of the masters holding slots, from one node's view: "3277 3277 3276 ..."
slot_counts() {
  redis-cli -p "$1" cluster nodes | awk '$3 ~ /master/ {
      n = 0
      for (i = 9; i <= NF; i++) {
        if ($i ~ /^\[/) continue
        split($i, r, "-"); n += (r[2] == "" ? 1 : r[2] - r[1] + 1)
      }
      print n
    }' | sort -n | tr '\n' ' '
}

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

# the sum of COUNTKEYSINSLOT over every slot a master owns, for all masters
count_keys_in_slots() {
  local port=$1 total=0 line p slots
  while read -r line; do
    p=${line%% *}
    slots=${line#* }
    total=$((total + $(for s in $slots; do echo "CLUSTER COUNTKEYSINSLOT $s"; done |
      redis-cli -p "$p" | awk '{t += $1} END {print t + 0}')))
  done < <(redis-cli -p "$port" cluster nodes | awk '$3 ~ /master/ {
      split($2, a, "[:@]"); out = a[2]
      for (i = 9; i <= NF; i++) {
        if ($i ~ /^\[/) continue
        split($i, r, "-"); last = (r[2] == "" ? r[1] : r[2])
        for (s = r[1]; s <= last; s++) out = out " " s
      }
      print out
    }')
  echo "$total"
}

echo "two clusters of 3 masters + 3 empty masters, $KEYS keys of $SIZE bytes each (work dir $work)"
read -r -a a_ports <<<"$(start_cluster redis-cli)"
read -r -a b_ports <<<"$(start_cluster rcplan)"
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

# run_timed NAME SEED COMMAND...: the rebalance, with the client load around it
run_timed() {
  local name=$1 seed=$2 traffic_pid="" start end
  shift 2
  if [[ $LOAD == 1 ]]; then
    "$rcplan" keys traffic --redis "$seed" --count "$KEYS" --size "$SIZE" --seconds 100000 \
      >"$work/$name.traffic" 2>&1 &
    traffic_pid=$!
    sleep 1
  fi
  start=$(now)
  "$@" >"$work/$name.out" 2>"$work/$name.err" || { echo "$name failed:"; tail -20 "$work/$name.out" "$work/$name.err"; exit 1; }
  end=$(now)
  if [[ -n $traffic_pid ]]; then
    kill -TERM "$traffic_pid"
    wait "$traffic_pid" || true
  fi
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

t_cli=$(run_timed redis-cli "$a" redis-cli --cluster rebalance "$a" --cluster-use-empty-masters "${cli_extra[@]}")
t_rcplan=$(run_timed rcplan "$b" "$rcplan" rebalance --redis "$b" --use-empty-masters --parallel "$PARALLEL")

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
  if [[ $LOAD == 1 ]]; then echo "  client during the rebalance: $(cat "$work/$name.traffic")"; fi
done
[[ $(check_balanced "${a_ports[0]}") == balanced* && $(check_balanced "${b_ports[0]}") == balanced* ]] || status=1
if ((status != 0)); then echo "FAILED: a cluster is unbalanced or lost keys" >&2; fi
exit "$status"
