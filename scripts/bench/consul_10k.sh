#!/usr/bin/env bash
# Wall time and peak memory of issue 14's Consul run (5 servers, 10,000
# agents, 10 minutes virtual, an agent crash every 3-5 s), on one core:
# pinned to the last core this process may use (pin.sh; PIN=no runs it
# unpinned), with each core's speed for the same short work printed before
# and after the run (cpu_speeds.sh), as the other benchmark scripts do.
# Usage: scripts/bench/consul_10k.sh [build-dir] [seed]
set -euo pipefail
build=${1:-build}
seed=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."  # the calibration reads scenarios/ relative to the checkout
case $build in /*) ;; *) build=$OLDPWD/$build ;; esac
source "$here/host.sh"  # prints the host the figures come from
source "$here/pin.sh"  # pin: run on one core
source "$here/cpu_speeds.sh"  # bench_cpu_speeds: each CPU's speed, before and after
bench_cpu_speeds "$build/faultline" before
/usr/bin/time -v "${pin[@]}" "$build/faultline" run "$here/consul_10k.yaml" --seed "$seed" 2>&1 |
  grep -E "^ran|^messages|trace hash|crash_to_critical|detect_ns|commit_ns|false_criticals|healthy_but_down|^result|User time|Maximum resident|Elapsed"
bench_cpu_speeds "$build/faultline" after
