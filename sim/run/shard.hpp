// A shard: one block of a sweep's seed range, for sweeps spread over a
// cluster (docs/cluster.md).
//
// Shard K of N (0 <= K < N, numbered from 0 like Slurm array tasks from
// --array=0-(N-1) and Kubernetes completion indexes) runs the seeds
//   first + floor(K * S / N) .. first + floor((K + 1) * S / N) - 1
// of S = last - first + 1 seeds: contiguous blocks that cover every seed
// exactly once, sizes differing by at most one, fixed by (range, K, N) alone,
// independent of --jobs and of the machine.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

namespace faultline {

struct ShardSpec {
  std::uint64_t index = 0;  // K
  std::uint64_t count = 1;  // N
  std::string source;       // where K and N came from: "--shard", "SLURM_ARRAY_TASK_ID...", ...
};

// "K/N" with whole numbers, N >= 1 and K < N; throws ScenarioError naming
// `source` and the text.
ShardSpec parse_shard(const std::string& text, const std::string& source = "--shard");

// The shard from the environment, if any, `getenv` giving the variables:
//   Slurm job array task: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (MIN 0 if
//     unset) of SLURM_ARRAY_TASK_COUNT;
//   Kubernetes Indexed Job: JOB_COMPLETION_INDEX of FAULTLINE_SHARD_COUNT
//     (Kubernetes passes no count: set it to the Job's `completions`).
// Slurm is read first. A variable present but malformed, or an index outside
// the count (an array like --array=1-10:2), throws ScenarioError naming it.
std::optional<ShardSpec> shard_from_environment(
    const std::function<const char*(const char*)>& getenv);

// The seeds of shard `shard` of first..last. Throws ScenarioError when there
// are more shards than seeds (a shard would be empty).
std::pair<std::uint64_t, std::uint64_t> shard_seed_range(std::uint64_t first, std::uint64_t last,
                                                         const ShardSpec& shard);

}  // namespace faultline
