#!/usr/bin/env bash
# Times the operator end to end on this machine, against a real Kubernetes control plane
# started by `rcplan local cluster up` (etcd, kube-apiserver, kube-controller-manager, the local
# node agent standing in for the kubelet and the scheduler, and `rcplan operator`) in a
# temporary directory that `rcplan local cluster down` removes on exit. Per run, in a namespace
# of its own, with the seed resource tests/data/fixtures/distributedrediscluster.yaml (3 masters,
# 1 replica each):
#
#   apply_to_healthy_s  `kubectl apply -f` of the resource until .status.status is Healthy at
#                       .metadata.generation (.status.observedGeneration equal to it) with 3
#                       masters: pods started by the agent, cluster created, slots assigned;
#   scale_up_s          after KEYS keys are loaded (`rcplan keys load`), `kubectl patch`
#                       masterSize 3 -> 4 until Healthy at the new generation with 4 masters
#                       (new pods started, joined, slots and keys moved onto the new master);
#   scale_down_s        masterSize 4 -> 3 until Healthy at the new generation with 3 masters
#                       (slots and keys moved off the fourth master, its pods removed);
#   keys_lost           KEYS minus the keys read back with their values afterwards (`rcplan
#                       keys verify`); DBSIZE summed over the masters (redis-cli) must be KEYS too.
#
# Status is polled every 0.2 s (plus the time kubectl takes to answer), so a time is accurate
# to about a third of a second; it includes kubectl's start-up for the apply or the patch.
#
# Not a test: timings depend on the machine. Usage:
#   bench/operator_times.sh [--runs N] [--keys N] [--rcplan PATH] [--timeout SECONDS]
#     --runs N        repeat apply / scale up / scale down / verify N times (default 1), each
#                     run in a fresh namespace of the same local cluster
#     --keys N        keys loaded before scaling up (default 20000; or KEYS=N in the environment)
#     --rcplan PATH   the rcplan binary (default build/bindings/cli/rcplan; built there if missing)
#     --timeout S     give up waiting for a status after S seconds (default 300; or TIMEOUT=S)
# Needs kubectl and redis-cli, and Go the first time (scripts/kube-testenv.sh builds the control
# plane from its Go modules and caches it). Exits non-zero if a wait times out or a key is lost.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=1
keys=${KEYS:-20000}
timeout=${TIMEOUT:-300}
rcplan=""
# usage [STATUS]: the usage lines of the header above; on stderr unless asked for
usage() {
  if ((${1:-2} == 0)); then sed -n '23,31s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0; fi
  sed -n '23,31s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit "${1:-2}"
}
while (($# > 0)); do
  case $1 in
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --keys) keys=${2:?--keys needs a value}; shift 2 ;;
    --rcplan) rcplan=${2:?--rcplan needs a value}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
for n in "$runs" "$keys" "$timeout"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "not a positive number: $n" >&2; exit 2; }
done

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
for tool in kubectl redis-cli; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
done

fixture=tests/data/fixtures/distributedrediscluster.yaml
name=example-distributedrediscluster

work=$(mktemp -d -t rcplan-operator-bench-XXXXXX)
cluster_dir="$work/cluster"
cleanup() {
  # `down` stops the operator, the agent with every pod it started, and the control plane, and
  # removes the directory; it refuses a directory `up` did not get far enough to mark
  if [[ -e $cluster_dir/local-cluster.json ]]; then
    "$rcplan" local cluster down --dir "$cluster_dir" >/dev/null || echo "local cluster down failed" >&2
  elif [[ -d $cluster_dir/control-plane ]]; then
    # `up` failed while starting the control plane: stop what it had started
    "${RCPLAN_KUBE_TESTENV:-scripts/kube-testenv.sh}" down "$cluster_dir/control-plane" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }

echo "starting the local Kubernetes cluster (the control plane is built from Go modules the first time)" >&2
if ! kubeconfig=$("$rcplan" local cluster up --dir "$cluster_dir" 2>"$work/up.err"); then
  cat "$work/up.err" >&2
  echo "rcplan local cluster up failed" >&2
  exit 1
fi
kc=(kubectl --kubeconfig "$kubeconfig")

# status NS: "generation observedGeneration status numberOfMaster" of the resource
status() {
  "${kc[@]}" -n "$1" get drc "$name" \
    -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.status.status} {.status.numberOfMaster}' 2>/dev/null || true
}

