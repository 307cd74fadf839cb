// SweepRecord: the result of a sweep or of one shard of it, as `sweep --out`
// writes it and `merge` reads and combines it (docs/cluster.md).
//
// Only what the runs determine is in it (no wall time, --jobs or host), so a
// record is the same bytes on any machine, and the merge of a sweep's shards
// is the same bytes as the one-machine sweep's record: the whole range, shard 0/1.
//
// The file is one JSON object on one line:
//   format, faultline_version, scenario, path, protocol, scenario_fnv1a64,
//   overrides (the --set texts), seeds "A..B" (the whole sweep), shard "K/N",
//   shard_seeds "a..b" (this record's block), runs, failed [{seed, reasons}],
//   metrics {name: {count, sum (exact, sim/run/exact_sum.hpp), min, max,
//   buckets [[bucket, samples], ...] (sim/run/metric_digest.hpp)}}.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/run/metric_digest.hpp"

namespace faultline {

inline constexpr const char* kSweepRecordFormat = "faultline-sweep-result/1";

struct FailedSeed {
  std::uint64_t seed = 0;
  std::string reasons;  // failure_reasons(run): " election_safety violated; ..."
  bool operator==(const FailedSeed&) const = default;
};

struct SweepRecord {
  // The header: records merge only when every field but `path`, `shard` and
  // `shard_seeds` agrees (the path may differ between machines).
  std::string faultline_version;
  std::string scenario;  // the scenario's name
  std::string path;      // the scenario file as given (for the replay commands)
  std::string protocol;
  std::string scenario_hash;  // FNV-1a 64 of the file's bytes, hex
  std::vector<std::string> overrides;
  std::uint64_t first_seed = 0, last_seed = 0;  // the whole sweep
  std::uint64_t shard_index = 0, shard_count = 1;
  std::uint64_t shard_first = 0, shard_last = 0;  // this record's seeds

  std::uint64_t runs = 0;
  std::vector<FailedSeed> failed;  // in seed order
  std::map<std::string, MetricDigest> metrics;
};

// FNV-1a 64 of the file's bytes as 16 hex digits; throws ScenarioError if unreadable.
std::string scenario_content_hash(const std::string& path);

std::string sweep_record_json(const SweepRecord& record);  // one line, ending in '\n'

// Reads a record file; throws ScenarioError naming the file, line and key.
SweepRecord read_sweep_record(const std::string& path);

// What a sweep prints after its first line: runs, the metric table, and each
// failing seed with its replay command. The same for a merge.
std::string sweep_summary_text(const SweepRecord& record);

}  // namespace faultline
