# Sourced by the *_vs_peers.sh scripts (run from the repository root):
# copies ../shared/peerbench (or $PEERBENCH) into build/peerbench, never
# building in the shared folder, and builds MODEL's peers there: the lean
# loop always, ns-3 and SimGrid 3.32 (kernel timers) when their Debian
# packages are installed. Needs: MODEL=gossip or hold.
peerbench=${PEERBENCH:-$(git rev-parse --show-toplevel)/../shared/peerbench}
# From a git worktree elsewhere: beside the main checkout instead.
[ -n "${PEERBENCH:-}" ] || [ -d "$peerbench" ] || peerbench=$(cd "$(git rev-parse --git-common-dir)/../.." && pwd)/shared/peerbench
[ -f "$peerbench/baseline/${MODEL}_pq.cpp" ] || { echo "peerbench not found at $peerbench (set PEERBENCH)" >&2; exit 2; }
[ -x build/faultline ] || scripts/build.sh
rm -rf build/peerbench && mkdir -p build/peerbench && cp -r "$peerbench"/. build/peerbench/
peer_targets="bin/${MODEL}_pq"
# A peer whose package is missing is left out of the table ("-"), and said
# so here, not silently.
missing=""
if [ -d /usr/include/ns3 ] || [ -d /usr/include/ns3.37 ]; then peer_targets="$peer_targets bin/ns3_${MODEL}"
else missing="$missing libns3-dev"; fi
if [ -f /usr/include/simgrid/s4u.hpp ]; then peer_targets="$peer_targets bin/sg332_${MODEL}_timers"
else missing="$missing libsimgrid-dev"; fi
[ "$MODEL" != gossip ] || /usr/bin/python3 -c 'import simpy' 2>/dev/null || missing="$missing python3-simpy3"
if [ -n "$missing" ]; then
  echo "note: peers not installed, their columns will read '-': apt-get install -y$missing" >&2
fi
make -s -C build/peerbench $peer_targets >/dev/null
