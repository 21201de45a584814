#!/usr/bin/env bash
# Times `redis-cli --cluster backup HOST:PORT DIR` (redis-cli 7.0: one RDB per master, taken one
# master after the other, plus a nodes.json) against `rcplan local backup` (every shard's RDB at
# once, from an in-sync replica when there is one, checksummed, plus a manifest) on the same
# local cluster in the same run, then times `rcplan restore` of rcplan's backup into a cluster
# of a different master count.
#
# The cluster: `rcplan local up` of a DistributedRedisCluster "bench" with 6 masters and 1
# replica each, filled with MB MiB of values that do not compress (random bytes, so the RDB
# files are as large as the data: numbered rcplan keys compress about 100:1), written straight
# to each master with `redis-cli --pipe`, plus 10,000 `rcplan keys load` keys whose values are
# checked after the restore. Before each timed run every node is idle (no BGSAVE, no AOF
# rewrite). Then, ROUNDS times, alternating: redis-cli's backup, rcplan's backup. Each backup
# is checked: 6 RDB files whose total size is within 1 % of the other tool's, every file
# accepted by redis-check-rdb (last round), `rcplan backup verify` passes. Then the same rounds
# again with `CONFIG SET repl-diskless-sync-delay 0` on every node (unless --no-zero-delay).
# Last, `rcplan restore` of rcplan's backup with masterSize 4 ("bench-restored"), whose DBSIZE
# over the masters must equal the source's, with the 10,000 checked keys read back.
#
# Not a test: timings depend on the machine. Usage:
#   bench/backup_vs_redis_cli.sh [--mb N] [--value-bytes B] [--rounds N] [--no-zero-delay] [--rcplan PATH]
#     --mb N            MiB of values in the cluster (default 1024; or MB=N in the environment)
#     --value-bytes B   bytes per value (default 1024), so MB * 1048576 / B keys
#     --rounds N        timed runs of each tool per setting (default 2; or ROUNDS=N)
#     --no-zero-delay   only the default repl-diskless-sync-delay (5 s), not the row with 0
#     --rcplan PATH     the rcplan binary (default build/bindings/cli/rcplan; built there if missing)
# Needs redis-server, redis-cli, redis-check-rdb (Redis 7) and python3. Every cluster it started
# is stopped with `rcplan local down` on exit. Exits non-zero if a check fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mb=${MB:-1024}
value_bytes=1024
rounds=${ROUNDS:-2}
zero_delay=1
rcplan=""
check_keys=10000
usage() {
  if ((${1:-2} == 0)); then sed -n '20,26s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0; fi
  sed -n '20,26s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit "${1:-2}"
}
while (($# > 0)); do
  case $1 in
    --mb) mb=${2:?--mb needs a value}; shift 2 ;;
    --value-bytes) value_bytes=${2:?--value-bytes needs a value}; shift 2 ;;
    --rounds) rounds=${2:?--rounds needs a value}; shift 2 ;;
    --no-zero-delay) zero_delay=0; shift ;;
    --rcplan) rcplan=${2:?--rcplan needs a value}; shift 2 ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
for n in "$mb" "$value_bytes" "$rounds"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "not a positive number: $n" >&2; exit 2; }
done
bulk_keys=$((mb * 1048576 / value_bytes))

if [[ -z $rcplan ]]; then
  rcplan=build/bindings/cli/rcplan
  if [[ ! -x $rcplan ]]; then
    source scripts/lib/common.sh
    rcplan_ensure_packages
    RCPLAN_BUILD_TYPE=${RCPLAN_BUILD_TYPE:-Release} rcplan_configure build >/dev/null
    cmake --build build -j "${RCPLAN_JOBS:-2}" --target rcplan_cli >/dev/null
  fi
fi
[[ -x $rcplan ]] || { echo "no rcplan binary at $rcplan" >&2; exit 1; }
rcplan=$(realpath "$rcplan")
for tool in redis-server redis-cli redis-check-rdb python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rcplan-backup-bench-XXXXXX")
src_dir="$work/source"
dst_dir="$work/restored"
cleanup() {
  # `down` stops every redis-server of a local cluster and removes its directory; a directory
  # without state.json is one `up` never got far enough to create
  for d in "$src_dir" "$dst_dir"; do
    if [[ -e $d/state.json ]]; then "$rcplan" local down --dir "$d" >/dev/null || echo "local down $d failed" >&2; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }
