// Seeded random streams and the few distributions faultline needs.
//
// One master seed per run. Every node and every component (network, faults,
// nemesis, workload) draws from its own stream, derived from the master seed
// and a stream label with splitmix64, so adding a draw in one component never
// shifts the numbers another component sees.
//
// The standard library's distributions are not used: their output differs
// between standard libraries. Everything here is integer arithmetic or IEEE
// basic operations (see det_math.hpp).
#pragma once

#include <cmath>
#include <cstdint>

#include "protocols/host/det_math.hpp"
#include "protocols/host/time.hpp"

namespace faultline {

// splitmix64 (Steele, Lea, Flood 2014): one step of the mixer; used to derive
// seeds, never to draw simulation randomness.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Stream labels: which component a stream belongs to. A node's stream is
// derive_seed(master, kNodeStream, node id).
enum class Stream : std::uint64_t {
  kNode = 1,
  kNetwork = 2,
  kFaults = 3,
  kNemesis = 4,
  kWorkload = 5,
  kBench = 6,
  kDisk = 7,         // sync latencies, one stream per node (index: node id)
  kTimerJitter = 8,  // how late timers fire, one stream per node (index: node id)
  kSwarm = 9,        // `faultline swarm`'s knob draws, one stream per knob (index: hash of its name)
};

constexpr std::uint64_t derive_seed(std::uint64_t master, Stream stream, std::uint64_t index = 0) {
  std::uint64_t s = master;
  std::uint64_t a = splitmix64(s);
  s = a ^ (static_cast<std::uint64_t>(stream) * 0xd1b54a32d192ed03ULL);
  std::uint64_t b = splitmix64(s);
  s = b ^ (index * 0x8cb92ba72f3d8dd7ULL);
  return splitmix64(s);
}

// xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

  void reseed(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& w : s_) w = splitmix64(x);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, n), n > 0. Lemire's multiply-shift with rejection,
  // so it is exactly uniform.
  std::uint64_t below(std::uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>(next()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // Uniform integer in [lo, hi], lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo);
    if (span == UINT64_MAX) return static_cast<std::int64_t>(next());
    return lo + static_cast<std::int64_t>(below(span + 1));
  }

  // Uniform double in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform double in (0, 1): never 0, so log() is always finite.
  double open_unit() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

  // True with the probability whose 2^64-scaled threshold is given; see
  // Probability below, which precomputes it once.
  bool chance(std::uint64_t threshold) { return threshold != 0 && next() < threshold; }

  // Exponential with the given mean.
  double exponential(double mean) { return -mean * det::log(open_unit()); }

  // Standard normal, Marsaglia's polar method (needs only log and sqrt, both
  // deterministic; sqrt is correctly rounded by IEEE-754).
  double standard_normal() {
    for (;;) {
      const double u = 2.0 * unit() - 1.0;
      const double v = 2.0 * unit() - 1.0;
      const double s = u * u + v * v;
      if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * det::log(s) / s);
    }
  }

  // Pareto with scale xm and shape alpha: xm / U^(1/alpha).
  double pareto(double xm, double alpha) { return xm * det::exp(-det::log(open_unit()) / alpha); }

  // Raw state, for tests that check streams are independent.
  const std::uint64_t* state() const { return s_; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// A probability stored as a 64-bit threshold: p = threshold / 2^64.
// Comparing an integer draw against it keeps floating point out of the
// decision itself.
struct Probability {
  std::uint64_t threshold = 0;
  double value = 0.0;

  static Probability of(double p) {
    Probability r;
    r.value = p;
    if (p <= 0.0) r.threshold = 0;
    else if (p >= 1.0) r.threshold = UINT64_MAX;
    else r.threshold = static_cast<std::uint64_t>(std::ldexp(p, 64));
    return r;
  }
  bool never() const { return threshold == 0; }
  bool draw(Rng& rng) const { return threshold == UINT64_MAX || rng.chance(threshold); }
};

}  // namespace faultline
