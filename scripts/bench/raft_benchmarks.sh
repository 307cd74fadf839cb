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
# runs them unpinned), as their target is for one core. Before the figures and
# after them, each core's time for the same short work (cpu_speeds.sh): on a
# shared machine one core can be half as slow again as the other for a while.
# Each benchmark runs REPS times (default 3), one after the other: the
# first run's summary, every run's wall time and peak memory, and their
# median, since on a shared host one run can be off by a third.
# usage: [REPS=3] [PIN=no] scripts/bench/raft_benchmarks.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/faultline ] || scripts/build.sh
source scripts/bench/pin.sh  # pin: run on one core
source scripts/bench/host.sh  # prints the host the figures come from
source scripts/bench/cpu_speeds.sh  # bench_cpu_speeds: each CPU's speed, before and after
bench_cpu_speeds build/faultline before
load=(scenarios/compare/steady.yaml --set protocol=raft --set duration=1h --set workload.rate=1000
      --set workload.clients=256 --set workload.keys=256 --set 'expect=[]')
show() { grep -E "^ran|ops_ok|throughput|commit_latency_p(50|99)|messages_per_commit|linearizability_unknown|result"; }
reps=${REPS:-3}
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "REPS must be a positive whole number, got '$reps'" >&2; exit 2; }
# Runs a command REPS times: the first run's output through the filter
# given first, then each run's wall time and peak memory (GNU time's
# verbose report) and the median wall time.
timed() {  # filter command...
  local filter=$1 report status walls=() peaks=()
  shift
  report=$(mktemp)
  for ((r = 1; r <= reps; r++)); do
    status=0
    if [ "$r" -eq 1 ]; then
      /usr/bin/time -v -o "$report" "$@" | $filter || status=$?
    else
      /usr/bin/time -v -o "$report" "$@" >/dev/null || status=$?
    fi
    [ "$status" -eq 0 ] || { echo "   run $r failed (exit $status)"; rm -f "$report"; return "$status"; }
    walls+=("$(/usr/bin/python3 -c 'import sys
t = sys.argv[1].split(":")
print(f"{sum(float(x) * 60 ** i for i, x in enumerate(reversed(t))):.2f}")' \
      "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$report")")")
    peaks+=("$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$report")")
  done
  rm -f "$report"
  echo "   wall (s): ${walls[*]}; peak (KB): ${peaks[*]}; median wall of $reps: $(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s"
}
echo "== 1a. 1 hour at 1,000 requests/s, defaults (5 servers, 256 closed-loop clients)"
timed show "${pin[@]}" build/faultline run "${load[@]}"
echo "== 1b. 1 hour at 1,000 requests/s, FIFO links, ReadIndex, 2 ms batching, snapshot every 2,000"
timed show "${pin[@]}" build/faultline run "${load[@]}" --set network.fifo=true \
  --set params.read_index=true --set params.append_batch_delay=2ms --set params.snapshot_threshold=2000
echo "== 2. 10,000 seeds of scenarios/raft/leader_crash.yaml, 10 s each, $(nproc) jobs"
sweep_lines() { grep -E "^sweep|^runs"; }
timed sweep_lines build/faultline sweep scenarios/raft/leader_crash.yaml --seeds 1..10000 \
  --set duration=10s --set 'expect=[]' --quiet
bench_cpu_speeds build/faultline after
