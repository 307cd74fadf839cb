#!/usr/bin/env bash
# Runs faultline's engine benchmark beside peerbench's lean binary-heap loop
# (../shared/peerbench/baseline/hold_pq.cpp), alternately, REPS times each, on
# the same machine in one go, and prints medians and ratios as a markdown table.
# usage: scripts/bench/engine_vs_peers.sh [REPS=3] [EVENTS=10000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-3}
events=${2:-10000000}
peerbench=${PEERBENCH:-$(git rev-parse --show-toplevel)/../shared/peerbench}
[ -f "$peerbench/baseline/hold_pq.cpp" ] || { echo "peerbench not found at $peerbench (set PEERBENCH)" >&2; exit 2; }
[ -x build/faultline ] || scripts/build.sh
mkdir -p build/peerbench
g++ -O2 -std=c++17 -I"$peerbench/common" "$peerbench/baseline/hold_pq.cpp" -o build/peerbench/hold_pq

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A fl peer
for ((r = 1; r <= reps; r++)); do
  json=$(build/faultline bench engine --json --events "$events")
  for d in 1000 100000; do
    fl[$d]+="$(python3 -c "import json,sys; h=[x for x in json.loads(sys.argv[1])['hold'] if x['pending']==$d][0]; print(h['events_per_sec'])" "$json") "
    peer[$d]+="$(build/peerbench/hold_pq "$events" "$d" | sed -n 's/.*ev_per_s=\([0-9.]*\).*/\1/p') "
  done
  pp+="$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['pingpong']['events_per_sec'])" "$json") "
done
echo "| model | faultline (M events/s) | lean heap loop (M events/s) | ratio |"
echo "|---|---|---|---|"
for d in 1000 100000; do
  f=$(tr ' ' '\n' <<<"${fl[$d]}" | grep . | median)
  p=$(tr ' ' '\n' <<<"${peer[$d]}" | grep . | median)
  awk -v d="$d" -v f="$f" -v p="$p" 'BEGIN { printf "| hold, %d pending | %.1f | %.1f | %.2fx |\n", d, f / 1e6, p / 1e6, f / p }'
done
ppm=$(tr ' ' '\n' <<<"$pp" | grep . | median)
awk -v f="$ppm" 'BEGIN { printf "| ping-pong, 1,000 nodes, full network model | %.1f | | |\n", f / 1e6 }'
echo "(medians of $reps alternating runs, $events events per hold run; $(nproc) cores, $(date -u +%Y-%m-%d))"
