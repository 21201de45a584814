# Real local clusters for the live benchmark scripts: cluster-enabled redis-server processes on
# free loopback ports, each script's own, stopped when it exits. Sourced, not run.
#
# The sourcing script calls bench_require, sets `work` (a scratch directory) and calls
# bench_cluster_init.

# bench_require BUILD_DIR TOOL...: sets `rcplan` (building the CLI there if missing) and checks
# that every TOOL is installed
bench_require() {
  local build_dir=$1 tool
  shift
  rcplan="$build_dir/bindings/cli/rcplan"
  if [[ ! -x "$rcplan" ]]; then
    source scripts/lib/common.sh
    rcplan_ensure_packages
    rcplan_configure "$build_dir" >/dev/null
    cmake --build "$build_dir" -j "${RCPLAN_JOBS:-2}" --target rcplan_cli >/dev/null
  fi
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install redis-server redis-tools python3)" >&2; exit 1; }
  done
  [[ -x /usr/bin/time ]] || { echo "/usr/bin/time not found (apt-get install time)" >&2; exit 1; }
}

# bench_cluster_init: the pid list and the cleanup trap for the servers started here
bench_cluster_init() {
  pids_file="$work/pids"
  : >"$pids_file"
  used_ports=" "
  trap bench_cluster_cleanup EXIT
}

bench_cluster_cleanup() {
  # only the servers this script started, by the pids they wrote
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$pids_file"
  for f in "$work"/*/*/redis.pid; do [[ -f $f ]] && kill "$(cat "$f" 2>/dev/null)" 2>/dev/null || true; done
  sleep 0.5
  if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "kept the servers' directories and logs in $work" >&2; return; fi
  rm -rf "$work"
}

# A port nothing listens on, with its cluster bus port (port + 10000) free as well. Both stay
# below Linux' ephemeral range (32768 and up), where outgoing connections take their ports.
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

# start_cluster NAME MASTERS EMPTY: MASTERS masters of all slots (redis-cli --cluster create)
# and EMPTY masters joined by MEET; prints the ports, the holding masters first
start_cluster() {
  local name=$1 masters=$2 empty=$3 ports=() p i total
  total=$((masters + empty))
  for ((i = 0; i < total; i++)); do
    p=$(start_node "$name") || exit 1
    ports+=("$p")
  done
  local create=()
  for p in "${ports[@]:0:masters}"; do create+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${create[@]}" --cluster-yes >"$work/$name.create.log"
  # the empty masters join by MEET (redis-cli's add-node refuses while the previous join is
  # still gossiping)
  for p in "${ports[@]:masters}"; do
    redis-cli -p "$p" cluster meet 127.0.0.1 "${ports[0]}" >>"$work/$name.create.log"
  done
  # every node must know all and agree before keys go in
  local deadline=$((SECONDS + 60))
  for p in "${ports[@]}"; do
    until [[ $(redis-cli -p "$p" cluster nodes | grep -vc handshake) == "$total" ]] &&
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
      if (n > 0) print n
    }' | sort -n | tr '\n' ' '
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

# the client load beside a timed command: `rcplan keys traffic` from the given seed, its JSON
# report written to FILE. traffic_start SEED KEYS SIZE FILE sets traffic_pid; traffic_stop ends it.
traffic_start() {
  "$rcplan" keys traffic --redis "$1" --count "$2" --size "$3" --seconds 100000 --output json >"$4" 2>&1 &
  traffic_pid=$!
  sleep 1
}
traffic_stop() {
  [[ -n ${traffic_pid:-} ]] || return 0
  kill -TERM "$traffic_pid"
  wait "$traffic_pid" || true
  traffic_pid=""
}

# servers_cpu NAME: CPU seconds (user + system) the servers of cluster NAME have used so far
servers_cpu() {
  local f ticks=0 stat
  for f in "$work/$1"/*/redis.pid; do
    [[ -f $f ]] || continue
    stat=$(cat "/proc/$(cat "$f")/stat" 2>/dev/null) || continue
    stat=${stat##*) }  # the fields after the command name; utime and stime are the 12th and 13th
    read -r -a fields <<<"$stat"
    ticks=$((ticks + fields[11] + fields[12]))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# run_timed NAME SEED COMMAND...: seconds the command took, its output in $work/NAME.out and
# .err; with LOAD=1, the client (KEYS keys of SIZE bytes) beside it, its report in NAME.traffic.
# NAME.cpu gets the CPU seconds the command and the cluster's servers used while it ran.
run_timed() {
  local name=$1 seed=$2 start end cpu_before
  shift 2
  if [[ ${LOAD:-1} == 1 ]]; then traffic_start "$seed" "$KEYS" "$SIZE" "$work/$name.traffic"; fi
  cpu_before=$(servers_cpu "$name")
  start=$(now)
  /usr/bin/time -f "%U %S" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" ||
    { echo "$name failed:" >&2; tail -n 20 "$work/$name.out" "$work/$name.err" >&2; exit 1; }
  end=$(now)
  awk -v b="$cpu_before" -v a="$(servers_cpu "$name")" -v s="$start" -v e="$end" \
    '{ printf "tool %.2f s + servers %.2f s of CPU in %.2f s: %.2f cores busy\n", $1 + $2, a - b, e - s, ($1 + $2 + a - b) / (e - s) }' \
    "$work/$name.time" >"$work/$name.cpu"
  traffic_stop
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

# one line from a traffic report: "p50 0.19 ms, p99 1.3 ms, p99.9 3.0 ms, max 35 ms; 4012 ops/s; 0 errors (12 MOVED, 0 ASK)"
traffic_line() {
  python3 - "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"no client report ({e})")
    sys.exit(0)
l, c = d["latency_ms"], d["client"]
ops = (d["reads"] + d["writes"]) / max(d["seconds"], 1e-9)
print(f'p50 {l["p50"]:.2f} ms, p99 {l["p99"]:.2f} ms, p99.9 {l["p99.9"]:.2f} ms, max {l["max"]:.1f} ms; '
      f'{ops:.0f} ops/s; {d["client_visible_errors"]} errors ({c.get("moved", 0)} MOVED, {c.get("ask", 0)} ASK)')
PY
}
