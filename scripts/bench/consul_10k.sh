#!/usr/bin/env bash
# Wall time and peak memory of issue 14's Consul run (5 servers, 10,000
# agents, 10 minutes virtual, an agent crash every 3-5 s), on one core.
# Usage: scripts/bench/consul_10k.sh [build-dir] [seed]
set -euo pipefail
build=${1:-build}
seed=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/host.sh"  # prints the host the figures come from
/usr/bin/time -v "$build/faultline" run "$here/consul_10k.yaml" --seed "$seed" 2>&1 |
  grep -E "^ran|^messages|trace hash|crash_to_critical|detect_ns|commit_ns|false_criticals|healthy_but_down|^result|User time|Maximum resident|Elapsed"
