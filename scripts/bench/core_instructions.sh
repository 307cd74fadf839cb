#!/usr/bin/env bash
# Instruction counts (cachegrind Ir) of the simulation core on scaled-down
# runs, for before/after comparisons on a shared machine (no hardware
# counters, wall time meaningless while others build): the engine benchmark
# (hold model at 2M events per depth, plus its fixed 1,000-node ping-pong)
# and push gossip to 100,000 nodes (scenarios/gossip/push_broadcast.yaml).
# Prints one line per run: name, total Ir, and the run's trace hash or events.
# usage: scripts/bench/core_instructions.sh [binary (build/faultline)]
#   MILLION=yes adds push gossip at 1,000,000 nodes
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/faultline}
out=$(mktemp -d)
ir() {  # name command...
  local name=$1; shift
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$out/$name.cg" "$@" > "$out/$name.out" 2> "$out/$name.err"
  printf '%-22s Ir %15s   %s\n' "$name" "$(sed -n 's/^==[0-9]*== I *refs: *//p' "$out/$name.err" | tr -d ,)" \
    "$(grep -oE '"(trace_hash|events)": ?"?[0-9a-f]+' "$out/$name.out" | head -1)"
}
ir engine "$bin" bench engine --events 2000000 --json
ir gossip_push_100k "$bin" run scenarios/gossip/push_broadcast.yaml --set nodes=100000 --json
# The million-node run: about 25 G instructions, several minutes under valgrind.
[ "${MILLION:-no}" = no ] || ir gossip_push_1m "$bin" run scenarios/gossip/push_broadcast.yaml --set nodes=1000000 --json
rm -rf "$out"
