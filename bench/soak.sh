#!/usr/bin/env bash
# A soak: a local cluster (`rcplan local`: 3 masters with a replica each, a password) under a
# steady client load for MINUTES, while every PERIOD seconds the next event of a fixed cycle
# happens:
#   1. scale up to 4 masters              (`rcplan local apply`)
#   2. a pod killed                       (SIGKILL of a random redis-server of the cluster,
#                                          then `rcplan local apply` heals it)
#   3. scale down to 3 masters
#   4. the executor killed                (`rcplan local apply` to 4 masters SIGKILLed at a
#                                          random moment of its first seconds, then run again)
#   5. a password change                  (`--password-file NEW --previous-password-file OLD`:
#                                          masterauth first, then requirepass, live)
#   6. the executor killed again          (scaling down to 3), then run again
# The load is `rcplan keys traffic`: one command at a time, reads and writes (about three reads
# to a write) of KEYS numbered keys (values derived from the numbers), for the whole run, with
# both passwords (it falls back on the other one, as an application rolling its password does),
# from the start's seeds (it learns the nodes added later from the slot map). At the end every
# key is checked (`rcplan keys verify`, with the values) and the figures are printed: operations,
# redirections, client errors by kind (retried and failed), wrong values, keys lost (must be 0),
# and each event with how long it took.
#
# Not a test: it runs for minutes and its figures depend on the machine. Usage:
#   bench/soak.sh MINUTES [--period SECONDS] [--keys N] [--json FILE]
#     --period SECONDS  time between the starts of two events (default 60)
#     --keys N          keys loaded before the load starts (default 100000)
#     --json FILE       also write the figures as JSON
# rcplan is RCPLAN_BUILD_DIR's (default build; built there if missing). Needs redis-server and
# python3. The cluster is stopped with `rcplan local down` on exit.
# Exits non-zero when a key is lost or has a wrong value, an event fails, or the cluster does
# not end Healthy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  sed -n '22,28s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&"$((${1:-2} == 0 ? 1 : 2))"
  exit "${1:-2}"
}
minutes=""
period=60
keys=100000
json_out=""
while (($# > 0)); do
  case $1 in
    --period) period=${2:?--period needs a value}; shift 2 ;;
    --keys) keys=${2:?--keys needs a value}; shift 2 ;;
    --json) json_out=${2:?--json needs a value}; shift 2 ;;
    -h | --help) usage 0 ;;
    -*) echo "unknown argument: $1" >&2; usage ;;
    *) [[ -z $minutes ]] || usage; minutes=$1; shift ;;
  esac
done
[[ -n $minutes ]] || usage
for n in "$minutes" "$period" "$keys"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "not a positive number: $n" >&2; exit 2; }
done

source bench/lib/cluster.sh
bench_require "${RCPLAN_BUILD_DIR:-build}" redis-server python3
rcplan=$(realpath "$rcplan")

work=$(mktemp -d "${TMPDIR:-/tmp}/rcplan-soak-XXXXXX")
dir="$work/cluster"
traffic_pid=""
cleanup() {
  [[ -n $traffic_pid ]] && kill "$traffic_pid" 2>/dev/null || true
  if [[ -e $dir/state.json ]]; then "$rcplan" local down --dir "$dir" >/dev/null || echo "local down failed" >&2; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "soak: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f", e - s }'; }

spec() {
  printf 'apiVersion: redis.kun/v1alpha1\nkind: DistributedRedisCluster\nmetadata:\n  name: soak\nspec:\n'
  printf '  masterSize: %s\n  clusterReplicas: 1\n  passwordSecret: {name: soak-password}\n' "$1"
}
spec 3 >"$work/three.yaml"
spec 4 >"$work/four.yaml"
# two passwords, one current at a time; never printed (rcplan redacts them too)
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/pw-a"
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/pw-b"
chmod 600 "$work/pw-a" "$work/pw-b"
current="$work/pw-a"
other="$work/pw-b"

# apply SPEC [extra args]: converges the local cluster, quietly; fails the soak when it cannot
apply() {
  local spec_file=$1
  shift
  "$rcplan" local apply --spec "$spec_file" --dir "$dir" --password-file "$current" "$@" >"$work/apply.log" 2>&1 ||
    { cat "$work/apply.log" >&2; return 1; }
}

# seeds: HOST:PORT of every running pod, as --redis arguments
seeds() {
  "$rcplan" local status --dir "$dir" --password-file "$current" -o json |
    python3 -c 'import json, sys
for p in json.load(sys.stdin)["pods"]:
    print("--redis\n127.0.0.1:%d" % p["port"])'
}

log "creating the cluster in $dir"
"$rcplan" local up --spec "$work/three.yaml" --dir "$dir" --password-file "$current" >"$work/up.log" 2>&1 ||
  { cat "$work/up.log" >&2; exit 1; }
mapfile -t seed_args < <(seeds)
log "loading $keys keys"
"$rcplan" keys load "${seed_args[@]}" --password-file "$current" --count "$keys" >/dev/null

total=$((minutes * 60))
log "load for ${total} s, an event every ${period} s"
"$rcplan" keys traffic "${seed_args[@]}" --password-file "$work/pw-a" --previous-password-file "$work/pw-b" \
  --count "$keys" --seconds "$total" -o json >"$work/traffic.json" 2>"$work/traffic.err" &
traffic_pid=$!
start=$SECONDS

