// The ranges swarm testing draws Raft's parameters from (see
// protocols/host/swarm_range.hpp). Every combination is valid: the largest
// heartbeat is below the smallest election timeout (5.2: heartbeats must keep
// followers from starting elections).
#pragma once

#include <array>

#include "protocols/host/swarm_range.hpp"
#include "protocols/host/time.hpp"

namespace faultline::raft {

inline constexpr std::array<SwarmRange, 5> kSwarmRanges = {{
    {"params.election_timeout", SwarmRange::Kind::kDurationRange, 100 * kMillisecond, 1000 * kMillisecond},
    {"params.heartbeat_interval", SwarmRange::Kind::kDuration, 10 * kMillisecond, 90 * kMillisecond},
    {"params.pre_vote", SwarmRange::Kind::kFlag, 0, 1},
    {"params.check_quorum", SwarmRange::Kind::kFlag, 0, 1},
    {"params.read_index", SwarmRange::Kind::kFlag, 0, 1},
}};

}  // namespace faultline::raft
