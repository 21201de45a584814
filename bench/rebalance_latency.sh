#!/usr/bin/env bash
# What a rebalance costs the application: 3 masters holding KEYS keys of SIZE bytes plus 3 empty
# masters, rebalanced onto all six by `redis-cli --cluster rebalance --cluster-use-empty-masters`
# and by `rcplan rebalance --use-empty-masters` at several paces, each on a fresh, identical
# cluster, one after the other, with the same client beside each: a redis-py cluster client
# (bench/lib/latency_client.py) doing one GET or SET at a time, timing every command.
#
# Rows: redis-cli; rcplan's default; rcplan with latency budgets of 1, 2 and 5 ms; rcplan
# unpaced (--max-speed). Each prints the rebalance's duration, its speed against redis-cli's in
# the same run, the client's p50 / p99 / p99.9 / max, its commands a second and its errors by
# kind (redirections are followed, not errors). Afterwards every cluster must be balanced with
# every key present.
#
# Not a test: timings depend on the machine. Knobs (environment):
#   KEYS=300000   keys per cluster          SIZE=100   bytes per value
#   RUNS=1        how many times the whole set of rows runs
#   ROWS="redis-cli default 1 2 5 max"      which rows, in order
#   RESULTS=FILE  also append each row, tab-separated, to FILE
#   PLOT=FILE.svg also plot the client's p99 against the rebalance's duration, a point per row
#                 and run (gnuplot)
#   RCPLAN_BUILD_DIR=build   where rcplan is built (built here if missing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KEYS=${KEYS:-300000}
SIZE=${SIZE:-100}
RUNS=${RUNS:-1}
ROWS=${ROWS:-"redis-cli default 1 2 5 max"}
source bench/lib/cluster.sh
bench_require "${RCPLAN_BUILD_DIR:-build}" redis-server redis-cli python3
# Debian's own Python, where python3-redis installs (not whichever python3 comes first in PATH)
py=/usr/bin/python3
if ! "$py" -c 'import redis.cluster' 2>/dev/null; then
  source scripts/lib/common.sh
  rcplan_apt_install python3 python3-redis
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rcplan-latency-XXXXXX")
bench_cluster_init

