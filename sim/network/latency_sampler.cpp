#include "sim/network/latency_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace faultline {

namespace {

Duration to_ns(double value) {
  if (!(value > 0.0)) return 0;  // also catches NaN
  if (value >= static_cast<double>(kMaxLatency)) return kMaxLatency;
  return static_cast<Duration>(value + 0.5);
}

}  // namespace

Duration sample_latency_shaped(const LatencySpec& s, Rng& rng) {
  using Kind = LatencySpec::Kind;
  switch (s.kind) {
    case Kind::kConstant:
      return s.value;
    case Kind::kUniform:
      return rng.between(s.min, s.max);
    case Kind::kNormal: {
      // Truncated at zero by rejection: a negative draw is drawn again, so
      // the shape above zero is the normal's. Bounded, then clamped.
      for (int attempt = 0; attempt < 64; ++attempt) {
        const double x = static_cast<double>(s.mean) + static_cast<double>(s.stddev) * rng.standard_normal();
        if (x >= 0.0) return to_ns(x);
      }
      return 0;
    }
    case Kind::kExponential:
      return std::min(kMaxLatency, s.offset + to_ns(rng.exponential(static_cast<double>(s.mean))));
    case Kind::kLognormal:
      return std::min(kMaxLatency,
                      s.offset + to_ns(static_cast<double>(s.median) * det::exp(s.sigma * rng.standard_normal())));
    case Kind::kPareto:
      return std::min(kMaxLatency, s.offset + to_ns(rng.pareto(static_cast<double>(s.scale), s.alpha)));
  }
  return 0;
}

double latency_mean(const LatencySpec& s) {
  using Kind = LatencySpec::Kind;
  switch (s.kind) {
    case Kind::kConstant: return static_cast<double>(s.value);
    case Kind::kUniform: return (static_cast<double>(s.min) + static_cast<double>(s.max)) / 2.0;
    case Kind::kNormal: return static_cast<double>(s.mean);  // before truncation
    case Kind::kExponential: return static_cast<double>(s.offset + s.mean);
    case Kind::kLognormal:
      return static_cast<double>(s.offset) + static_cast<double>(s.median) * std::exp(s.sigma * s.sigma / 2.0);
    case Kind::kPareto:
      if (s.alpha <= 1.0) return std::numeric_limits<double>::infinity();
      return static_cast<double>(s.offset) + s.alpha * static_cast<double>(s.scale) / (s.alpha - 1.0);
  }
  return 0.0;
}

}  // namespace faultline
