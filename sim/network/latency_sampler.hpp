// Draws one-hop latencies from a LatencySpec. Integer nanoseconds out; the
// shapes that need logs and exponentials use det_math, so every machine draws
// the same numbers.
#pragma once

#include "protocols/host/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

// Latencies are capped at this, so a heavy Pareto tail cannot overflow time.
inline constexpr Duration kMaxLatency = kHour;

// The shapes other than constant and uniform (out of line).
Duration sample_latency_shaped(const LatencySpec& spec, Rng& rng);

// Inline for the two shapes every large run uses: one draw per message.
inline Duration sample_latency(const LatencySpec& spec, Rng& rng) {
  if (spec.kind == LatencySpec::Kind::kUniform) return rng.between(spec.min, spec.max);
  if (spec.kind == LatencySpec::Kind::kConstant) return spec.value;
  return sample_latency_shaped(spec, rng);
}

// The distribution's mean in ns (for tests and documentation); infinite for a
// Pareto with alpha <= 1.
double latency_mean(const LatencySpec& spec);

}  // namespace faultline
