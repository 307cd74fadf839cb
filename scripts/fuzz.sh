#!/usr/bin/env bash
# Fuzzes the scenario loader and --set parsing with libFuzzer (issue 10), or
# runs what the loader accepts.
#
#   scripts/fuzz.sh [SECONDS]       the loader (default 600 s)
#   scripts/fuzz.sh run [SECONDS]   load and run (tests/fuzz/scenario_run_fuzz.cpp:
#                                   every run bounded to 64 nodes, 10 s of virtual
#                                   time, 256 MiB and one second of wall time),
#                                   in build-fuzz-run/
#
# Installs clang-16 and its libFuzzer runtime if missing (Debian 12's clang-14
# does not compile the project), builds tests/fuzz/scenario_loader_fuzz.cpp in
# build-fuzz/ (the loader with AddressSanitizer and UndefinedBehaviorSanitizer,
# leak detection on), seeds the
# corpus from scenarios/, tests/malformed/, tests/fuzz/corpus/ and
# tests/fuzz/crashes/, and fuzzes for SECONDS in one process (nice'd). A
# finding is written to build-fuzz/artifacts/; copy it into tests/fuzz/crashes/
# (tests/cli/fuzz_replay_test.cpp replays that folder through faultline
# validate in the normal build) and fix the cause.
set -euo pipefail
cd "$(dirname "$0")/.."
target=scenario_loader_fuzz dir=build-fuzz option=FAULTLINE_FUZZ timeout=10
if [ "${1:-}" = run ]; then
  # A run stops at a second of wall time between events, but its end-of-run
  # checks run whole: the linearizability check of a 10 s single-key history
  # can take tens of seconds instrumented.
  target=scenario_run_fuzz dir=build-fuzz-run option=FAULTLINE_FUZZ_RUN timeout=120
  shift
fi
seconds=${1:-600}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/fuzz.sh [run] [SECONDS]" >&2; exit 2; }

if ! command -v clang++-16 > /dev/null || ! ls /usr/lib/llvm-16/lib/clang/16/lib/linux/libclang_rt.fuzzer-x86_64.a > /dev/null 2>&1; then
  echo "fuzz.sh: installing clang-16 and libclang-rt-16-dev" >&2
  apt-get install -y clang-16 libclang-rt-16-dev > /dev/null
fi

launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O0 for everything not instrumented (CMakeLists.txt, FAULTLINE_FUZZ and FAULTLINE_FUZZ_RUN).
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_CXX_COMPILER=clang++-16 \
  "${launcher[@]}" -D$option=ON > /dev/null
nice -n 10 cmake --build "$dir" --target $target -j2 > "$dir/.buildlog" 2>&1 || {
  cat "$dir/.buildlog"
  exit 1
}

corpus=$dir/corpus
mkdir -p "$corpus" "$dir/artifacts"
# Named after their paths: scenarios/raft/churn.yaml and scenarios/multipaxos/churn.yaml both seed.
find scenarios tests/malformed tests/fuzz/corpus tests/fuzz/crashes -type f | while read -r f; do
  cp "$f" "$corpus/$(echo "$f" | tr / _)"
done

nice -n 10 "$dir/$target" "$corpus" \
  -dict=tests/fuzz/scenario.dict -max_total_time="$seconds" -timeout=$timeout -rss_limit_mb=2048 -max_len=16384 \
  -artifact_prefix="$dir/artifacts/" -print_final_stats=1