log() { echo "$*" >&2; }

spec() {
  printf 'apiVersion: redis.kun/v1alpha1\nkind: DistributedRedisCluster\nmetadata:\n  name: %s\nspec:\n  masterSize: %s\n  clusterReplicas: 1\n' "$1" "$2"
}
spec bench 6 >"$work/source.yaml"
spec bench-restored 4 >"$work/restored.yaml"

# ports CLUSTER_DIR [master|all]: the ports of a local cluster's masters (or of every node)
ports() {
  local seed
  seed=$("$rcplan" local status --dir "$1" -o json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["pods"][0]["port"])')
  redis-cli -p "$seed" cluster nodes | awk -v want="${2:-master}" '
    want == "all" || $3 ~ /master/ { split($2, a, "[:@]"); print a[2] }' | sort -n
}

# info_field PORT FIELD: one field of INFO
info_field() { redis-cli -p "$1" info | tr -d '\r' | sed -n "s/^$2://p"; }

# settle PORTS...: until no node forks (BGSAVE, AOF rewrite) and every replica has its master's
# offset, so that a timed run starts on an idle cluster
settle() {
  local p deadline=$((SECONDS + 600)) busy info
  while :; do
    busy=0
    for p in "$@"; do
      info=$(redis-cli -p "$p" info | tr -d '\r')
      if grep -qE '^(rdb_bgsave_in_progress:1|aof_rewrite_in_progress:1|aof_rewrite_scheduled:1)' <<<"$info"; then busy=1; break; fi
      # a master: every replica online at the master's offset
      if grep -q '^role:master' <<<"$info" && grep -q '^slave0:' <<<"$info"; then
        local off
        off=$(sed -n 's/^master_repl_offset://p' <<<"$info")
        if grep '^slave[0-9]*:' <<<"$info" | grep -vq "state=online,offset=$off,"; then busy=1; break; fi
      fi
    done
    ((busy == 0)) && return 0
    ((SECONDS < deadline)) || { log "the cluster did not settle in 600 s"; exit 1; }
    sleep 0.5
  done
}

# dir_bytes DIR: total size of the .rdb files in DIR
rdb_bytes() { find "$1" -maxdepth 1 -name '*.rdb' -printf '%s\n' | awk '{ t += $1 } END { print t + 0 }'; }
rdb_count() { find "$1" -maxdepth 1 -name '*.rdb' | wc -l; }

dbsize_over() {
  local p t=0
  for p in "$@"; do t=$((t + $(redis-cli -p "$p" dbsize))); done
  echo "$t"
}

log "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg); $(redis-server --version | cut -d' ' -f1-3)"
log "work dir $work; $mb MiB of values: $bulk_keys keys of $value_bytes random bytes, plus $check_keys checked keys"

start=$(now)
"$rcplan" local up --spec "$work/source.yaml" --dir "$src_dir" >"$work/up.out" 2>"$work/up.err" ||
  { tail -20 "$work/up.out" "$work/up.err" >&2; log "rcplan local up failed"; exit 1; }
