#!/usr/bin/env bash
# Builds faultline with AddressSanitizer and UndefinedBehaviorSanitizer into
# build-asan/ and runs the test suite under them (the CLI tests spawn the
# sanitized binary too). Any report fails the run: ASan aborts on the first
# error, UBSan too (-fno-sanitize-recover=undefined, halt_on_error).
#
# Skipped here, and listed in the log: the tests labelled "long" (doctest
# suite "long"), sweeps of hundreds of long runs that take minutes even
# without sanitizers (a mutant caught at seed ~200 of 300, say). The code
# they run is run under the sanitizers by the shorter tests of the same
# protocols; scripts/test.sh runs them without sanitizers. Also skipped: the
# tests labelled "address_space_limit", which run faultline under `ulimit -v`
# on purpose (a 10 GB file refused without being read; exit 4 when memory runs
# out): AddressSanitizer's shadow memory alone reserves terabytes of address
# space, so no sanitized process can start under such a limit.
set -euo pipefail
cd "$(dirname "$0")/.."
# clang-16, not GCC: it compiles the instrumented project in about two thirds
# of GCC's time (raft_test.cpp: 24.6 s against 38.4 s), which keeps CI under
# its budget. Debian 12's clang-14 does not compile the project.
scripts/install-deps.sh clang-16 libclang-rt-16-dev
# -g1: line tables only, enough for the reports' stack traces with file and
# line, and a much smaller, faster build than full debug information.
flags="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Sanitize "-DCMAKE_CXX_FLAGS_SANITIZE=$flags" \
  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" > /dev/null
cmake --build build-asan -j "$(nproc)"
echo "test-sanitizers.sh: dependencies and build took $SECONDS s"
# Every shipped scenario still runs under the sanitizers, but on seeds 1..3
# (the plain run holds them to 1..20 or 1..50), and so do the tests that
# sweep a correct protocol (tests/support/sweep_runs.hpp, correctness_seeds):
# the same code on fewer seeds.
export FAULTLINE_SHIPPED_SEEDS=3
# The loader's wrong-shape test tries 2 of its 5 shapes per key, rotating
# (YAML parsing is slow under ASan; the plain run tries all 5).
export FAULTLINE_WRONG_SHAPES_PER_KEY=2
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd build-asan
echo "Not run under the sanitizers (labels 'long' and 'address_space_limit'):"
ctest -N -L '^(long|address_space_limit)$' | { grep 'Test *#' || echo '  (none)'; } | sed 's/^ */  /'
ctest --output-on-failure -j "$(nproc)" --timeout 900 -LE '^(long|address_space_limit)$'
