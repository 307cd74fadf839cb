// Draws one-hop latencies from a LatencySpec. Integer nanoseconds out; the
// shapes that need logs and exponentials use det_math, so every machine draws
// the same numbers.
#pragma once

#include "protocols/host/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

// Latencies are capped at this, so a heavy Pareto tail cannot overflow time.
inline constexpr Duration kMaxLatency = kHour;

Duration sample_latency(const LatencySpec& spec, Rng& rng);

// The distribution's mean in ns (for tests and documentation); infinite for a
// Pareto with alpha <= 1.
double latency_mean(const LatencySpec& spec);

}  // namespace faultline
