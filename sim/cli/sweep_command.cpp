#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/io/interrupts.hpp"
#include "sim/json/json_writer.hpp"
#include "sim/protocol_registry.hpp"
#include "sim/run/expectations.hpp"
#include "sim/run/memory_estimate.hpp"
#include "sim/run/result_report.hpp"
#include "sim/run/sweep.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

std::vector<Override> parse_overrides(const std::vector<std::string>& sets);

std::pair<std::uint64_t, std::uint64_t> parse_seed_range(const std::string& text) {
  auto number = [&](std::string_view s, std::uint64_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
  };
  const auto dots = text.find("..");
  std::uint64_t a = 0, b = 0;
  const bool ok = dots == std::string::npos
                      ? number(text, a) && (b = a, true)
                      : number(std::string_view(text).substr(0, dots), a) &&
                            number(std::string_view(text).substr(dots + 2), b);
  if (!ok || a > b || b - a >= 100'000'000)
    throw ScenarioError({"--seeds", 0, 0}, "--seeds",
                        fmt::format("expected a range like 1..100: whole numbers from 0 to {}, first <= last, at most "
                                    "100,000,000 seeds; got '{}'", UINT64_MAX, text));
  return {a, b};
}

int sweep_command(const SweepCommand& c) {
  const auto [first, last] = parse_seed_range(c.seeds);
  const std::uint64_t memory_limit = memory_limit_bytes(c.memory_limit);
  const auto overrides = parse_overrides(c.sets);
  const Scenario scenario = load_scenario_file(c.scenario, overrides);
  const ProtocolBinding* binding = find_protocol(scenario.protocol);
  check_memory(scenario, *binding, memory_limit);
  const unsigned jobs = c.jobs ? c.jobs : std::max(1u, std::thread::hardware_concurrency());

  const bool terminal = isatty(STDERR_FILENO);
  const bool show_progress = c.progress || (!c.quiet && terminal);
  SweepProgress progress;
  if (show_progress)
    progress = [terminal](std::size_t done, std::size_t total, std::size_t failed) {
      // On a terminal one line redrawn; elsewhere (a log, --progress) one line per seed.
      fmt::print(stderr, "{}sweep: {}/{} seeds, {} failed{}", terminal ? "\r" : "", done, total, failed,
                 terminal && done < total ? "" : "\n");
    };
  SweepResult r;
  {
    GracefulInterrupts graceful;  // the first SIGINT/SIGTERM stops handing out seeds
    r = run_sweep(scenario, *binding, first, last, jobs, progress, interrupt_token());
  }
  if (r.stopped && show_progress && terminal) fmt::print(stderr, "\n");
  const std::size_t planned = last - first + 1;
  const std::string interrupted =
      r.stopped ? fmt::format("interrupted by {} after {} of {} seeds ({}); the figures cover those",
                              signal_name(interrupt_signal()), r.runs.size(), planned,
                              r.runs.empty() ? std::string("none ran")
                                             : fmt::format("seeds {}..{}", first, first + r.runs.size() - 1))
                : "";

  if (c.json) {
    JsonWriter j;
    j.begin_object();
    j.key("scenario").value(scenario.name);
    j.key("path").value(c.scenario);
    j.key("protocol").value(scenario.protocol);
    j.key("runs").value(static_cast<std::uint64_t>(r.runs.size()));
    j.key("jobs").value(static_cast<std::uint64_t>(jobs));
    j.key("failed_seeds").begin_array();
    for (auto s : r.failed_seeds) j.value(s);
    j.end_array();
    j.key("reproduce").begin_array();
    for (auto s : r.failed_seeds) j.value(reproduce_command(c.scenario, s, overrides));
    j.end_array();
    j.key("metrics").begin_object();
    for (const auto& [name, m] : r.metrics) {
      j.key(name).begin_object();
      j.key("count").value(m.count);
      j.key("min").value(m.min);
      j.key("p50").value(m.p50);
      j.key("p90").value(m.p90);
      j.key("p99").value(m.p99);
      j.key("max").value(m.max);
      j.key("mean").value(m.mean);
      j.end_object();
    }
    j.end_object();
    j.key("seeds").begin_array();
    for (const auto& run : r.runs) {
      j.begin_object();
      j.key("seed").value(run.seed);
      j.key("ok").value(run.ok());
      j.key("trace_hash").value(fmt::format("{:016x}", run.trace_hash));
      j.end_object();
    }
    j.end_array();
    j.key("wall_seconds").value(r.wall_seconds);
    if (r.stopped) {
      j.key("interrupted").value(signal_name(interrupt_signal()));
      j.key("planned_runs").value(static_cast<std::uint64_t>(planned));
    }
    j.end_object();
    fmt::print("{}\n", j.str());
  } else {
    fmt::print("sweep      {} ({}), seeds {}..{}, {} jobs, {:.2f} s wall\n", scenario.name, c.scenario, first, last,
               jobs, r.wall_seconds);
    fmt::print("runs       {}, {} failed\n", r.runs.size(), r.failed_seeds.size());
    fmt::print("{:<28} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "metric", "samples", "min", "p50", "p90",
               "p99", "max", "mean");
    for (const auto& [name, m] : r.metrics) {
      if (m.count == 0) continue;
      auto f = [&](double v) { return format_metric_value(name, v); };
      fmt::print("{:<28} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", name, m.count, f(m.min), f(m.p50),
                 f(m.p90), f(m.p99), f(m.max), f(m.mean));
    }
    for (auto s : r.failed_seeds) {
      fmt::print("FAILED seed {}:{}\n  reproduce: {}\n", s, failure_reasons(r.runs[s - first]),
                 reproduce_command(c.scenario, s, overrides));
    }
    if (r.stopped) fmt::print("{}\n", interrupted);
  }
  if (r.stopped) {
    fmt::print(stderr, "faultline: sweep {}\n", interrupted);
    return interrupted_exit_code(interrupt_signal());
  }
  return r.failed_seeds.empty() ? 0 : 1;
}

}  // namespace faultline
