#!/usr/bin/env bash
# Push gossip at N = 1,000 .. 1,000,000 through faultline's real gossip
# protocol and network model, beside peerbench's lean hand-written heap loop
# running the same model (fan-out 3, period 1 s, latency U[10 ms, 50 ms), until
# every node is informed), alternately, in one go. Wall time, events per
# second, peak memory (/usr/bin/time), bytes per node.
# usage: scripts/bench/gossip_vs_peers.sh [MAX_N=1000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
max_n=${1:-1000000}
peerbench=${PEERBENCH:-$(git rev-parse --show-toplevel)/../shared/peerbench}
[ -f "$peerbench/baseline/gossip_pq.cpp" ] || { echo "peerbench not found at $peerbench (set PEERBENCH)" >&2; exit 2; }
[ -x build/faultline ] || scripts/build.sh
mkdir -p build/peerbench
g++ -O2 -std=c++17 -I"$peerbench/common" "$peerbench/baseline/gossip_pq.cpp" -o build/peerbench/gossip_pq

echo "| N | faultline wall (s) | events | M events/s | peak MB | bytes/node | lean loop wall (s) | M events/s | peak MB | speed ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in 1000 10000 100000 1000000; do
  [ "$n" -le "$max_n" ] || break
  fl=$( { /usr/bin/time -f "PEAK %M" build/faultline run scenarios/gossip/push_broadcast.yaml --set nodes=$n --json; } 2>&1 )
  peer=$( { /usr/bin/time -f "PEAK %M" build/peerbench/gossip_pq "$n" 3 42; } 2>&1 )
  python3 - "$n" "$fl" "$peer" <<'PY'
import json, re, sys
n = int(sys.argv[1])
fl_text, peer_text = sys.argv[2], sys.argv[3]
fl = json.loads(next(l for l in fl_text.splitlines() if l.startswith("{")))
fl_peak = int(re.search(r"PEAK (\d+)", fl_text).group(1)) / 1024
peer_run = float(re.search(r"run_s=([0-9.]+)", peer_text).group(1))
peer_events = int(re.search(r"events=(\d+)", peer_text).group(1))
peer_peak = int(re.search(r"PEAK (\d+)", peer_text).group(1)) / 1024
fl_wall = fl["wall_seconds"]
fl_rate = fl["events"] / fl_wall
peer_rate = peer_events / peer_run
print(f"| {n:,} | {fl_wall:.2f} | {fl['events']:,} | {fl_rate/1e6:.2f} | {fl_peak:.0f} | {fl_peak*1024*1024/n:.0f} | "
      f"{peer_run:.2f} | {peer_rate/1e6:.2f} | {peer_peak:.0f} | {fl_rate/peer_rate:.2f}x |")
PY
done
echo "(speed ratio: faultline events/s over the lean loop's; 'bytes/node' is faultline's peak memory over N; $(nproc) cores, $(date -u +%Y-%m-%d))"
