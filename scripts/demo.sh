#!/usr/bin/env bash
# Installs what is missing, builds, runs the default scenario and leaves its
# summary, trace and a plot under out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p out
scenario=scenarios/heartbeat/crash_detection.yaml
build/faultline run "$scenario" --trace out/trace.jsonl | tee out/summary.txt
build/faultline run "$scenario" --json > out/summary.json
/usr/bin/python3 scripts/plot/heartbeat_timeline.py out/trace.jsonl out/heartbeat_timeline.png
echo "demo: wrote out/summary.txt, out/summary.json, out/trace.jsonl and out/heartbeat_timeline.png"
