#!/usr/bin/env bash
# Installs, from Debian's packages, whatever faultline needs and is missing.
# Nothing is downloaded from anywhere else. Extra package names given as
# arguments are installed too (scripts/test-sanitizers.sh asks for clang-16).
set -euo pipefail
packages=(g++ make cmake pkg-config libfmt-dev libcli11-dev libyaml-cpp-dev doctest-dev python3-matplotlib libraft-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
