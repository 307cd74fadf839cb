#!/usr/bin/env bash
# Issue 11's benchmark: one hour of virtual time at 1,000 requests/s (five
# servers, 256 closed-loop clients, linearizability check included), on
# faultline's Raft and on libraft (canonical/raft 0.15), one after the
# other on one core each: events, wall time, events per second, peak memory.
# usage: scripts/bench/libraft_vs_raft.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/host.sh  # prints the host the figures come from
[ -x build/faultline ] || scripts/build.sh
load=(scenarios/compare/steady.yaml --set duration=1h --set workload.rate=1000
      --set workload.clients=256 --set workload.keys=256 --set 'expect=[]')
for protocol in raft libraft; do
  echo "== $protocol: 1 hour at 1,000 requests/s"
  /usr/bin/time -f "wall %e s, peak %M KB" build/faultline run "${load[@]}" --set protocol=$protocol 2>&1 |
    grep -E "^ran|ops_ok|  events|throughput|commit_latency_p(50|99)|messages_per_commit|linearizability_unknown|^result|^wall"
done
