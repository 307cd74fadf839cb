#!/usr/bin/env bash
# Push gossip at N = 1,000 .. 1,000,000 through faultline's real gossip
# protocol and network model, beside peerbench's engines running the same
# model (fan-out 3, period 1 s, latency U[10 ms, 50 ms), until every node is
# informed): the lean hand-written heap loop, ns-3 and SimGrid 3.32 (kernel
# timers) when their Debian packages are installed, and SimPy up to
# N = 100,000 (it does not finish 1,000,000 in minutes). One after the other,
# in one go; faultline and the lean loop REPS times each, alternately, and
# their medians reported (the peers once). Wall time (each engine's own run
# time), events per second, peak memory (/usr/bin/time), bytes per node.
# Then SWIM at 1,000,000 members (scenarios/swim/crash_detection.yaml: one
# crash, detection until every member knows): wall, peak memory, bytes per
# member, and when the crash was detected and known to all.
# Every engine runs pinned to one core (the last this process may use), so
# that a run is not moved between cores mid-way; and up to N = 100,000,
# where a run takes milliseconds and one slow run is most of the noise,
# faultline and the lean loop run at least 9 times each. Before the table
# and after it, each core's time for the same short work (cpu_speeds.sh).
# usage: scripts/bench/gossip_vs_peers.sh [MAX_N=1000000] [REPS=3]
#   SWIM=no skips the SWIM row (about 40 s and 700 MB at a million)
#   PIN=no runs unpinned
#   peers: apt-get install -y libsimgrid-dev libns3-dev python3-simpy3
set -euo pipefail
cd "$(dirname "$0")/../.."
max_n=${1:-1000000}
reps=${2:-3}
source scripts/bench/pin.sh  # pin: run on one core
source scripts/bench/host.sh  # prints the host the figures come from
source scripts/bench/cpu_speeds.sh  # bench_cpu_speeds: each CPU's speed, before and after
MODEL=gossip source scripts/bench/build_peers.sh
have_simpy=$(/usr/bin/python3 -c 'import simpy' 2>/dev/null && echo yes || echo no)

# One peer engine's figures as "wall events peak_mb", or "- - -".
peer() {  # peer command...
  local out
  out=$( { /usr/bin/time -f "PEAK %M" "${pin[@]}" "$@"; } 2>&1 ) || { echo "- - -"; return; }
  /usr/bin/python3 - "$out" <<'PY'
import re, sys
t = sys.argv[1]
run = re.search(r"run_s=([0-9.]+)", t); ev = re.search(r"events=(\d+)", t); pk = re.search(r"PEAK (\d+)", t)
print(f"{max(float(run.group(1)), 1e-4)} {int(ev.group(1))} {int(pk.group(1)) / 1024:.0f}" if run and ev and pk else "- - -")
PY
}
# faultline's figures as "wall events peak_mb" (wall: the whole run, setup
# of the node records included), from its --json summary.
faultline() {  # faultline scenario [--set ...]
  local out
  out=$( { /usr/bin/time -f "PEAK %M" "${pin[@]}" build/faultline run "$@" --json; } 2>&1 ) || { echo "- - -"; return; }
  /usr/bin/python3 - "$out" <<'PY'
import json, re, sys
t = sys.argv[1]
r = json.loads(next(l for l in t.splitlines() if l.startswith("{")))
peak = int(re.search(r"PEAK (\d+)", t).group(1)) / 1024
print(f"{r['wall_seconds']} {r['events']} {peak:.0f}")
PY
}
# The median run (by wall) of several "wall events peak_mb" lines.
median() { grep -v -e '^-' -e '^$' | sort -g | awk '{a[NR]=$0} END {if (NR) print a[int((NR+1)/2)]; else print "- - -"}'; }

