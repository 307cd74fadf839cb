#!/usr/bin/env bash
# Configures and builds faultline (Release) into build/.
#
# With GCC the build is profile-guided, in three steps (CMakeLists.txt,
# FAULTLINE_PGO): an instrumented faultline in build/pgo-generate/, a
# training run of it (scripts/pgo-train.sh, about 20 s), then faultline and
# its tests in build/, laid out by the counts, the faultline executable also
# link-time optimised. The training runs again, and the profiled code is
# compiled again, only when the instrumented binary or the training script
# has changed. The first build takes about 1.7 times as long as a plain one
# (11 minutes on 2 cores, tests included; the link-time optimisation adds
# about 40 s of it); the binary runs a sweep about a tenth faster for the
# profile and another tenth for the link-time optimisation, a Raft hour a
# few percent (docs/performance.md).
#
# FAULTLINE_PGO=off scripts/build.sh: one plain build, for a quick edit and
# test loop. Its runs give the same results and trace hashes, only slower.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
pgo=${FAULTLINE_PGO:-on}
case "$pgo" in
  on | off) ;;
  *) echo "build: FAULTLINE_PGO is '$pgo': expected on or off" >&2; exit 2 ;;
esac
if [ "$pgo" = on ] && ! "${CXX:-c++}" -v 2>&1 | grep -q '^gcc version'; then
  echo "build: ${CXX:-c++} is not GCC; profile-guided optimisation needs GCC, so this is a plain build"
  pgo=off
fi
if [ "$pgo" = off ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFAULTLINE_PGO=off > /dev/null
  cmake --build build -j "$jobs"
  exit 0
fi

data=$PWD/build/pgo-data
echo "build: 1/3 an instrumented faultline (build/pgo-generate)"
cmake -S . -B build/pgo-generate -DCMAKE_BUILD_TYPE=Release -DFAULTLINE_PGO=generate "-DFAULTLINE_PGO_DATA=$data" > /dev/null
cmake --build build/pgo-generate -j "$jobs" --target faultline
if [ ! -f "$data/trained" ] || [ build/pgo-generate/faultline -nt "$data/trained" ] ||
  [ scripts/pgo-train.sh -nt "$data/trained" ]; then
  echo "build: 2/3 training it (scripts/pgo-train.sh)"
  rm -rf "$data"
  mkdir -p "$data"
  scripts/pgo-train.sh build/pgo-generate/faultline
  # The stamp the profiled objects depend on: a new profile recompiles them.
  touch "$data/trained"
else
  echo "build: 2/3 the profile in build/pgo-data is of this code already"
fi
echo "build: 3/3 faultline and its tests, laid out by the profile (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFAULTLINE_PGO=use "-DFAULTLINE_PGO_DATA=$data" > /dev/null
cmake --build build -j "$jobs"
