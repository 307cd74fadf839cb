// The ranges swarm testing draws gossip's and SWIM's parameters from (see
// protocols/host/swarm_range.hpp). SWIM: what is left of a period for the
// indirect probes (SwimNode::end_phase: 90% of the probe interval, less the
// probe timeout) holds an indirect probe's four hops on the slowest drawn
// network (20 ms each) with room to spare: 90% of 400 ms less 250 ms is
// 110 ms. Drawn from 300 ms, a 352 ms period with a 241 ms timeout and 19 ms
// hops left 75.8 ms for 76: every lost ping became a suspicion, and
// swim/crash_detection.yaml never converged (swarm seed 300072, 224 false
// deaths in 40 s; 0 with a 353 ms period). SWIM's own rule (section 3.1)
// sizes the period at three round trips or more.
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
    {"params.probe_interval", SwarmRange::Kind::kDuration, 400 * kMillisecond, 2000 * kMillisecond},
    {"params.probe_timeout", SwarmRange::Kind::kDuration, 20 * kMillisecond, 250 * kMillisecond},
    {"params.indirect_probes", SwarmRange::Kind::kInteger, 1, 5},
}};

}  // namespace faultline::gossip