# wait_healthy NS GENERATION MASTERS: until Healthy at GENERATION with MASTERS masters, or fail
wait_healthy() {
  local ns=$1 gen=$2 masters=$3 deadline seen=""
  deadline=$(($(date +%s) + timeout))
  while :; do
    seen=$(status "$ns")
    [[ $seen == "$gen $gen Healthy $masters" ]] && return 0
    if (($(date +%s) >= deadline)); then
      echo "TIMEOUT: $ns/$name not Healthy at generation $gen with $masters masters after ${timeout} s" >&2
      echo "  last seen (generation observedGeneration status masters): ${seen:-nothing}" >&2
      "${kc[@]}" -n "$ns" get drc,pods -o wide >&2 || true
      echo "  operator log (last lines):" >&2
      tail -20 "$cluster_dir/operator.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

# master_addrs NS: HOST:PORT of every master in the resource's status
master_addrs() {
  "${kc[@]}" -n "$1" get drc "$name" \
    -o jsonpath='{range .status.nodes[?(@.role=="Master")]}{.ip}:{.port}{"\n"}{end}'
}

rows=()
status_all=0
for run in $(seq "$runs"); do
  ns="rcplan-bench-$run"
  "${kc[@]}" create namespace "$ns" >/dev/null

  start=$(now)
  gen=$("${kc[@]}" -n "$ns" apply -f "$fixture" -o jsonpath='{.metadata.generation}')
  wait_healthy "$ns" "$gen" 3
  t_apply=$(elapsed "$start" "$(now)")

  mapfile -t masters < <(master_addrs "$ns")
  redis_args=()
  for m in "${masters[@]}"; do redis_args+=(--redis "$m"); done
  "$rcplan" keys load "${redis_args[@]}" --count "$keys" >/dev/null

  start=$(now)
  gen=$("${kc[@]}" -n "$ns" patch drc "$name" --type merge -p '{"spec":{"masterSize":4}}' \
    -o jsonpath='{.metadata.generation}')
  wait_healthy "$ns" "$gen" 4
  t_up=$(elapsed "$start" "$(now)")

  start=$(now)
  gen=$("${kc[@]}" -n "$ns" patch drc "$name" --type merge -p '{"spec":{"masterSize":3}}' \
    -o jsonpath='{.metadata.generation}')
  wait_healthy "$ns" "$gen" 3
  t_down=$(elapsed "$start" "$(now)")

  # every key read back with its value, through the masters now in the status
  mapfile -t masters < <(master_addrs "$ns")
  redis_args=()
  for m in "${masters[@]}"; do redis_args+=(--redis "$m"); done
  verify=$("$rcplan" keys verify "${redis_args[@]}" --count "$keys" -o json || true)
  present=$(sed -n 's/^ *"present": *\([0-9]*\).*/\1/p' <<<"$verify")
  present=${present:-0}
  dbsize=0
  for m in "${masters[@]}"; do
    n=$(redis-cli -h "${m%:*}" -p "${m##*:}" dbsize 2>/dev/null || true)
    [[ $n =~ ^[0-9]+$ ]] || n=0
    dbsize=$((dbsize + n))
  done
  lost=$((keys - present))
  echo "run $run: $present/$keys keys read back with their values; DBSIZE over the ${#masters[@]} masters: $dbsize" >&2
  if ((lost != 0 || dbsize != keys)); then status_all=1; fi
  rows+=("$run $t_apply $t_up $t_down $lost")

  # the next run starts from an idle machine: this run's pods gone with their namespace
  if ((run < runs)); then
    "${kc[@]}" delete namespace "$ns" --wait=true --timeout="${timeout}s" >/dev/null ||
      echo "namespace $ns not deleted in time; going on" >&2
  fi
done

echo
echo "operator times, ${keys} keys (masterSize 3 -> 4 -> 3, 1 replica per master)"
printf '%4s %19s %11s %13s %10s\n' run apply_to_healthy_s scale_up_s scale_down_s keys_lost
for row in "${rows[@]}"; do
  read -r r a u d l <<<"$row"
  printf '%4s %19s %11s %13s %10s\n' "$r" "$a" "$u" "$d" "$l"
done
if ((runs > 1)); then
  printf '%s\n' "${rows[@]}" | awk '{ a += $2; u += $3; d += $4 }
    END { printf "%4s %19.2f %11.2f %13.2f %10s\n", "mean", a / NR, u / NR, d / NR, "-" }'
fi
if ((status_all != 0)); then echo "FAILED: keys were lost (or DBSIZE over the masters is not $keys)" >&2; fi
exit "$status_all"
