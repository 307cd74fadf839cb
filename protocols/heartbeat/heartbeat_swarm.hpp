// The ranges swarm testing draws the heartbeat detector's parameters from
// (see protocols/host/swarm_range.hpp): the largest interval is below the
// smallest timeout, so a running node is never suspected between beats.
#pragma once

#include <array>

#include "protocols/host/swarm_range.hpp"
#include "protocols/host/time.hpp"

namespace faultline::heartbeat {

inline constexpr std::array<SwarmRange, 2> kSwarmRanges = {{
    {"params.interval", SwarmRange::Kind::kDuration, 20 * kMillisecond, 200 * kMillisecond},
    {"params.timeout", SwarmRange::Kind::kDuration, 250 * kMillisecond, 1000 * kMillisecond},
}};

}  // namespace faultline::heartbeat
