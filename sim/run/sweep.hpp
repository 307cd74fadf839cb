// Runs one scenario over a range of seeds, in parallel threads, and
// aggregates every numeric metric.
//
// Each seed's run is independent of every other and of the thread that runs
// it (no shared mutable state; each worker has its own copy of the
// scenario), so each seed's result is the same for any --jobs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "sim/binding/protocol_registry.hpp"
#include "sim/run/metric_digest.hpp"
#include "sim/run/run_result.hpp"

namespace faultline {

struct MetricStats {
  std::uint64_t count = 0;
  double min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

// Nearest-rank percentiles over all samples; count 0 leaves zeros.
MetricStats summarize_samples(std::vector<double> samples);

struct SweepResult {
  std::vector<RunResult> runs;  // in seed order; after a stop, the seeds first..first + runs.size() - 1
  bool stopped = false;         // stop was requested before every seed had started
  std::vector<std::uint64_t> failed_seeds;
  // Every sample of every run, mergeable across shards (sim/run/metric_digest.hpp);
  // `metrics` is read from `digests`, so its percentiles are the buckets' (under 0.1% off).
  std::map<std::string, MetricDigest> digests;
  std::map<std::string, MetricStats> metrics;
  double wall_seconds = 0;
};

// Called from the coordinating thread after each finished run.
using SweepProgress = std::function<void(std::size_t done, std::size_t total, std::size_t failed)>;

// When `stop` is requested, no seed is started any more; the runs in progress
// finish and the result covers exactly the seeds that were started, which are
// always a prefix of the range (seeds are handed out in order).
SweepResult run_sweep(const Scenario& scenario, const ProtocolBinding& binding, std::uint64_t first_seed,
                      std::uint64_t last_seed, unsigned jobs, const SweepProgress& progress,
                      std::stop_token stop = {});

// The same over any per-seed run (`faultline swarm` runs a different
// scenario per seed): `run_seed(seed, worker)` is called from worker thread
// `worker` (0 .. jobs-1), never from two threads with the same worker index.
using SeedRun = std::function<RunResult(std::uint64_t seed, unsigned worker)>;
SweepResult run_sweep(std::uint64_t first_seed, std::uint64_t last_seed, unsigned jobs, const SeedRun& run_seed,
                      const SweepProgress& progress, std::stop_token stop = {});

}  // namespace faultline
