// Issue 13's building blocks for sweeps spread over a cluster: shard blocks
// (sim/run/shard.hpp) and mergeable metric digests (sim/run/metric_digest.hpp,
// sim/run/exact_sum.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sim/run/exact_sum.hpp"
#include "sim/run/metric_digest.hpp"
#include "sim/run/shard.hpp"
#include "sim/run/sweep.hpp"
#include "sim/scenario/scenario_error.hpp"

using namespace faultline;

namespace {

std::string shard_error(const std::string& text) {
  try {
    parse_shard(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string environment_error(const std::map<std::string, std::string>& env) {
  try {
    shard_from_environment([&](const char* name) -> const char* {
      const auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    });
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::optional<ShardSpec> from_environment(const std::map<std::string, std::string>& env) {
  return shard_from_environment([&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

// A mix like a sweep's: integers, nanosecond latencies, ratios, tiny and negative values.
std::vector<double> samples(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng() % 5) {
      case 0: out.push_back(static_cast<double>(rng() % 3000)); break;
      case 1: out.push_back(static_cast<double>(rng() % 2'000'000'000)); break;
      case 2: out.push_back(std::ldexp(static_cast<double>(rng() >> 11), -53) * 10); break;
      case 3: out.push_back(1e16 + static_cast<double>(rng() % 1000)); break;
      default: out.push_back(-std::ldexp(static_cast<double>(rng() >> 11), -60)); break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("shards: every seed of the range in exactly one shard, contiguous blocks in shard order, for many ranges and N") {
  for (std::uint64_t first : {0ull, 1ull, 17ull, 1'000'000ull}) {
    for (std::uint64_t seeds : {1ull, 2ull, 3ull, 7ull, 10ull, 99ull, 100ull, 1000ull, 1001ull}) {
      const std::uint64_t last = first + seeds - 1;
      for (std::uint64_t n = 1; n <= std::min<std::uint64_t>(seeds, 40); ++n) {
        std::uint64_t next = first;
        std::uint64_t smallest = UINT64_MAX, largest = 0;
        for (std::uint64_t k = 0; k < n; ++k) {
          const auto [a, b] = shard_seed_range(first, last, ShardSpec{k, n, "--shard"});
          REQUIRE(a == next);  // no gap, no overlap
          REQUIRE(a <= b);
          smallest = std::min(smallest, b - a + 1);
          largest = std::max(largest, b - a + 1);
          next = b + 1;
        }
        REQUIRE(next == last + 1);     // the whole range
        REQUIRE(largest - smallest <= 1);  // balanced
      }
    }
  }
  // The blocks are a function of (range, K, N) alone: 10 seeds in 3 shards.
  CHECK(shard_seed_range(1, 10, ShardSpec{0, 3, ""}) == std::pair<std::uint64_t, std::uint64_t>{1, 3});
  CHECK(shard_seed_range(1, 10, ShardSpec{1, 3, ""}) == std::pair<std::uint64_t, std::uint64_t>{4, 6});
  CHECK(shard_seed_range(1, 10, ShardSpec{2, 3, ""}) == std::pair<std::uint64_t, std::uint64_t>{7, 10});
}

TEST_CASE("shards: malformed --shard and more shards than seeds are errors naming the problem") {
  CHECK(shard_error("0/0").find("the shard count must be at least 1; got '0/0'") != std::string::npos);
  CHECK(shard_error("3/2").find("shard index 3 is not below the shard count 2") != std::string::npos);
  CHECK(shard_error("2/2").find("shard index 2 is not below the shard count 2") != std::string::npos);
  for (const char* bad : {"a/b", "1", "1/", "/2", "-1/2", "1/2/3", "1.5/2", " 1/2", ""})
    CHECK_MESSAGE(shard_error(bad).find("expected K/N, two whole numbers") != std::string::npos, bad);
  CHECK(shard_error("0/1").empty());
  try {
    shard_seed_range(1, 3, ShardSpec{0, 4, "--shard"});
    FAIL("4 shards of 3 seeds accepted");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()).find("4 shards for 3 seeds (1..3): a shard would have no seed") != std::string::npos);
  }
}

TEST_CASE("shards from the environment: a Slurm array task (from its MIN) or a Kubernetes Indexed Job with FAULTLINE_SHARD_COUNT") {
  CHECK_FALSE(from_environment({}).has_value());
  auto slurm = from_environment({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}});
  REQUIRE(slurm);
  CHECK(slurm->index == 2);
  CHECK(slurm->count == 4);
  // --array=1-4: tasks 1..4 are shards 0..3.
  slurm = from_environment({{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "4"}});
  REQUIRE(slurm);
  CHECK(slurm->index == 3);
  CHECK(slurm->count == 4);
  const auto k8s = from_environment({{"JOB_COMPLETION_INDEX", "5"}, {"FAULTLINE_SHARD_COUNT", "8"}});
  REQUIRE(k8s);
  CHECK(k8s->index == 5);
  CHECK(k8s->count == 8);
  CHECK(k8s->source == "JOB_COMPLETION_INDEX / FAULTLINE_SHARD_COUNT");

  CHECK(environment_error({{"JOB_COMPLETION_INDEX", "5"}}).find("FAULTLINE_SHARD_COUNT is not") != std::string::npos);
  CHECK(environment_error({{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_COUNT", "4"}})
            .find("SLURM_ARRAY_TASK_ID must be a whole number; got 'x'") != std::string::npos);
  CHECK(environment_error({{"SLURM_ARRAY_TASK_ID", "1"}}).find("SLURM_ARRAY_TASK_COUNT must be a whole number; got '(unset)'") !=
        std::string::npos);
  // --array=1-10:2 has 5 tasks, ids 1, 3, .., 9: id 9 - 1 = 8 is not below 5.
  CHECK(environment_error({{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "5"}})
            .find("shard index 8 is not below the shard count 5") != std::string::npos);
}

TEST_CASE("ExactSum: no rounding, so any order and any split give the same sum and the same text") {
  ExactSum a;
  a.add(1e16);
  a.add(1.0);
  a.add(-1e16);
  CHECK(a.value() == 1.0);  // a double sum in this order gives 0
  ExactSum tiny;
  tiny.add(std::ldexp(1.0, -1074));
  tiny.add(std::ldexp(1.0, 1023));
  tiny.add(-std::ldexp(1.0, 1023));
  CHECK(tiny.value() == std::ldexp(1.0, -1074));

  const auto values = samples(7, 5000);
  ExactSum forward, backward;
  for (double v : values) forward.add(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward.add(*it);
  CHECK(forward.text() == backward.text());
  CHECK(forward.value() == backward.value());
  ExactSum parsed;
  REQUIRE(ExactSum::parse(forward.text(), parsed));
  CHECK(parsed.text() == forward.text());
  CHECK(parsed.value() == forward.value());
  // The long double of the exact sum, within one double rounding.
  long double reference = 0;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end(), [](double x, double y) { return std::fabs(x) < std::fabs(y); });
  for (double v : sorted) reference += v;
  CHECK(std::fabs(forward.value() - static_cast<double>(reference)) <= 1e-12 * std::fabs(static_cast<double>(reference)));
  ExactSum rejected;
  CHECK_FALSE(ExactSum::parse("3:zz", rejected));
  CHECK_FALSE(ExactSum::parse("3:-5", rejected));  // only the top limb is signed
  CHECK_FALSE(ExactSum::parse("5:1,3:1", rejected));
}

TEST_CASE("MetricDigest: shards merged in any split equal one digest of every sample, field for field and in the summary") {
  const auto values = samples(42, 20000);
  MetricDigest whole;
  for (double v : values) whole.add(v);
  const MetricStats expected = whole.stats();
  for (std::size_t n : {1u, 2u, 3u, 7u, 13u}) {
    std::vector<MetricDigest> parts(n);
    for (std::size_t i = 0; i < values.size(); ++i) parts[i * n / values.size()].add(values[i]);
    MetricDigest merged;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) merged.merge(*it);  // any order
    CHECK_MESSAGE(merged == whole, n);
    const MetricStats s = merged.stats();
    CHECK(s.count == expected.count);
    CHECK(s.mean == expected.mean);
    CHECK(s.min == expected.min);
    CHECK(s.max == expected.max);
    CHECK(s.p50 == expected.p50);
    CHECK(s.p90 == expected.p90);
    CHECK(s.p99 == expected.p99);
  }
}

TEST_CASE("MetricDigest: percentiles within 2^-10 of the exact nearest-rank sample, and exact for whole numbers below 2048") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto values = samples(seed, 1 + seed * 97);
    MetricDigest d;
    for (double v : values) d.add(v);
    const MetricStats approx = d.stats();
    const MetricStats exact = summarize_samples(values);
    CHECK(approx.min == exact.min);
    CHECK(approx.max == exact.max);
    for (auto [a, e] : {std::pair{approx.p50, exact.p50}, {approx.p90, exact.p90}, {approx.p99, exact.p99}}) {
      CHECK(std::fabs(a - e) <= std::ldexp(std::fabs(e), -MetricDigest::kMantissaBits));
      CHECK(std::fabs(a) <= std::fabs(e));  // the edge nearer zero
    }
  }
  std::vector<double> small;
  for (int i = -2047; i <= 2047; i += 3) small.push_back(i);
  MetricDigest d;
  for (double v : small) d.add(v);
  const MetricStats exact = summarize_samples(small);
  CHECK(d.stats().p50 == exact.p50);
  CHECK(d.stats().p90 == exact.p90);
  CHECK(d.stats().p99 == exact.p99);
}
