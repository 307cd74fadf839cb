#!/usr/bin/env bash
# The Raft issue's two benchmarks, on this machine:
#  1. five servers, clients offering 1,000 requests per second, one hour of
#     virtual time, one core (with the linearizability check at the end);
#  2. a sweep of 10,000 seeds of the leader-crash scenario, 10 s of virtual
#     time each, on every core.
# usage: scripts/bench/raft_benchmarks.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/faultline ] || scripts/build.sh
echo "== 1 hour at 1,000 requests/s (5 servers, 256 closed-loop clients)"
/usr/bin/time -f "wall %e s, peak %M KB" build/faultline run scenarios/compare/steady.yaml --set protocol=raft \
  --set duration=1h --set workload.rate=1000 --set workload.clients=256 --set workload.keys=256 --set 'expect=[]' \
  | grep -E "^ran|ops_ok|throughput|result"
echo "== 10,000 seeds of scenarios/raft/leader_crash.yaml, 10 s each, $(nproc) jobs"
/usr/bin/time -f "wall %e s, peak %M KB" build/faultline sweep scenarios/raft/leader_crash.yaml --seeds 1..10000 \
  --set duration=10s --set 'expect=[]' --quiet | grep -E "^sweep|^runs"
