#include "sim/run/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

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
                      std::uint64_t last_seed, unsigned jobs, const SweepProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  const std::size_t total = last_seed - first_seed + 1;
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::min<std::size_t>(total, 256))));

  SweepResult out;
  out.runs.resize(total);
  std::size_t failed = 0;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t done = 0;
  std::exception_ptr error;

  // One deep copy of the scenario per worker: yaml-cpp nodes are not safe to
  // read from several threads at once.
  std::vector<Scenario> copies(jobs, scenario);
  for (auto& c : copies) c.params = YAML::Clone(scenario.params);

  auto worker = [&](unsigned w) {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= total) return;
      RunResult r;
      try {
        RunOptions options;
        options.seed = first_seed + i;
        r = binding.run(copies[w], options);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        next = total;  // stop handing out seeds
        ++done;
        changed.notify_one();
        return;
      }
      std::lock_guard lock(mutex);
      if (!r.ok()) ++failed;
      out.runs[i] = std::move(r);
      ++done;
      changed.notify_one();
    }
  };

  std::vector<std::thread> threads;
  for (unsigned w = 0; w < jobs; ++w) threads.emplace_back(worker, w);
  {
    std::unique_lock lock(mutex);
    std::size_t reported = 0;
    while (reported < total && !error) {
      changed.wait(lock, [&] { return done > reported || error; });
      reported = done;
      const std::size_t failed_now = failed;
      if (progress && !error) {
        lock.unlock();
        progress(reported, total, failed_now);
        lock.lock();
      }
    }
  }
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);

  std::map<std::string, std::vector<double>> samples;
  for (const auto& r : out.runs) {
    if (!r.ok()) out.failed_seeds.push_back(r.seed);
    for (const auto& [name, metric] : r.metrics)
      samples[name].insert(samples[name].end(), metric.samples.begin(), metric.samples.end());
  }
  for (auto& [name, values] : samples) out.metrics[name] = summarize_samples(std::move(values));
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace faultline
