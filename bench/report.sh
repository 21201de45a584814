#!/usr/bin/env bash
# Regenerates the strategy report in bench/report/: the Markdown table of every strategy on
# every scenario (strategies.md), its data (strategies.csv) and three plots (SVG, gnuplot):
# plan time against cluster size per strategy, slots moved against the lower bound per
# scenario, and ranges per master per scenario. The README shows them.
#
# Usage: bench/report.sh [BUILD_DIR] [MAX_MASTERS]   (default: build, 1000; a Release build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/common.sh
build=${1:-build}
max=${2:-1000}
out=bench/report

rcplan_ensure_gnuplot
cmake --build "$build" --target rcplan_strategy_report >/dev/null
"$build/bench/rcplan_strategy_report" --max-masters "$max" --corpus bench/scenarios/corpus.json \
  --csv "$out/strategies.csv" >"$out/strategies.md"

# one data file per (strategy, scenario), rows by cluster size; the broken example is left out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
strategies=$(awk -F, 'NR > 1 && $1 != "broken-example" { print $1 }' "$out/strategies.csv" | awk '!seen[$0]++')
# the plots show the grid of built-in scenarios (the corpus is in the table)
scenarios=$(awk -F, 'NR > 1 && $2 !~ / / { print $2 }' "$out/strategies.csv" | awk '!seen[$0]++')
for st in $strategies; do
  for sc in $scenarios; do
    awk -F, -v st="$st" -v sc="$sc" '$1 == st && $2 == sc' "$out/strategies.csv" >"$tmp/$st.$sc.dat"
  done
done

# plan time against cluster size, join_half (the heaviest scenario), one line per strategy
{
  echo "set terminal svg size 720,420 font 'sans,11'; set termoption noenhanced"
  echo "set output '$out/plan_time.svg'"
  echo "set title 'Plan time, join_half (first pass, best of five)'"
  echo "set logscale xy; set xlabel 'masters'; set ylabel 'µs'; set key left top; set grid"
  echo "set datafile separator ','"
  printf "plot "
  sep=""
  for st in $strategies; do
    printf "%s'%s' using 3:4 with linespoints title '%s'" "$sep" "$tmp/$st.join_half.dat" "$st"
    sep=", "
  done
  echo
} | gnuplot

# moved / lower bound and max ranges per scenario at the largest size, bars per strategy
size=$(awk -F, 'NR > 1 && $2 !~ / / { print $3 }' "$out/strategies.csv" | sort -n | tail -1)
for what in moved ranges; do
  data="$tmp/$what.dat"
  {
    printf "scenario"
    for st in $strategies; do printf " %s" "$st"; done
    echo
    for sc in $scenarios; do
      [[ $sc == balanced ]] && continue  # nothing moves
      printf "%s" "$sc"
      for st in $strategies; do
        awk -F, -v st="$st" -v sc="$sc" -v n="$size" -v w="$what" '$1 == st && $2 == sc && $3 == n {
          if (w == "moved") printf " %.3f", ($7 > 0 ? $6 / $7 : 1); else printf " %d", $9 }' "$out/strategies.csv"
      done
      echo
    done
  } >"$data"
  columns=$(($(echo "$strategies" | wc -w) + 1))
  {
    echo "set terminal svg size 720,420 font 'sans,11'; set termoption noenhanced"
    echo "set output '$out/$what.svg'"
    if [[ $what == moved ]]; then
      echo "set title 'Slots moved / lower bound, $size masters (1: the least possible)'"
      echo "set logscale y; set yrange [0.1:*]"
    else
      echo "set title 'Most ranges held by one master afterwards, $size masters'"
    fi
    echo "set style data histograms; set style histogram clustered; set style fill solid 0.8 border -1"
    echo "set key outside right top; set grid y"
    [[ $what == ranges ]] && echo "set yrange [0:*]"
    echo "plot for [c=2:$columns] '$data' using c:xtic(1) title columnheader(c)"
  } | gnuplot
done
echo "report.sh: wrote $out/strategies.md, strategies.csv, plan_time.svg, moved.svg, ranges.svg"
