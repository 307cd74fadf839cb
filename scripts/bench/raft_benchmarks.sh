#!/usr/bin/env bash
# The Raft issue's two benchmarks, on this machine:
#  1. five servers, clients offering 1,000 requests per second, one hour of
#     virtual time, one core, linearizability check included; run twice:
#     a. with every Raft option at its default (non-FIFO links that reorder,
#        reads through the log, each request sent at once, a snapshot every
#        10,000 entries);
#     b. configured as a production Raft runs: FIFO links (Raft over TCP),
#        ReadIndex reads (thesis 6.4), client requests batched for 2 ms, a
#        snapshot every 2,000 entries;
#  2. a sweep of 10,000 seeds of the leader-crash scenario, 10 s of virtual
#     time each, on every core.
# The two hours run pinned to one core (the last this process may use; PIN=no
# runs them unpinned), as their target is for one core.
# usage: scripts/bench/raft_benchmarks.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/faultline ] || scripts/build.sh
source scripts/bench/pin.sh  # pin: run on one core
load=(scenarios/compare/steady.yaml --set protocol=raft --set duration=1h --set workload.rate=1000
      --set workload.clients=256 --set workload.keys=256 --set 'expect=[]')
show() { grep -E "^ran|ops_ok|throughput|commit_latency_p(50|99)|messages_per_commit|linearizability_unknown|result"; }
# Runs a command; then prints its wall time and peak memory (max RSS, KB)
# from GNU time's verbose report, on stderr so that the filters below keep it.
timed() {
  local report status=0
  report=$(mktemp)
  /usr/bin/time -v -o "$report" "$@" || status=$?
  grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$report" | sed 's/^[[:space:]]*/   /' >&2
  rm -f "$report"
  return "$status"
}
echo "== 1a. 1 hour at 1,000 requests/s, defaults (5 servers, 256 closed-loop clients)"
timed "${pin[@]}" build/faultline run "${load[@]}" | show
echo "== 1b. 1 hour at 1,000 requests/s, FIFO links, ReadIndex, 2 ms batching, snapshot every 2,000"
timed "${pin[@]}" build/faultline run "${load[@]}" --set network.fifo=true \
  --set params.read_index=true --set params.append_batch_delay=2ms --set params.snapshot_threshold=2000 | show
echo "== 2. 10,000 seeds of scenarios/raft/leader_crash.yaml, 10 s each, $(nproc) jobs"
timed build/faultline sweep scenarios/raft/leader_crash.yaml --seeds 1..10000 \
  --set duration=10s --set 'expect=[]' --quiet | grep -E "^sweep|^runs"
