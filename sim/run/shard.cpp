#include "sim/run/shard.hpp"

#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include "sim/scenario/scenario_error.hpp"

namespace faultline {

namespace {

bool whole_number(std::string_view s, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

[[noreturn]] void bad_shard(const std::string& source, const std::string& why) {
  throw ScenarioError({source, 0, 0}, "", why);
}

}  // namespace

ShardSpec parse_shard(const std::string& text, const std::string& source) {
  const auto slash = text.find('/');
  std::uint64_t k = 0, n = 0;
  if (slash == std::string::npos || !whole_number(std::string_view(text).substr(0, slash), k) ||
      !whole_number(std::string_view(text).substr(slash + 1), n))
    bad_shard(source, fmt::format("expected K/N, two whole numbers such as 0/4 (shards are numbered from 0); got '{}'",
                                  text));
  if (n == 0) bad_shard(source, fmt::format("the shard count must be at least 1; got '{}'", text));
  if (k >= n)
    bad_shard(source, fmt::format("shard index {} is not below the shard count {} (shards are numbered 0..{}); got '{}'",
                                  k, n, n - 1, text));
  return ShardSpec{k, n, source};
}

std::optional<ShardSpec> shard_from_environment(const std::function<const char*(const char*)>& getenv) {
  auto number = [&](const char* name, const char* fallback) -> std::uint64_t {
    const char* text = getenv(name);
    if (!text) text = fallback;
    std::uint64_t v = 0;
    if (!text || !whole_number(text, v))
      bad_shard(name, fmt::format("the environment variable {} must be a whole number; got '{}'", name,
                                  text ? text : "(unset)"));
    return v;
  };
  if (getenv("SLURM_ARRAY_TASK_ID")) {
    const std::uint64_t id = number("SLURM_ARRAY_TASK_ID", nullptr);
    const std::uint64_t min = number("SLURM_ARRAY_TASK_MIN", "0");
    const std::uint64_t count = number("SLURM_ARRAY_TASK_COUNT", nullptr);
    if (id < min) bad_shard("SLURM_ARRAY_TASK_ID", fmt::format("SLURM_ARRAY_TASK_ID {} is below SLURM_ARRAY_TASK_MIN {}", id, min));
    return parse_shard(fmt::format("{}/{}", id - min, count),
                       "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN / SLURM_ARRAY_TASK_COUNT (an array must be "
                       "contiguous, step 1)");
  }
  if (getenv("JOB_COMPLETION_INDEX")) {
    const std::uint64_t index = number("JOB_COMPLETION_INDEX", nullptr);
    if (!getenv("FAULTLINE_SHARD_COUNT"))
      bad_shard("FAULTLINE_SHARD_COUNT",
                "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but FAULTLINE_SHARD_COUNT is not: set it to "
                "the Job's completions");
    const std::uint64_t count = number("FAULTLINE_SHARD_COUNT", nullptr);
    return parse_shard(fmt::format("{}/{}", index, count), "JOB_COMPLETION_INDEX / FAULTLINE_SHARD_COUNT");
  }
  return std::nullopt;
}

std::pair<std::uint64_t, std::uint64_t> shard_seed_range(std::uint64_t first, std::uint64_t last,
                                                         const ShardSpec& shard) {
  const std::uint64_t seeds = last - first + 1;
  if (shard.count > seeds)
    bad_shard(shard.source, fmt::format("{} shards for {} seeds ({}..{}): a shard would have no seed", shard.count,
                                        seeds, first, last));
  // floor(K * S / N) without overflow: S < 2^27 (parse_seed_range's limit) and N <= S.
  const auto start = [&](std::uint64_t k) {
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(k) * seeds / shard.count);
  };
  return {first + start(shard.index), first + start(shard.index + 1) - 1};
}

}  // namespace faultline
