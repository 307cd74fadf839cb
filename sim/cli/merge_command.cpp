// `faultline merge SHARD.json... [-o FILE]`: the shards of one sweep, run
// apart (docs/cluster.md), combined into the record and summary the sweep
// would have given on one machine, byte for byte.
#include <algorithm>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/io/output_file.hpp"
#include "sim/run/sweep_record.hpp"
#include "sim/scenario/scenario_error.hpp"

namespace faultline {

namespace {

struct ShardFile {
  std::string path;
  SweepRecord record;
};

[[noreturn]] void merge_error(const std::string& why) { throw ScenarioError({"merge", 0, 0}, "", why); }

// Every header field that must agree, as (name, text).
std::vector<std::pair<std::string, std::string>> header_fields(const SweepRecord& r) {
  std::string overrides;
  for (const auto& o : r.overrides) overrides += (overrides.empty() ? "" : " ") + fmt::format("--set {}", o);
  return {{"faultline_version", r.faultline_version},
          {"scenario_fnv1a64 (the scenario file's content)", r.scenario_hash},
          {"scenario", r.scenario},
          {"protocol", r.protocol},
          {"overrides", overrides.empty() ? "(none)" : overrides},
          {"seeds", fmt::format("{}..{}", r.first_seed, r.last_seed)},
          {"shard count", fmt::format("{}", r.shard_count)}};
}

}  // namespace

int merge_command(const MergeCommand& c) {
  if (c.shards.empty()) merge_error("no shard files given");
  if (!c.out.empty() && !c.force && output_target(c.out) != OutputTarget::kAbsent)
    throw ScenarioError({"-o", 0, 0}, "", fmt::format("{} exists; pass --force to replace it", c.out));
  if (!c.out.empty()) check_output_target(c.out, c.force, "-o");

  std::vector<ShardFile> shards;
  for (const auto& path : c.shards) shards.push_back({path, read_sweep_record(path)});

  const auto reference = header_fields(shards.front().record);
  for (const auto& s : shards) {
    const auto fields = header_fields(s.record);
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (fields[i].second != reference[i].second)
        merge_error(fmt::format("{} and {} are not shards of one sweep: {} differs ({} vs {})", shards.front().path,
                                s.path, fields[i].first, reference[i].second, fields[i].second));
  }

  // Every seed exactly once: the shards' blocks, in seed order, must tile the range.
  std::sort(shards.begin(), shards.end(),
            [](const ShardFile& a, const ShardFile& b) { return a.record.shard_first < b.record.shard_first; });
  const SweepRecord& head = shards.front().record;
  std::uint64_t next = head.first_seed;  // the first seed no shard so far covers
  const ShardFile* previous = nullptr;
  for (const auto& s : shards) {
    const auto& r = s.record;
    if (r.shard_first > next)
      merge_error(fmt::format("seeds {}..{} are in no shard (a gap {}; shard {}/{} missing?)", next,
                              r.shard_first - 1,
                              previous ? fmt::format("between {} and {}", previous->path, s.path)
                                       : fmt::format("before {}", s.path),
                              previous ? previous->record.shard_index + 1 : 0, r.shard_count));
    if (r.shard_first < next)
      merge_error(fmt::format("seeds {}..{} are in two shards: {} and {} overlap", r.shard_first,
                              std::min(next - 1, r.shard_last), previous->path, s.path));
    next = r.shard_last + 1;
    previous = &s;
  }
  if (next <= head.last_seed)
    merge_error(fmt::format("seeds {}..{} are in no shard (a gap after {}, the last; shard {}/{} missing?)", next,
                            head.last_seed, previous->path, previous->record.shard_index + 1, head.shard_count));

  // The merged record is the one-machine sweep's: the whole range as shard 0/1.
  SweepRecord merged = head;
  merged.shard_index = 0;
  merged.shard_count = 1;
  merged.shard_first = head.first_seed;
  merged.shard_last = head.last_seed;
  merged.runs = 0;
  merged.failed.clear();
  merged.metrics.clear();
  for (const auto& s : shards) {
    merged.runs += s.record.runs;
    merged.failed.insert(merged.failed.end(), s.record.failed.begin(), s.record.failed.end());
    for (const auto& [name, digest] : s.record.metrics) merged.metrics[name].merge(digest);
  }

  fmt::print("merge      {} ({}), seeds {}..{}, {} shards\n", merged.scenario, merged.path, merged.first_seed,
             merged.last_seed, shards.size());
  fmt::print("{}", sweep_summary_text(merged));
  if (!c.out.empty()) {
    const std::string text = sweep_record_json(merged);
    OutputFile file;
    file.open(c.out, c.force, "-o");
    file.write(text.data(), text.size());
    file.commit();
  }
  return merged.failed.empty() ? 0 : 1;
}

}  // namespace faultline
