#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo "test.sh: dependencies and build took $SECONDS s"
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 300