# stop_cluster NAME: the servers of cluster NAME, so that the next row has the machine to itself
stop_cluster() {
  local f
  for f in "$work/$1"/*/redis.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 0.5
}

# the rebalance command of a row, seeded at $1
row_command() {
  case $2 in
    redis-cli) echo redis-cli --cluster rebalance "$1" --cluster-use-empty-masters ;;
    default) echo "$rcplan" rebalance --redis "$1" --use-empty-masters ;;
    max) echo "$rcplan" rebalance --redis "$1" --use-empty-masters --max-speed ;;
    *) echo "$rcplan" rebalance --redis "$1" --use-empty-masters --latency-budget-ms "$2" ;;
  esac
}

row_label() {
  case $1 in
    redis-cli) echo "redis-cli" ;;
    default) echo "rcplan (default)" ;;
    max) echo "rcplan --max-speed" ;;
    *) echo "rcplan --latency-budget-ms $1" ;;
  esac
}

# run_row RUN ROW: one fresh cluster, the client, the rebalance; prints the row's figures as
# "seconds<TAB>p50<TAB>p99<TAB>p99.9<TAB>max<TAB>ops/s<TAB>errors<TAB>followed<TAB>check"
run_row() {
  local name="r$1-$2" ports seed client_pid start end check=ok
  read -r -a ports <<<"$(start_cluster "$name" 3 3)"
  seed="127.0.0.1:${ports[0]}"
  "$rcplan" keys load --redis "$seed" --count "$KEYS" --size "$SIZE" >/dev/null
  "$py" bench/lib/latency_client.py --seed "$seed" --count "$KEYS" --size "$SIZE" \
    --out "$work/$name.client" 2>"$work/$name.client.err" &
  client_pid=$!
  sleep 1  # connected, slot map read: what is measured is the rebalance, not the start-up
  kill -USR1 "$client_pid"
  start=$(now)
  # shellcheck disable=SC2046  # the command's words
  $(row_command "$seed" "$2") >"$work/$name.out" 2>"$work/$name.err" ||
    { echo "$(row_label "$2") failed:" >&2; tail -n 20 "$work/$name.out" "$work/$name.err" >&2; check=failed; }
  end=$(now)
  kill -TERM "$client_pid"
  wait "$client_pid" || true
  [[ $(slot_counts "${ports[0]}" | wc -w) == 6 ]] || check="unbalanced"
  "$rcplan" keys verify --redis "$seed" --count "$KEYS" --size "$SIZE" >"$work/$name.verify" || check="keys lost"
  stop_cluster "$name"
  "$py" - "$work/$name.client" "$start" "$end" "$check" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l = d["latency_ms"]
errors = ", ".join(f"{k} {v}" for k, v in sorted(d["errors"].items())) or "none"
followed = ", ".join(f"{k} {v}" for k, v in sorted(d["followed"].items())) or "none"
print(f'{float(sys.argv[3]) - float(sys.argv[2]):.2f}\t{l["p50"]:.2f}\t{l["p99"]:.2f}\t{l["p99.9"]:.2f}\t'
      f'{l["max"]:.1f}\t{d["ops_per_second"]:.0f}\t{errors}\t{followed}\t{sys.argv[4]}')
PY
}

echo "3 masters + 3 empty masters, $KEYS keys of $SIZE bytes, a fresh cluster per row (work dir $work)"
printf '%-30s %9s %7s %10s %7s %7s %8s %7s  %-12s %s\n' row seconds speed "p50 ms" p99 p99.9 max ops/s errors check
status=0
for ((run = 1; run <= RUNS; run++)); do
  cli_seconds=""
  for row in $ROWS; do
    IFS=$'\t' read -r seconds p50 p99 p999 max ops errors followed check <<<"$(run_row "$run" "$row")"
    [[ $row == redis-cli ]] && cli_seconds=$seconds
    speed="-"
    [[ -n $cli_seconds ]] && speed=$(awk -v c="$cli_seconds" -v r="$seconds" 'BEGIN { printf "%.1fx", c / r }')
    printf '%-30s %9s %7s %10s %7s %7s %8s %7s  %-12s %s\n' "$(row_label "$row")" "$seconds" "$speed" "$p50" "$p99" \
      "$p999" "$max" "$ops" "$errors" "$check"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$row" "$seconds" "$speed" "$p50" "$p99" "$p999" \
      "$max" "$ops" "$errors" "$followed" "$check" >>"$work/rows"
    [[ $check == ok && $errors == none ]] || status=1
  done
done
if [[ -n ${PLOT:-} ]]; then
  source scripts/lib/common.sh
  rcplan_ensure_gnuplot
  {
    echo "set terminal svg size 720,420 font 'sans,11'; set termoption noenhanced"
    echo "set output '$PLOT'"
    echo "set xlabel 'rebalance (s)'; set ylabel 'client p99 (ms)'; set logscale y; set key outside right"
    echo "set title 'A rebalance of $KEYS keys onto 3 empty masters: speed against the client p99'"
    printf 'plot '
    first=1
    for row in $ROWS; do
      ((first)) || printf ', '
      first=0
      printf "'%s' using 2:3 with points pointsize 1.5 title '%s'" "$work/plot-$row" "$(row_label "$row")"
    done
    echo
  } >"$work/plot.gp"
  for row in $ROWS; do awk -F'\t' -v r="$row" '$2 == r { print r, $3, $6 }' "$work/rows" >"$work/plot-$row"; done
  gnuplot "$work/plot.gp"
  echo "plotted $PLOT"
fi
[[ -n ${RESULTS:-} ]] && cat "$work/rows" >>"$RESULTS"
if ((status != 0)); then echo "FAILED: a client saw an error, or a cluster is unbalanced or lost keys" >&2; fi
exit "$status"
