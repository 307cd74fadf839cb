#!/usr/bin/env bash
# The issue's seed-throughput target: 10,000 seeds of the leader-crash
# scenario, 10 s of virtual time each (the scenario itself runs 20 s:
# `--set duration=10s` makes it 10 s), on 2 cores, with the default checks
# (linearizability of each seed's history included).
# usage: scripts/bench/raft_seed_throughput.sh [seeds (10000)] [jobs (2)]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/host.sh  # prints the host the figures come from
[ -x build/faultline ] || scripts/build.sh
seeds=${1:-10000}
jobs=${2:-2}
report=$(mktemp)
/usr/bin/time -v -o "$report" build/faultline sweep scenarios/raft/leader_crash.yaml --seeds "1..$seeds" \
  --set duration=10s --set 'expect=[]' --jobs "$jobs" --quiet | grep -E "^sweep|^runs"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$report" | sed 's/^[[:space:]]*/   /'
rm -f "$report"
