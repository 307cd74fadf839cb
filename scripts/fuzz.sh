#!/usr/bin/env bash
# Fuzzes the scenario loader and --set parsing with libFuzzer (issue 10).
#
#   scripts/fuzz.sh [SECONDS]     (default 600)
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
seconds=${1:-600}

if ! command -v clang++-16 > /dev/null || ! ls /usr/lib/llvm-16/lib/clang/16/lib/linux/libclang_rt.fuzzer-x86_64.a > /dev/null 2>&1; then
  echo "fuzz.sh: installing clang-16 and libclang-rt-16-dev" >&2
  apt-get install -y clang-16 libclang-rt-16-dev > /dev/null
fi

launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O0 for everything but the instrumented loader (CMakeLists.txt, FAULTLINE_FUZZ).
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_CXX_COMPILER=clang++-16 \
  "${launcher[@]}" -DFAULTLINE_FUZZ=ON > /dev/null
nice -n 10 cmake --build build-fuzz --target scenario_loader_fuzz -j2 > build-fuzz/.buildlog 2>&1 || {
  cat build-fuzz/.buildlog
  exit 1
}

corpus=build-fuzz/corpus
mkdir -p "$corpus" build-fuzz/artifacts
# Named after their paths: scenarios/raft/churn.yaml and scenarios/multipaxos/churn.yaml both seed.
find scenarios tests/malformed tests/fuzz/corpus tests/fuzz/crashes -type f | while read -r f; do
  cp "$f" "$corpus/$(echo "$f" | tr / _)"
done

nice -n 10 build-fuzz/scenario_loader_fuzz "$corpus" \
  -dict=tests/fuzz/scenario.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1
