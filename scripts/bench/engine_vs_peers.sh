#!/usr/bin/env bash
# Runs faultline's engine benchmark beside peerbench's lean binary-heap loop
# (../shared/peerbench/baseline/hold_pq.cpp), and ns-3's and SimGrid 3.32's
# hold models when their Debian packages are installed, alternately, REPS
# times each, on the same machine in one go, and prints medians and ratios as
# a markdown table.
# usage: scripts/bench/engine_vs_peers.sh [REPS=3] [EVENTS=10000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/host.sh  # prints the host the figures come from
reps=${1:-3}
events=${2:-10000000}
MODEL=hold source scripts/bench/build_peers.sh
rate() { sed -n 's/.*ev_per_s=\([0-9.]*\).*/\1/p'; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A fl peer ns3 sg
for ((r = 1; r <= reps; r++)); do
  json=$(build/faultline bench engine --json --events "$events")
  for d in 1000 100000; do
    fl[$d]+="$(python3 -c "import json,sys; h=[x for x in json.loads(sys.argv[1])['hold'] if x['pending']==$d][0]; print(h['events_per_sec'])" "$json") "
    peer[$d]+="$(build/peerbench/bin/hold_pq "$events" "$d" | rate) "
    [ -x build/peerbench/bin/ns3_hold ] && ns3[$d]+="$(build/peerbench/bin/ns3_hold "$events" "$d" | rate) "
    [ -x build/peerbench/bin/sg332_hold_timers ] && sg[$d]+="$(build/peerbench/bin/sg332_hold_timers "$events" "$d" 2>&1 | rate) "
  done
  pp+="$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['pingpong']['events_per_sec'])" "$json") "
done
echo "| model | faultline (M events/s) | lean heap loop (M events/s) | ratio | ns-3 (M events/s) | SimGrid 3.32 timers (M events/s) |"
echo "|---|---|---|---|---|---|"
for d in 1000 100000; do
  f=$(tr ' ' '\n' <<<"${fl[$d]}" | grep . | median)
  p=$(tr ' ' '\n' <<<"${peer[$d]}" | grep . | median)
  n=$(tr ' ' '\n' <<<"${ns3[$d]:-}" | grep . | median || true)
  g=$(tr ' ' '\n' <<<"${sg[$d]:-}" | grep . | median || true)
  python3 -c '
import sys
d, f, p, n, g = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
peer = lambda x: f"{float(x) / 1e6:.2f}" if x else "-"
print(f"| hold, {d} pending | {f / 1e6:.1f} | {p / 1e6:.1f} | {f / p:.2f}x | {peer(n)} | {peer(g)} |")
' "$d" "$f" "$p" "${n:-}" "${g:-}"
done
ppm=$(tr ' ' '\n' <<<"$pp" | grep . | median)
awk -v f="$ppm" 'BEGIN { printf "| ping-pong, 1,000 nodes, full network model | %.1f | | | | |\n", f / 1e6 }'
echo "(medians of $reps alternating runs, $events events per hold run; $(nproc) cores, $(date -u +%Y-%m-%d))"
