#!/usr/bin/env bash
# The training run of the profile-guided build (scripts/build.sh): runs a
# faultline built with FAULTLINE_PGO=generate over what people run, so that
# its counts say which code is hot. About 20 s.
#
# What it runs:
#  - every shipped scenario on seeds 1 to 3 (every protocol, fault and
#    checker the scenarios use);
#  - longer runs of the shapes that take a user's time: Raft under a heavy
#    client load (the README's Speed benchmark's load, 20 s of it) and in
#    its production configuration, a sweep of 100 seeds on two jobs, push
#    gossip at 100,000 nodes and SWIM at 10,000 members.
# A run's verdict does not matter here, only its counts: exit codes 0, 1 (a
# run failed an expectation or an invariant) and 6 (liveness) are all fine,
# so a protocol change that breaks a scenario fails its test, not the build.
# Any other code (2: bad input, this list is stale; 3: a bug; 4, 5; a
# signal) stops the build (docs/exit-codes.md).
# usage: scripts/pgo-train.sh path/to/instrumented/faultline
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/pgo-train.sh path/to/instrumented/faultline}
[ -x "$bin" ] || { echo "pgo-train: $bin is not an executable" >&2; exit 2; }

# Each run's standard error, shown if the run stops the training.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
train() {
  local code=0
  "$bin" "$@" > /dev/null 2> "$err" || code=$?
  if [ "$code" -gt 1 ] && [ "$code" -ne 6 ]; then
    echo "pgo-train: 'faultline $*' exited $code:" >&2
    cat "$err" >&2
    exit 1
  fi
}

shipped=$(find scenarios -name '*.yaml' | sort)
echo "pgo-train: $(echo "$shipped" | wc -l) shipped scenarios on seeds 1-3"
for scenario in $shipped; do
  for seed in 1 2 3; do train run "$scenario" --seed "$seed"; done
done
echo "pgo-train: heavier runs (Raft under load, a sweep, gossip, SWIM)"
load=(scenarios/compare/steady.yaml --set protocol=raft --set workload.rate=1000 --set workload.clients=256
      --set workload.keys=256 --set 'expect=[]')
train run "${load[@]}" --set duration=20s
train run "${load[@]}" --set duration=10s --set network.fifo=true --set params.read_index=true \
  --set params.append_batch_delay=2ms --set params.snapshot_threshold=2000
train sweep scenarios/raft/leader_crash.yaml --seeds 1..100 --set duration=10s --set 'expect=[]' --quiet --jobs 2
train run scenarios/gossip/push_broadcast.yaml --set nodes=100000
train run scenarios/swim/crash_detection.yaml --set nodes=10000
