#!/usr/bin/env bash
# Push gossip at N = 1,000 .. 1,000,000 through faultline's real gossip
# protocol and network model, beside peerbench's engines running the same
# model (fan-out 3, period 1 s, latency U[10 ms, 50 ms), until every node is
# informed): the lean hand-written heap loop, ns-3 and SimGrid 3.32 (kernel
# timers) when their Debian packages are installed, and SimPy up to
# N = 100,000 (it does not finish 1,000,000 in minutes). One after the other,
# in one go. Wall time (each engine's own run time), events per second, peak
# memory (/usr/bin/time), bytes per node.
# usage: scripts/bench/gossip_vs_peers.sh [MAX_N=1000000]
#   peers: apt-get install -y libsimgrid-dev libns3-dev python3-simpy3
set -euo pipefail
cd "$(dirname "$0")/../.."
max_n=${1:-1000000}
MODEL=gossip source scripts/bench/build_peers.sh
have_simpy=$(/usr/bin/python3 -c 'import simpy' 2>/dev/null && echo yes || echo no)

# One engine's figures as "wall events peak_mb", or "- - -".
peer() {  # peer N command...
  local out
  out=$( { /usr/bin/time -f "PEAK %M" "${@:2}"; } 2>&1 ) || { echo "- - -"; return; }
  python3 - "$out" <<'PY'
import re, sys
t = sys.argv[1]
run = re.search(r"run_s=([0-9.]+)", t); ev = re.search(r"events=(\d+)", t); pk = re.search(r"PEAK (\d+)", t)
print(f"{max(float(run.group(1)), 1e-4)} {int(ev.group(1))} {int(pk.group(1)) / 1024:.0f}" if run and ev and pk else "- - -")
PY
}

echo "| N | faultline wall (s) | M events/s | peak MB | bytes/node | lean loop wall (s) | M events/s | peak MB | ns-3 wall (s) / MB | SimGrid 3.32 wall (s) / MB | SimPy wall (s) / MB | faultline vs lean: events/s, wall |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in 1000 10000 100000 1000000; do
  [ "$n" -le "$max_n" ] || break
  fl=$( { /usr/bin/time -f "PEAK %M" build/faultline run scenarios/gossip/push_broadcast.yaml --set nodes=$n --json; } 2>&1 )
  lean=$(peer "$n" build/peerbench/bin/gossip_pq "$n" 3 42)
  ns3="- - -"; sg="- - -"; sp="- - -"
  [ -x build/peerbench/bin/ns3_gossip ] && ns3=$(peer "$n" build/peerbench/bin/ns3_gossip "$n" 3 42)
  [ -x build/peerbench/bin/sg332_gossip_timers ] && sg=$(peer "$n" build/peerbench/bin/sg332_gossip_timers "$n" 3 42)
  if [ "$have_simpy" = yes ] && [ "$n" -le 100000 ]; then
    sp=$(peer "$n" /usr/bin/python3 build/peerbench/simpy/simpy_gossip.py "$n" --variant lean)
  fi
  python3 - "$n" "$fl" "$lean" "$ns3" "$sg" "$sp" <<'PY'
import json, re, sys
n = int(sys.argv[1])
fl_text = sys.argv[2]
fl = json.loads(next(l for l in fl_text.splitlines() if l.startswith("{")))
fl_peak = int(re.search(r"PEAK (\d+)", fl_text).group(1)) / 1024
fl_wall = fl["wall_seconds"]
fl_rate = fl["events"] / fl_wall
def parts(s):
    w, e, m = s.split()
    return (None, None, None) if w == "-" else (float(w), int(e), float(m))
lw, le, lm = parts(sys.argv[3])
def short(s):
    w, e, m = parts(s)
    return "-" if w is None else f"{w:.3g} / {m:.0f}"
ratio = "-" if lw is None else f"{fl_rate / (le / lw):.2f}x, {lw / fl_wall:.2f}x"
lean = "- | - | -" if lw is None else f"{lw:.3g} | {le / lw / 1e6:.2f} | {lm:.0f}"
print(f"| {n:,} | {fl_wall:.3g} | {fl_rate / 1e6:.2f} | {fl_peak:.0f} | {fl_peak * 1024 * 1024 / n:.0f} | {lean} | "
      f"{short(sys.argv[4])} | {short(sys.argv[5])} | {short(sys.argv[6])} | {ratio} |")
PY
done
echo "(wall: each engine's own run time, setup excluded for the peers; faultline events/s over the lean loop's, and the lean loop's wall over faultline's; 'bytes/node' is faultline's peak memory over N; $(nproc) cores, $(date -u +%Y-%m-%d))"
