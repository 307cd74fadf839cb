// The ranges swarm testing draws Paxos' parameters from (see
// protocols/host/swarm_range.hpp). Multi-Paxos: the largest heartbeat is
// below the smallest election timeout. Basic Paxos: proposers start within
// start_spread of each other (close starts duel), a phase is retried no
// sooner than a few round trips of the slowest drawn network (20 ms hops),
// and up to 5 propose (a
// scenario with fewer nodes narrows `params.proposers` in its `swarm:`).
#pragma once

#include <array>

#include "protocols/host/swarm_range.hpp"
#include "protocols/host/time.hpp"

namespace faultline::paxos {

inline constexpr std::array<SwarmRange, 4> kBasicSwarmRanges = {{
    {"params.proposers", SwarmRange::Kind::kInteger, 2, 5},
    {"params.start_spread", SwarmRange::Kind::kDuration, 0, 500 * kMillisecond},
    {"params.retry_timeout", SwarmRange::Kind::kDuration, 60 * kMillisecond, 300 * kMillisecond},
    {"params.backoff", SwarmRange::Kind::kDurationRange, 1 * kMillisecond, 100 * kMillisecond},
}};

inline constexpr std::array<SwarmRange, 3> kMultiSwarmRanges = {{
    {"params.election_timeout", SwarmRange::Kind::kDurationRange, 100 * kMillisecond, 1000 * kMillisecond},
    {"params.heartbeat_interval", SwarmRange::Kind::kDuration, 10 * kMillisecond, 90 * kMillisecond},
    {"params.max_entries_per_accept", SwarmRange::Kind::kInteger, 1, 64},
}};

}  // namespace faultline::paxos
