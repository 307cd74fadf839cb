// MetricDigest: what a sweep keeps of one metric's samples, mergeable exactly.
//
// count, an exact sum (sim/run/exact_sum.hpp), min, max, and a histogram of
// fixed log-linear buckets. Every part is independent of the order the
// samples came in, so digests of shards merged in any order equal, field for
// field, the digest of one machine that saw every sample: the summary printed
// from it (percentiles included) is the same bytes whatever the shard count.
//
// Buckets: a sample's bucket is its double's sign, exponent and the top
// kMantissaBits bits of its mantissa (HdrHistogram's idea on the IEEE-754
// layout). A percentile is reported as the lower edge (the edge nearer zero)
// of the bucket holding the nearest-rank sample, clamped into [min, max]:
//   - whole numbers with |v| < 2^(kMantissaBits + 1) = 2048 are exact;
//   - otherwise the reported value r and the true sample v satisfy
//     |v - r| < 2^-kMantissaBits |v| (under 0.1%), and |r| <= |v|.
// min, max, count and mean are exact (the mean is the exact sum, rounded once,
// divided by count).
#pragma once

#include <cstdint>
#include <map>

#include "sim/run/exact_sum.hpp"

namespace faultline {

struct MetricStats;

class MetricDigest {
 public:
  static constexpr int kMantissaBits = 10;

  void add(double sample);
  void merge(const MetricDigest& other);
  // Nearest-rank percentiles read from the buckets (see above).
  MetricStats stats() const;

  // The bucket of a sample, ordered like the samples; and the bucket's edge
  // nearer zero.
  static std::int64_t bucket_of(double sample);
  static double bucket_edge(std::int64_t bucket);

  std::uint64_t count = 0;
  ExactSum sum;
  double min = 0, max = 0;  // meaningful when count > 0
  std::map<std::int64_t, std::uint64_t> buckets;  // bucket -> samples in it; sums to count (nan excluded)

  bool operator==(const MetricDigest& other) const;
};

}  // namespace faultline
