#!/usr/bin/env bash
# Instruction counts (callgrind) for the Raft speed work, on scaled-down runs
# that a shared machine does not disturb: the one-hour benchmark's load for
# 60 s of virtual time, and 200 seeds of the leader-crash sweep on one job.
# Prints the total and the top functions (exclusive) of each.
# usage: scripts/bench/raft_instructions.sh [binary (build/faultline)] [out dir (/tmp)]
#          [virtual time of the hour's load (60s)] [seeds (200)]
# (the issue-15 figures in docs/performance.md use 20s and 50)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/faultline}
out=${2:-/tmp}
span=${3:-60s}
seeds=${4:-200}
load=(scenarios/compare/steady.yaml --set protocol=raft --set duration="$span" --set workload.rate=1000
      --set workload.clients=256 --set workload.keys=256 --set 'expect=[]')
top() { callgrind_annotate "$1" 2>/dev/null | sed -n '/file:function/,+13p' | tail -n +3 | cut -c1-150; }
echo "== the hour's load, $span of virtual time"
valgrind --tool=callgrind --callgrind-out-file="$out/raft_hour.cg" "$bin" run "${load[@]}" 2>&1 >/dev/null |
  grep -E "Collected"
top "$out/raft_hour.cg"
echo "== $seeds seeds of scenarios/raft/leader_crash.yaml, 10 s each, one job"
valgrind --tool=callgrind --callgrind-out-file="$out/raft_sweep.cg" "$bin" sweep scenarios/raft/leader_crash.yaml \
  --seeds "1..$seeds" --set duration=10s --set 'expect=[]' --jobs 1 --quiet 2>&1 >/dev/null | grep -E "Collected"
top "$out/raft_sweep.cg"
