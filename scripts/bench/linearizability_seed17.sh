#!/usr/bin/env bash
# The linearizability search on the history that used to stall it: swarm
# seed 17 of raft/nemesis.yaml (7 clients, 4.6% loss, ReadIndex reads, 170
# of 1,513 requests timed out). Prints wall time, peak memory and the
# search's steps; then correct Raft on swarm seeds 1..30 (the swarm test's range).
# usage: scripts/bench/linearizability_seed17.sh [FAULTLINE]
set -euo pipefail
cd "$(dirname "$0")/../.."
fl=${1:-build/faultline}
echo "== swarm seed 17 of raft/nemesis.yaml"
/usr/bin/time -f "wall %e s, user %U s, peak %M KB" "$fl" swarm scenarios/raft/nemesis.yaml --seeds 17..17 --jobs 1 -q
echo "== the same run's search (faultline run with the drawn knobs)"
"$fl" run scenarios/raft/nemesis.yaml --seed 17 --set params.election_timeout=352ms..724ms \
  --set params.heartbeat_interval=41ms --set params.pre_vote=false --set params.check_quorum=true \
  --set params.read_index=true --set 'network.latency={dist: lognormal, median: 14ms, sigma: 0.8}' \
  --set network.loss=0.046 --set network.duplicate=0.000 --set network.fifo=false --set workload.clients=7 \
  --set workload.rate=81 --set 'faults.0={at: 0s, crash: [n0, n1, n2, n3, n4]}' --set 'faults.1={at: 695ms, restart: n0}' \
  --set 'faults.2={at: 623ms, restart: n1}' --set 'faults.3={at: 307ms, restart: n2}' \
  --set 'faults.4={at: 519ms, restart: n3}' --set 'faults.5={at: 69ms, restart: n4}' \
  --set 'nemesis=[{kind: crash, every: 1903ms..2779ms, recover: 2716ms..2789ms, stop: 45000ms}, {kind: crash, target: leader, every: 4380ms..5743ms, recover: 1971ms..2329ms, stop: 45000ms}, {kind: partition, every: 5190ms..5930ms, recover: 596ms..2426ms, stop: 45000ms}, {kind: isolate, every: 2567ms..4886ms, recover: 2378ms..2860ms, stop: 45000ms}]' \
  --set 'expect=[{name: progress after the faults healed, metric: last_ok_ns, min: 47860ms, liveness: true}]' \
  | grep -E "linearizability_|^result|^trace"
echo "== correct Raft, swarm seeds 1..30, 2 jobs"
/usr/bin/time -f "wall %e s, user %U s, peak %M KB" "$fl" swarm scenarios/raft/nemesis.yaml --seeds 1..30 --jobs 2 -q
