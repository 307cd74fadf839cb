// The ranges swarm testing draws Paxos' parameters from (see
// protocols/host/swarm_range.hpp). Every combination inside them is valid,
// and a correct Paxos makes progress once the faults heal (swarm mode's
// liveness phase) on every drawn mix.
//
// Multi-Paxos elects its leader as Raft does (protocols/raft/raft_swarm.hpp):
// election timeout a..b with a in 100ms..500ms and b >= 2a (a spread, not a
// value: candidates that time out together duel forever), heartbeat 10ms..50ms,
// at most half the smallest timeout.
//
// Basic Paxos: up to 5 proposers (a scenario with fewer nodes narrows
// `params.proposers` in its `swarm:`) start within start_spread of each other
// (close starts duel); a phase is retried no sooner than a few round trips of
// the slowest drawn network (20 ms hops); after a rejection a proposer backs
// off a random a..b with a >= 20ms (one hop of the slowest network) and
// b >= 2a: the spread is what lets one of duelling proposers finish both
// phases before the others retry (Lamport 2001, 2.4: progress needs a single
// proposer for long enough). A 1ms..6ms backoff with five proposers and
// 16-20 ms hops duelled through the whole liveness phase (swarm seed 121).
#pragma once

#include <array>

#include "protocols/host/swarm_range.hpp"
#include "protocols/host/time.hpp"

namespace faultline::paxos {

inline constexpr std::array<SwarmRange, 4> kBasicSwarmRanges = {{
    {"params.proposers", SwarmRange::Kind::kInteger, 2, 5},
    {"params.start_spread", SwarmRange::Kind::kDuration, 0, 500 * kMillisecond},
    {"params.retry_timeout", SwarmRange::Kind::kDuration, 60 * kMillisecond, 300 * kMillisecond},
    {"params.backoff", SwarmRange::Kind::kDurationRange, 20 * kMillisecond, 100 * kMillisecond, 100},
}};

inline constexpr std::array<SwarmRange, 3> kMultiSwarmRanges = {{
    {"params.election_timeout", SwarmRange::Kind::kDurationRange, 100 * kMillisecond, 1000 * kMillisecond, 100},
    {"params.heartbeat_interval", SwarmRange::Kind::kDuration, 10 * kMillisecond, 50 * kMillisecond},
    {"params.max_entries_per_accept", SwarmRange::Kind::kInteger, 1, 64},
}};

}  // namespace faultline::paxos
