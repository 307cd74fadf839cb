#include "sim/run/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "sim/run/keep_freed_memory.hpp"

namespace faultline {

MetricStats summarize_samples(std::vector<double> samples) {
  MetricStats s;
  s.count = samples.size();
  if (samples.empty()) return s;
  double sum = 0;  // in sample order, before the selections below reorder them
  for (double v : samples) sum += v;
  s.mean = sum / static_cast<double>(samples.size());
  const auto [least, most] = std::minmax_element(samples.begin(), samples.end());
  s.min = *least;
  s.max = *most;
  // Nearest rank: the smallest sample with at least q of all samples <= it.
  // Selection, not a sort: each rank is found in linear time in the part
  // above the previous one (a run of a million operations has a million
  // latencies).
  auto from = samples.begin();
  auto rank = [&](double q) {
    const auto n = samples.size();
    auto k = static_cast<std::size_t>(q * static_cast<double>(n) + 0.999999999);
    if (k < 1) k = 1;
    const auto at = samples.begin() + static_cast<std::ptrdiff_t>(std::min(k, n) - 1);
    std::nth_element(from, at, samples.end());
    from = at;
    return *at;
  };
  s.p50 = rank(0.50);
  s.p90 = rank(0.90);
  s.p99 = rank(0.99);
  return s;
}

SweepResult run_sweep(const Scenario& scenario, const ProtocolBinding& binding, std::uint64_t first_seed,
                      std::uint64_t last_seed, unsigned jobs, const SweepProgress& progress,
                      std::stop_token stop) {
  // One deep copy of the scenario per worker: yaml-cpp nodes are not safe to
  // read from several threads at once.
  const std::size_t workers = std::min<std::uint64_t>({std::max(1u, jobs), last_seed - first_seed + 1, 256});
  std::vector<Scenario> copies(workers, scenario);
  for (auto& c : copies) c.params = YAML::Clone(scenario.params);
  const SeedRun run_seed = [&](std::uint64_t seed, unsigned w) {
    RunOptions options;
    options.seed = seed;
    return binding.run(copies[w], options);
  };
  return run_sweep(first_seed, last_seed, jobs, run_seed, progress, stop);
}

SweepResult run_sweep(std::uint64_t first_seed, std::uint64_t last_seed, unsigned jobs, const SeedRun& run_seed,
                      const SweepProgress& progress, std::stop_token stop) {
  const auto started = std::chrono::steady_clock::now();
  keep_freed_memory_for_reuse();  // each seed reuses what the one before freed
  const std::size_t total = last_seed - first_seed + 1;
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::min<std::size_t>(total, 256))));

  SweepResult out;
  out.runs.resize(total);
  std::size_t failed = 0;
  // Guarded by `mutex`. Invariant: seeds first..first + next - 1 have been
  // handed out, `running` of them are running and `done` have finished; once
  // a stop is seen no seed is handed out, so the started seeds stay a prefix.
  std::mutex mutex;
  std::size_t next = 0, running = 0, done = 0;
  std::condition_variable_any changed;
  std::exception_ptr error;

  auto worker = [&](unsigned w) {
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(mutex);
        if (next >= total || stop.stop_requested()) return;
        i = next++;
        ++running;
        changed.notify_one();
      }
      RunResult r;
      try {
        r = run_seed(first_seed + i, w);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        next = total;  // stop handing out seeds
        --running;
        ++done;
        changed.notify_one();
        return;
      }
      std::lock_guard lock(mutex);
      if (!r.ok()) ++failed;
      out.runs[i] = std::move(r);
      --running;
      ++done;
      changed.notify_one();
    }
  };

  std::vector<std::thread> threads;
  for (unsigned w = 0; w < jobs; ++w) threads.emplace_back(worker, w);
  {
    std::unique_lock lock(mutex);
    // "0 done" once every worker has its first seed: the runs are under way.
    changed.wait(lock, stop, [&] { return next >= jobs || error; });
    if (progress && !error) {
      lock.unlock();
      progress(0, total, 0);
      lock.lock();
    }
    std::size_t reported = 0;
    const auto finished = [&] { return error || done == total || (out.stopped && running == 0 && done == reported); };
    while (!finished()) {
      // Woken by a finished run, or once by the stop request. Once a stop is
      // requested, the wait must not take the token: a wait on a requested
      // token returns at once without releasing the lock, so the workers could
      // never record their runs (a stop asked for after the last seed was
      // handed out, where `out.stopped` stays false, spun here for ever).
      if (out.stopped || stop.stop_requested()) changed.wait(lock, [&] { return done > reported || error; });
      else changed.wait(lock, stop, [&] { return done > reported || error; });
      if (stop.stop_requested()) out.stopped = next < total;
      if (done > reported && !error) {
        reported = done;
        const std::size_t failed_now = failed;
        if (progress) {
          lock.unlock();
          progress(reported, total, failed_now);
          lock.lock();
        }
      }
    }
    out.runs.resize(next);
  }
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);

  for (const auto& r : out.runs) {
    if (!r.ok()) out.failed_seeds.push_back(r.seed);
    for (const auto& [name, metric] : r.metrics) {
      auto& digest = out.digests[name];
      for (double v : metric.samples) digest.add(v);
    }
  }
  for (const auto& [name, digest] : out.digests) out.metrics[name] = digest.stats();
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace faultline
