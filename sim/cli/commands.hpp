// The faultline subcommands. Each returns the process exit code
// (docs/exit-codes.md): 0 all good, 1 a run failed (expectation or
// invariant), 130/143 a sweep or compare stopped by SIGINT/SIGTERM; errors
// are exceptions that main turns into 2 (bad input), 3 (a bug) or 5 (an
// output file could not be written).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/run/run_options.hpp"

namespace faultline {

// A run (or a swarm seed) that lost liveness and nothing else: no invariant
// broke, only `liveness: true` expectations failed.
constexpr int kLivenessExitCode = 6;

struct RunCommand {
  std::string scenario;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::vector<std::string> sets;
  std::string trace_path;
  std::string trace_level = "all";
  std::string history_path;
  bool force = false;  // write --trace/--history even over what is not a regular file
  bool json = false;
  std::string memory_limit;  // --memory-limit; empty: kDefaultMemoryLimit
  std::string html_path;          // --html: the viewer page of this run (sim/view/)
  std::string chrome_trace_path;  // --chrome-trace: the run as Chrome Trace Event JSON
};
int run_command(const RunCommand& c);

// `faultline view TRACE.jsonl -o FILE.html [--chrome-trace FILE] [--force]`.
struct ViewCommand {
  std::string trace;
  std::string html_path;
  std::string chrome_trace_path;
  bool force = false;  // replace existing output files
};
int view_command(const ViewCommand& c);

// Where `run --html/--chrome-trace` puts the trace when no --trace is given;
// removed with everything in it on destruction.
class TemporaryTraceDir {
 public:
  TemporaryTraceDir();
  ~TemporaryTraceDir();
  TemporaryTraceDir(const TemporaryTraceDir&) = delete;
  TemporaryTraceDir& operator=(const TemporaryTraceDir&) = delete;
  std::string trace_path() const { return dir_ + "/trace.jsonl"; }

 private:
  std::string dir_;
};

struct SweepCommand {
  std::string scenario;
  std::string seeds = "1..100";
  unsigned jobs = 0;  // 0: one per CPU this process may use (sim/run/usable_cpus.hpp)
  std::vector<std::string> sets;
  bool json = false;
  bool quiet = false;
  std::string memory_limit;  // per run
  bool progress = false;  // the progress line even when stderr is not a terminal
  std::string shard;      // "K/N" (sim/run/shard.hpp); empty: from the environment, else the whole range
  std::string out;        // --out: the result record (sim/run/sweep_record.hpp), written atomically
  std::string per_seed;   // --per-seed: one JSON line per seed
  bool force = false;     // replace an existing --out / --per-seed file
};
int sweep_command(const SweepCommand& c);

struct SwarmCommand {
  std::string scenario;
  std::string seeds = "1..100";
  unsigned jobs = 0;  // 0: one per core
  std::vector<std::string> sets;
  bool until_failure = false;
  bool safety_only = false;  // --until-failure stops at a SAFETY failure only
  bool quiet = false;
  bool progress = false;
  std::string memory_limit;  // per run
};
int swarm_command(const SwarmCommand& c);

struct CompareCommand {
  std::string scenario;
  std::string protocols = "raft,multipaxos";
  std::string seeds = "1..20";
  unsigned jobs = 0;  // 0: one per core
  std::vector<std::string> sets;
  bool json = false;
  bool quiet = false;
  std::string memory_limit;  // per run
  bool progress = false;
};
int compare_command(const CompareCommand& c);

// `merge SHARD.json... [-o FILE]`: combines `sweep --out` records of one sweep
// (sim/run/sweep_record.hpp); exit 2 when they disagree or a seed is missing
// or repeated, 1 when a seed failed.
struct MergeCommand {
  std::vector<std::string> shards;
  std::string out;
  bool force = false;
};
int merge_command(const MergeCommand& c);

struct ShrinkCommand {
  std::string scenario;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::vector<std::string> sets;
  std::string output;  // -o; empty: SCENARIO-seedN-shrunk.yaml here
  std::string budget = "60s";
  std::uint64_t max_runs = 0;  // 0: no limit
  std::uint32_t seeds_per_candidate = 8;  // ShrinkOptions::seeds_per_candidate
  bool force = false;  // replace an existing output file
  bool quiet = false;
};
int shrink_command(const ShrinkCommand& c);

// Applies every check `run` applies before running, the memory estimate included.
int validate_command(const std::vector<std::string>& files, const std::vector<std::string>& sets,
                     const std::string& memory_limit = "");

// --memory-limit's text as bytes (kDefaultMemoryLimit when empty); throws ScenarioError.
std::uint64_t memory_limit_bytes(const std::string& text);

// `bench --events`: one hold measurement of a billion events takes about a
// minute; more is a typo (and --events -1 would run for ever).
constexpr std::uint64_t kMaxBenchEvents = 1'000'000'000;
struct BenchCommand {
  std::string what = "engine";
  bool json = false;
  std::uint64_t hold_events = 20'000'000;
  std::uint64_t seed = 42;
};
int bench_command(const BenchCommand& c);

// "faults" | "protocol" | "messages" | "all"; throws ScenarioError otherwise.
TraceLevel parse_trace_level(const std::string& text);
// "A..B" with A <= B, or a single seed "A"; throws ScenarioError otherwise.
std::pair<std::uint64_t, std::uint64_t> parse_seed_range(const std::string& text);

}  // namespace faultline
