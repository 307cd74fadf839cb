#include "sim/run/metric_digest.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "sim/run/sweep.hpp"

namespace faultline {

namespace {
constexpr int kDropped = 52 - MetricDigest::kMantissaBits;  // mantissa bits below the bucket's precision
constexpr std::uint64_t kMagnitude = ~(std::uint64_t{1} << 63);
}  // namespace

std::int64_t MetricDigest::bucket_of(double sample) {
  const auto bits = std::bit_cast<std::uint64_t>(sample);
  const auto magnitude_key = static_cast<std::int64_t>((bits & kMagnitude) >> kDropped);
  // Negative samples: the larger the magnitude, the lower the bucket; -0 is 0.
  return (bits >> 63) && magnitude_key != 0 && !std::isnan(sample) ? -magnitude_key : magnitude_key;
}

double MetricDigest::bucket_edge(std::int64_t bucket) {
  const auto magnitude = std::bit_cast<double>(static_cast<std::uint64_t>(bucket < 0 ? -bucket : bucket) << kDropped);
  return bucket < 0 ? -magnitude : magnitude;
}

void MetricDigest::add(double sample) {
  if (sample == 0) sample = 0;  // -0 and 0 are one value: min and max must not depend on order
  sum.add(sample);
  if (!std::isnan(sample)) {
    if (count == 0 || sample < min) min = sample;
    if (count == 0 || sample > max) max = sample;
  }
  ++count;
  ++buckets[bucket_of(sample)];
}

void MetricDigest::merge(const MetricDigest& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  count += other.count;
  sum.merge(other.sum);
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  for (const auto& [bucket, n] : other.buckets) buckets[bucket] += n;
}

MetricStats MetricDigest::stats() const {
  MetricStats s;
  s.count = count;
  if (count == 0) return s;
  s.min = min;
  s.max = max;
  s.mean = sum.value() / static_cast<double>(count);
  auto rank = [&](double q) {
    // Nearest rank, as summarize_samples: the smallest sample with at least q of all samples <= it.
    auto k = static_cast<std::uint64_t>(q * static_cast<double>(count) + 0.999999999);
    k = std::clamp<std::uint64_t>(k, 1, count);
    std::uint64_t seen = 0;
    for (const auto& [bucket, n] : buckets) {
      seen += n;
      if (seen >= k) return std::clamp(bucket_edge(bucket), min, max);
    }
    return max;
  };
  s.p50 = rank(0.50);
  s.p90 = rank(0.90);
  s.p99 = rank(0.99);
  return s;
}

bool MetricDigest::operator==(const MetricDigest& other) const {
  return count == other.count && sum == other.sum && min == other.min && max == other.max &&
         buckets == other.buckets;
}

}  // namespace faultline
