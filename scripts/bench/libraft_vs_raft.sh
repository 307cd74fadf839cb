#!/usr/bin/env bash
# Issue 11's benchmark: one hour of virtual time at 1,000 requests/s (five
# servers, 256 closed-loop clients, linearizability check included), on
# faultline's Raft and on libraft (canonical/raft 0.15), one after the
# other on one core each: events, wall time, events per second, peak memory.
# faultline's Raft runs twice: with its defaults, and with
# `params.idle_heartbeats=true`, libraft's own heartbeat rule (a leader sends
# a heartbeat only to a follower it has sent nothing for an interval and has
# nothing left to send): the like-for-like row for messages per commit.
# usage: scripts/bench/libraft_vs_raft.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/host.sh  # prints the host the figures come from
source scripts/bench/cpu_speeds.sh  # bench_cpu_speeds: each CPU's speed, before and after
[ -x build/faultline ] || scripts/build.sh
bench_cpu_speeds build/faultline before
load=(scenarios/compare/steady.yaml --set duration=1h --set workload.rate=1000
      --set workload.clients=256 --set workload.keys=256 --set 'expect=[]')
for variant in raft raft+idle_heartbeats libraft; do
  case "$variant" in
    raft+idle_heartbeats) settings=(--set protocol=raft --set params.idle_heartbeats=true) ;;
    *) settings=(--set protocol="$variant") ;;
  esac
  echo "== $variant: 1 hour at 1,000 requests/s"
  /usr/bin/time -f "wall %e s, peak %M KB" build/faultline run "${load[@]}" "${settings[@]}" 2>&1 |
    grep -E "^ran|ops_ok|  events|throughput|commit_latency_p(50|99)|messages_per_commit|linearizability_unknown|^result|^wall"
done
bench_cpu_speeds build/faultline after
