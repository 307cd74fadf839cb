// The ranges swarm testing draws Raft's parameters from (see
// protocols/host/swarm_range.hpp). Every combination inside them is valid,
// and a correct Raft elects a leader and commits again once the faults heal
// (swarm mode's liveness phase), on every drawn mix:
// - election timeout a..b: a in 100ms..500ms and b - a >= a (b >= 2a, up to
//   1s), the shape of the paper's 150ms..300ms. 5.2: timeouts are randomized
//   "to spread out the servers so that in most cases only a single server
//   will time out"; a spread of a few milliseconds (212ms..214ms was drawn)
//   lets candidates tie on every term and split votes forever.
// - heartbeat 10ms..50ms: at most half the smallest election timeout, so at
//   least two heartbeats fit in every timeout (5.2: heartbeats keep
//   followers from starting elections; 5.6: broadcastTime << electionTimeout,
//   the simulator's latency being at most 20 ms a hop at the median).
#pragma once

#include <array>

#include "protocols/host/swarm_range.hpp"
#include "protocols/host/time.hpp"

namespace faultline::raft {

inline constexpr std::array<SwarmRange, 6> kSwarmRanges = {{
    {"params.election_timeout", SwarmRange::Kind::kDurationRange, 100 * kMillisecond, 1000 * kMillisecond, 100},
    {"params.heartbeat_interval", SwarmRange::Kind::kDuration, 10 * kMillisecond, 50 * kMillisecond},
    {"params.pre_vote", SwarmRange::Kind::kFlag, 0, 1},
    {"params.check_quorum", SwarmRange::Kind::kFlag, 0, 1},
    {"params.read_index", SwarmRange::Kind::kFlag, 0, 1},
    {"params.probe_after_refusal", SwarmRange::Kind::kFlag, 0, 1},
}};

}  // namespace faultline::raft