t_up=$(elapsed "$start" "$(now)")
mapfile -t masters < <(ports "$src_dir" master)
mapfile -t nodes < <(ports "$src_dir" all)
((${#masters[@]} == 6 && ${#nodes[@]} == 12)) ||
  { log "expected 6 masters and 12 nodes, found ${#masters[@]} and ${#nodes[@]}"; exit 1; }
log "source cluster up in $t_up s: masters ${masters[*]}"

# The fill: keys bench:bulk:<i> (hashed over all slots), routed to their slot's master by CRC16
# here and written by one `redis-cli --pipe` per master; values are random bytes.
start=$(now)
redis-cli -p "${masters[0]}" cluster nodes >"$work/nodes.txt"
python3 - "$work/nodes.txt" "$bulk_keys" "$value_bytes" "$work" <<'PY'
import os, subprocess, sys
nodes_file, count, vbytes, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
tab = []
for i in range(256):
    c = i << 8
    for _ in range(8):
        c = ((c << 1) ^ 0x1021) if c & 0x8000 else (c << 1)
    tab.append(c & 0xFFFF)
def slot(k):
    c = 0
    for b in k:
        c = ((c << 8) & 0xFFFF) ^ tab[((c >> 8) ^ b) & 0xFF]
    return c & 16383
owner = [None] * 16384
ports = []
for line in open(nodes_file):
    f = line.split()
    if 'master' not in f[2]:
        continue
    port = f[1].split('@')[0].rsplit(':', 1)[1]
    ports.append(port)
    for r in f[8:]:
        if r.startswith('['):
            continue
        a, _, b = r.partition('-')
        for s in range(int(a), int(b or a) + 1):
            owner[s] = port
procs = {p: subprocess.Popen(['redis-cli', '-p', p, '--pipe'], stdin=subprocess.PIPE,
                             stdout=open(os.path.join(work, 'fill-%s.out' % p), 'w'), stderr=subprocess.STDOUT)
         for p in ports}
bufs = {p: [] for p in ports}
sizes = {p: 0 for p in ports}
head = b'$%d\r\n' % vbytes
for i in range(count):
    k = b'bench:bulk:%d' % i
    p = owner[slot(k)]
    bufs[p].append(b'*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n%s%s\r\n' % (len(k), k, head, os.urandom(vbytes)))
    sizes[p] += vbytes
    if sizes[p] >= 4 << 20:
        procs[p].stdin.write(b''.join(bufs[p])); bufs[p].clear(); sizes[p] = 0
for p in ports:
    procs[p].stdin.write(b''.join(bufs[p]))
    procs[p].stdin.close()
bad = 0
for p in ports:
    bad |= procs[p].wait()
    if 'errors: 0,' not in open(os.path.join(work, 'fill-%s.out' % p)).read():
        bad = 1
sys.exit(1 if bad else 0)
PY
seeds=()
for p in "${masters[@]}"; do seeds+=(--redis "127.0.0.1:$p"); done
"$rcplan" keys load "${seeds[@]}" --count "$check_keys" --prefix bench:check: >/dev/null
t_fill=$(elapsed "$start" "$(now)")
src_keys=$(dbsize_over "${masters[@]}")
((src_keys == bulk_keys + check_keys)) || { log "DBSIZE over the masters is $src_keys, not $((bulk_keys + check_keys))"; exit 1; }
log "filled in $t_fill s: $src_keys keys, used_memory of the first master $(info_field "${masters[0]}" used_memory_human)"

# The save points (and AOF rewrites) would fork during the timed runs: one BGSAVE on every node
# now, then nothing is dirty.
start=$(now)
for p in "${nodes[@]}"; do redis-cli -p "$p" bgsave schedule >/dev/null; done
sleep 1
settle "${nodes[@]}"
log "settled (BGSAVE on every node, replicas caught up) in $(elapsed "$start" "$(now)") s"

status=0
rows=()
last_cli="" last_rcplan=""
# run_round SETTING ROUND: one redis-cli backup, then one rcplan backup, both checked
run_round() {
  local setting=$1 r=$2 d t b n
  d="$work/redis-cli-$setting-$r"
  mkdir -p "$d"
  settle "${nodes[@]}"
  start=$(now)
  redis-cli --cluster backup "127.0.0.1:${masters[0]}" "$d" >"$d.log" 2>&1 ||
    { tail -20 "$d.log" >&2; log "redis-cli --cluster backup failed"; exit 1; }
  t=$(elapsed "$start" "$(now)")
  b=$(rdb_bytes "$d"); n=$(rdb_count "$d")
  [[ $n == 6 && -s $d/nodes.json ]] || { log "redis-cli's backup has $n RDB files"; status=1; }
  rows+=("redis-cli $setting $r $t $b")
  log "  $setting round $r: redis-cli $t s, $n files, $b bytes"
  [[ -n $last_cli ]] && rm -rf "$last_cli"
  last_cli=$d

  d="$work/rcplan-$setting-$r"
  settle "${nodes[@]}"
  start=$(now)
  "$rcplan" local backup --dir "$src_dir" --to "$d" --cluster bench >"$d.log" 2>&1 ||
    { tail -20 "$d.log" >&2; log "rcplan local backup failed"; exit 1; }
  t=$(elapsed "$start" "$(now)")
  b=$(rdb_bytes "$d"); n=$(rdb_count "$d")
  if ! "$rcplan" backup verify --from "$d" >"$d.verify" 2>&1; then
    cat "$d.verify" >&2; log "rcplan backup verify failed"; status=1
  fi
  [[ $n == 6 ]] || { log "rcplan's backup has $n RDB files"; status=1; }
  rows+=("rcplan $setting $r $t $b")
  log "  $setting round $r: rcplan $t s, $n files, $b bytes, $(grep -c '^shard [0-9]*: snapshot from replica' "$d.log") of 6 shards from a replica, verify: $(tail -1 "$d.verify")"
  [[ -n $last_rcplan ]] && rm -rf "$last_rcplan"
  last_rcplan=$d
}

log "timed backups, repl-diskless-sync-delay $(redis-cli -p "${masters[0]}" config get repl-diskless-sync-delay | tail -1) (the default)"
for r in $(seq "$rounds"); do run_round default "$r"; done
if ((zero_delay)); then
  for p in "${nodes[@]}"; do redis-cli -p "$p" config set repl-diskless-sync-delay 0 >/dev/null; done
  log "timed backups, repl-diskless-sync-delay 0 on every node"
  for r in $(seq "$rounds"); do run_round delay0 "$r"; done
fi

# The last backups of both tools: sizes within 1 % of each other, every RDB readable
b_cli=$(rdb_bytes "$last_cli")
b_rcplan=$(rdb_bytes "$last_rcplan")
if ! awk -v a="$b_cli" -v b="$b_rcplan" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= a / 100) }'; then
  log "the backups' sizes differ by more than 1 %: redis-cli $b_cli, rcplan $b_rcplan bytes"; status=1
fi
for f in "$last_cli"/*.rdb "$last_rcplan"/*.rdb; do
  redis-check-rdb "$f" >"$work/check-rdb.out" 2>&1 || { tail -5 "$work/check-rdb.out" >&2; log "redis-check-rdb $f failed"; status=1; }
done
log "last backups: redis-cli $b_cli bytes, rcplan $b_rcplan bytes; redis-check-rdb accepted all 12 files"

# Restore rcplan's last backup as 4 masters
start=$(now)
"$rcplan" restore --from "$last_rcplan" --spec "$work/restored.yaml" --dir "$dst_dir" >"$work/restore.out" 2>"$work/restore.err" ||
  { tail -20 "$work/restore.out" "$work/restore.err" >&2; log "rcplan restore failed"; exit 1; }
t_restore=$(elapsed "$start" "$(now)")
mapfile -t rmasters < <(ports "$dst_dir" master)
dst_keys=$(dbsize_over "${rmasters[@]}")
rseeds=()
for p in "${rmasters[@]}"; do rseeds+=(--redis "127.0.0.1:$p"); done
verify=$("$rcplan" keys verify "${rseeds[@]}" --count "$check_keys" --prefix bench:check: 2>&1) || status=1
log "restored as ${#rmasters[@]} masters in $t_restore s: DBSIZE over the masters $dst_keys (source $src_keys); checked keys: $verify"
((${#rmasters[@]} == 4 && dst_keys == src_keys)) || status=1

echo
echo "backup of 6 masters + 6 replicas, $mb MiB of values ($src_keys keys); $(nproc) cores; $rounds runs per tool and setting"
printf '%-10s %-26s %-22s %8s %9s %8s %16s\n' tool repl-diskless-sync-delay "seconds per run" mean MiB "MiB/s" "redis-cli/rcplan"
settings=(default)
((zero_delay)) && settings+=(delay0)
for setting in "${settings[@]}"; do
  cli_mean=$(printf '%s\n' "${rows[@]}" | awk -v s="$setting" '$1 == "redis-cli" && $2 == s { t += $4; n++ } END { printf "%.2f", t / n }')
  for tool in redis-cli rcplan; do
    printf '%s\n' "${rows[@]}" | awk -v tool="$tool" -v s="$setting" -v cli="$cli_mean" '
      $1 == tool && $2 == s { runs = runs (runs == "" ? "" : " ") $4; t += $4; b += $5; n++ }
      END {
        mean = t / n; mib = b / n / 1048576
        ratio = (tool == "rcplan") ? sprintf("%.2fx", cli / mean) : "-"
        printf "%-10s %-26s %-22s %8.2f %9.1f %8.1f %16s\n", tool, (s == "default" ? "5 s (default)" : "0"), runs, mean, mib, mib / mean, ratio
      }'
  done
done
echo "rcplan restore into 4 masters: $t_restore s ($dst_keys keys served, $src_keys in the source)"
echo "(fill: $t_fill s; source cluster up: $t_up s)"
if ((status != 0)); then log "FAILED: a check did not pass"; fi
exit "$status"