events=()  # "name seconds" per event done
failed=0
# kill_executor SPEC: `local apply` SIGKILLed 0.5 to 3 s in, then run to the end
kill_executor() {
  local delay
  delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.5 + 2.5 * r / 32767 }')
  "$rcplan" local apply --spec "$1" --dir "$dir" --password-file "$current" >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  apply "$1"
}
kill_pod() {
  local pids=() f p
  for f in "$dir"/pods/*/redis.pid; do
    [[ -e $f ]] || continue
    p=$(<"$f")
    kill -0 "$p" 2>/dev/null && pids+=("$p")
  done
  ((${#pids[@]} > 0)) || { log "no running pod to kill"; return 1; }
  kill -9 "${pids[RANDOM % ${#pids[@]}]}"
  apply "$1"
}
change_password() {
  local old=$current
  current=$other
  other=$old
  apply "$1" --previous-password-file "$old"
}

cycle=(scale_up kill_pod scale_down kill_executor_up change_password kill_executor_down)
masters_spec="$work/three.yaml"
n=0
while ((SECONDS - start + 5 < total)); do
  event=${cycle[n % ${#cycle[@]}]}
  t0=$(now)
  case $event in
    scale_up) masters_spec="$work/four.yaml"; apply "$masters_spec" ;;
    scale_down) masters_spec="$work/three.yaml"; apply "$masters_spec" ;;
    kill_pod) kill_pod "$masters_spec" ;;
    kill_executor_up) masters_spec="$work/four.yaml"; kill_executor "$masters_spec" ;;
    kill_executor_down) masters_spec="$work/three.yaml"; kill_executor "$masters_spec" ;;
    change_password) change_password "$masters_spec" ;;
  esac || { log "event $event failed"; failed=$((failed + 1)); }
  took=$(elapsed "$t0" "$(now)")
  events+=("$event $took")
  log "$((SECONDS - start)) s: $event took $took s"
  n=$((n + 1))
  next=$((n * period))
  while ((SECONDS - start < next && SECONDS - start + 5 < total)); do sleep 1; done
done

log "waiting for the load to end"
wait "$traffic_pid" || true
traffic_pid=""
mapfile -t seed_args < <(seeds)
"$rcplan" keys verify "${seed_args[@]}" --password-file "$current" --count "$keys" -o json >"$work/verify.json" || true
healthy=0
"$rcplan" local status --spec "$masters_spec" --dir "$dir" --password-file "$current" | grep -q "status: Healthy" && healthy=1

printf '%s\n' "${events[@]}" >"$work/events.txt"
python3 - "$work" "$minutes" "$period" "$keys" "$failed" "$healthy" "${json_out:-}" <<'EOF'
import json, sys
work, minutes, period, keys, failed, healthy, json_out = sys.argv[1:8]
try:
    traffic = json.load(open(f"{work}/traffic.json"))
except ValueError:
    print(open(f"{work}/traffic.err").read(), file=sys.stderr)
    raise
verify = json.load(open(f"{work}/verify.json"))
events = {}
for line in open(f"{work}/events.txt"):
    name, took = line.split()
    events.setdefault(name, []).append(float(took))
client = traffic["client"]
lost = verify["missing"] + verify["wrong"]
figures = {
    "minutes": int(minutes), "period_s": int(period), "keys": int(keys),
    "operations": traffic["reads"] + traffic["writes"], "reads": traffic["reads"], "writes": traffic["writes"],
    "moved": client["moved"], "ask": client["ask"], "retried": client["retried"], "failed": client["failed"],
    "errors_by_kind": client["by_kind"], "wrong_values_read": traffic["wrong_values"],
    "latency_ms": traffic["latency_ms"],
    "keys_present": verify["present"], "keys_missing": verify["missing"], "keys_wrong": verify["wrong"],
    "keys_lost": lost, "events": {k: {"count": len(v), "max_s": max(v), "mean_s": round(sum(v) / len(v), 1)}
                                  for k, v in events.items()},
    "events_failed": int(failed), "healthy_at_end": healthy == "1",
}
print(f"soak: {minutes} min, an event every {period} s, {keys} keys")
print(f"  operations {figures['operations']} ({figures['reads']} reads, {figures['writes']} writes), "
      f"{figures['moved']} MOVED, {figures['ask']} ASK")
print(f"  client errors: {figures['retried']} retried, {figures['failed']} failed; by kind: "
      + (", ".join(f"{k} {n}" for k, n in sorted(figures["errors_by_kind"].items())) or "none"))
print(f"  wrong values read: {figures['wrong_values_read']}; latency ms p50 {traffic['latency_ms']['p50']}, "
      f"p99 {traffic['latency_ms']['p99']}, p99.9 {traffic['latency_ms']['p99.9']}, max {traffic['latency_ms']['max']}")
for k, v in figures["events"].items():
    print(f"  {k}: {v['count']} times, mean {v['mean_s']} s, max {v['max_s']} s")
print(f"  events failed: {failed}; Healthy at the end: {'yes' if healthy == '1' else 'no'}")
print(f"  keys lost: {lost} ({verify['missing']} missing, {verify['wrong']} wrong of {keys})")
if json_out:
    json.dump(figures, open(json_out, "w"), indent=2)
sys.exit(0 if lost == 0 and int(failed) == 0 and healthy == "1" and figures["wrong_values_read"] == 0 else 1)
EOF
