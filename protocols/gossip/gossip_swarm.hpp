// The ranges swarm testing draws gossip's and SWIM's parameters from (see
// protocols/host/swarm_range.hpp). SWIM: the largest probe timeout is below
// 90% of the smallest probe interval, leaving time for indirect probes.
#pragma once

#include <array>

#include "protocols/host/swarm_range.hpp"
#include "protocols/host/time.hpp"

namespace faultline::gossip {

inline constexpr std::array<SwarmRange, 2> kDisseminationSwarmRanges = {{
    {"params.period", SwarmRange::Kind::kDuration, 100 * kMillisecond, 2000 * kMillisecond},
    {"params.fanout", SwarmRange::Kind::kInteger, 1, 5},
}};

inline constexpr std::array<SwarmRange, 3> kSwimSwarmRanges = {{
    {"params.probe_interval", SwarmRange::Kind::kDuration, 300 * kMillisecond, 2000 * kMillisecond},
    {"params.probe_timeout", SwarmRange::Kind::kDuration, 20 * kMillisecond, 250 * kMillisecond},
    {"params.indirect_probes", SwarmRange::Kind::kInteger, 1, 5},
}};

}  // namespace faultline::gossip