bench_cpu_speeds build/faultline before
echo "| N | faultline wall (s) | M events/s | peak MB | bytes/node | lean loop wall (s) | M events/s | peak MB | ns-3 wall (s) / MB | SimGrid 3.32 wall (s) / MB | SimPy wall (s) / MB | faultline vs lean: events/s, wall |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in 1000 10000 100000 1000000; do
  [ "$n" -le "$max_n" ] || break
  fl_runs=""; lean_runs=""
  runs=$reps
  [ "$n" -gt 100000 ] || [ "$runs" -ge 9 ] || runs=9
  for ((r = 1; r <= runs; r++)); do
    fl_runs+="$(faultline scenarios/gossip/push_broadcast.yaml --set nodes=$n)"$'\n'
    lean_runs+="$(peer build/peerbench/bin/gossip_pq "$n" 3 42)"$'\n'
  done
  fl=$(median <<<"$fl_runs")
  lean=$(median <<<"$lean_runs")
  ns3="- - -"; sg="- - -"; sp="- - -"
  [ -x build/peerbench/bin/ns3_gossip ] && ns3=$(peer build/peerbench/bin/ns3_gossip "$n" 3 42)
  [ -x build/peerbench/bin/sg332_gossip_timers ] && sg=$(peer build/peerbench/bin/sg332_gossip_timers "$n" 3 42)
  if [ "$have_simpy" = yes ] && [ "$n" -le 100000 ]; then
    sp=$(peer /usr/bin/python3 build/peerbench/simpy/simpy_gossip.py "$n" --variant lean)
  fi
  /usr/bin/python3 - "$n" "$fl" "$lean" "$ns3" "$sg" "$sp" <<'PY'
import sys
n = int(sys.argv[1])
def parts(s):
    w, e, m = s.split()
    return (None, None, None) if w == "-" else (float(w), int(e), float(m))
fw, fe, fm = parts(sys.argv[2])
lw, le, lm = parts(sys.argv[3])
def short(s):
    w, e, m = parts(s)
    return "-" if w is None else f"{w:.3g} / {m:.0f}"
fl = "- | - | - | -" if fw is None else f"{fw:.3g} | {fe / fw / 1e6:.2f} | {fm:.0f} | {fm * 1024 * 1024 / n:.0f}"
lean = "- | - | -" if lw is None else f"{lw:.3g} | {le / lw / 1e6:.2f} | {lm:.0f}"
ratio = "-" if fw is None or lw is None else f"{(fe / fw) / (le / lw):.2f}x, {lw / fw:.2f}x"
print(f"| {n:,} | {fl} | {lean} | {short(sys.argv[4])} | {short(sys.argv[5])} | {short(sys.argv[6])} | {ratio} |")
PY
done
echo "(wall: each engine's own run time, faultline's including setup, the peers' excluding it; faultline and the lean loop: median of $reps runs (at least 9 up to 100,000 nodes); faultline events/s over the lean loop's, and the lean loop's wall over faultline's; 'bytes/node' is faultline's peak memory over N; $(nproc) cores, ${pin[*]:-not pinned}, $(date -u +%Y-%m-%d))"

if [ "${SWIM:-yes}" != no ] && [ "$max_n" -ge 1000000 ]; then
  echo
  echo "| SWIM, N | virtual time | events | wall (s) | M events/s | peak MB | bytes/member | crash dead after | known to all after |"
  echo "|---|---|---|---|---|---|---|---|---|"
  out=$( { /usr/bin/time -f "PEAK %M" "${pin[@]}" build/faultline run scenarios/swim/crash_detection.yaml --set nodes=1000000 --json; } 2>&1 ) || true
  /usr/bin/python3 - "$out" <<'PY'
import json, re, sys
t = sys.argv[1]
line = next((l for l in t.splitlines() if l.startswith("{")), None)
if line is None:
    print("| 1,000,000 | failed | | | | | | | |"); sys.exit()
r = json.loads(line); m = r["metrics"]; peak = int(re.search(r"PEAK (\d+)", t).group(1)) / 1024
def first(k):
    v = m.get(k)
    v = v[0] if isinstance(v, list) and v else v
    return "-" if v is None or v == [] else f"{v / 1e9:.1f} s"
print(f"| 1,000,000 | {r['virtual_time_ns'] / 1e9:.0f} s | {r['events'] / 1e6:.1f} M | {r['wall_seconds']:.3g} | "
      f"{r['events'] / r['wall_seconds'] / 1e6:.2f} | {peak:.0f} | {peak * 1024 * 1024 / 1e6:.0f} | "
      f"{first('detect_dead_ns')} | {first('detect_all_aware_ns')} |")
PY
  echo "(one run; scenarios/swim/crash_detection.yaml --set nodes=1000000: the crash at 10 s; 'after' counts from the crash)"
fi
bench_cpu_speeds build/faultline after
