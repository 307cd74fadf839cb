// `faultline swarm SCENARIO --seeds A..B`: every seed runs the scenario with
// knobs drawn for it (sim/run/swarm.hpp), through the sweep machinery; a
// failing seed is printed as a plain `faultline run` command with the drawn
// knobs as --set flags, labelled SAFETY or LIVENESS.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stop_token>
#include <thread>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/io/interrupts.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/run/memory_estimate.hpp"
#include "sim/run/result_report.hpp"
#include "sim/run/swarm.hpp"
#include "sim/run/sweep.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

std::vector<Override> parse_overrides(const std::vector<std::string>& sets);

namespace {

std::string eta_text(double seconds) {
  if (seconds >= 3600) return fmt::format("{}h{:02}m", static_cast<long>(seconds / 3600), static_cast<long>(seconds / 60) % 60);
  if (seconds >= 60) return fmt::format("{}m{:02}s", static_cast<long>(seconds / 60), static_cast<long>(seconds) % 60);
  return fmt::format("{}s", static_cast<long>(seconds));
}

}  // namespace

int swarm_command(const SwarmCommand& c) {
  const auto [first, last] = parse_seed_range(c.seeds);
  const std::uint64_t memory_limit = memory_limit_bytes(c.memory_limit);
  const auto overrides = parse_overrides(c.sets);
  const std::string text = read_scenario_file(c.scenario);
  const Scenario base = load_scenario_text(text, c.scenario, overrides);
  const ProtocolBinding* binding = find_protocol(base.protocol);
  check_memory(base, *binding, memory_limit);
  const unsigned jobs = c.jobs ? c.jobs : std::max(1u, std::thread::hardware_concurrency());

  // A seed's overrides: the command line's, then the knobs drawn for it.
  auto overrides_of = [&](std::uint64_t seed) {
    std::vector<Override> all = overrides;
    for (auto& o : draw_swarm_overrides(base, *binding, seed)) all.push_back(std::move(o));
    return all;
  };
  // Validated before any thread starts: a pin in `swarm:` that makes the
  // first seed's knobs invalid is an exit-2 error naming it, nothing run.
  (void)load_scenario_text(text, c.scenario, overrides_of(first));
  std::stop_source stop;
  const SeedRun run_seed = [&](std::uint64_t seed, unsigned) {
    const Scenario s = load_scenario_text(text, c.scenario, overrides_of(seed));
    RunOptions options;
    options.seed = seed;
    RunResult r = binding->run(s, options);
    // From the worker itself, so it takes no further seed: with --jobs 1 the
    // failing seed is the last one run.
    if (c.until_failure && !r.ok() && !(c.safety_only && r.failed_liveness_only())) stop.request_stop();
    return r;
  };

  const bool terminal = isatty(STDERR_FILENO);
  const bool show_progress = c.progress || (!c.quiet && terminal);
  const auto started = std::chrono::steady_clock::now();
  const SweepProgress progress = [&](std::size_t done, std::size_t total, std::size_t failed) {
    if (!show_progress) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double rate = wall > 0 ? static_cast<double>(done) / wall : 0;
    const std::string eta = rate > 0 ? eta_text(static_cast<double>(total - done) / rate) : "?";
    fmt::print(stderr, "{}swarm: {}/{} seeds, {:.1f} seeds/s, {} failed, ETA {}{}", terminal ? "\r" : "", done, total,
               rate, failed, eta, terminal && done < total ? "" : "\n");
  };
  SweepResult r;
  {
    GracefulInterrupts graceful;  // the first SIGINT/SIGTERM stops handing out seeds
    std::stop_callback forward(interrupt_token(), [&] { stop.request_stop(); });
    r = run_sweep(first, last, jobs, run_seed, progress, stop.get_token());
  }
  if (r.stopped && show_progress && terminal) fmt::print(stderr, "\n");
  const bool interrupted = interrupt_signal() != 0 && r.stopped;

  std::size_t safety = 0, liveness = 0;
  for (const auto& run : r.runs) {
    if (run.ok()) continue;
    (run.failed_liveness_only() ? liveness : safety)++;
  }
  fmt::print("swarm      {} ({}), seeds {}..{}, {} jobs, {:.2f} s wall, {:.1f} seeds/s\n", base.name, c.scenario, first,
             last, jobs, r.wall_seconds, r.wall_seconds > 0 ? static_cast<double>(r.runs.size()) / r.wall_seconds : 0.0);
  fmt::print("runs       {}, {} failed: {} safety, {} liveness\n", r.runs.size(), r.failed_seeds.size(), safety, liveness);
  for (auto s : r.failed_seeds) {
    const RunResult& run = r.runs[s - first];
    fmt::print("FAILED seed {} [{}] trace {:016x}:{}\n  reproduce: {}\n", s,
               run.failed_liveness_only() ? "LIVENESS" : "SAFETY", run.trace_hash, failure_reasons(run),
               reproduce_command(c.scenario, s, overrides_of(s)));
  }
  if (c.until_failure) {
    // The lowest seed that stopped the search (any failure, or with
    // --safety-only the lowest SAFETY one); later seeds already under way
    // finish and are listed too.
    for (auto s : r.failed_seeds) {
      if (c.safety_only && r.runs[s - first].failed_liveness_only()) continue;
      fmt::print("stopped    at the first failing{} seed, {} ({} seeds run)\n", c.safety_only ? " SAFETY" : "", s,
                 r.runs.size());
      break;
    }
  }
  if (interrupted) {
    const std::string how = fmt::format("interrupted by {} after {} of {} seeds", signal_name(interrupt_signal()),
                                        r.runs.size(), last - first + 1);
    fmt::print("{}\n", how);
    fmt::print(stderr, "faultline: swarm {}\n", how);
    return interrupted_exit_code(interrupt_signal());
  }
  return safety > 0 ? 1 : liveness > 0 ? kLivenessExitCode : 0;
}

}  // namespace faultline
