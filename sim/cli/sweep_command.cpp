#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/io/interrupts.hpp"
#include "sim/io/output_file.hpp"
#include "sim/json/json_writer.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/run/expectations.hpp"
#include "sim/run/memory_estimate.hpp"
#include "sim/run/result_report.hpp"
#include "sim/run/shard.hpp"
#include "sim/run/sweep.hpp"
#include "sim/run/sweep_record.hpp"
#include "sim/run/usable_cpus.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/version.hpp"

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

namespace {

// --out and --per-seed: refused before the run if a file is there without --force.
void check_new_output(const std::string& path, bool force, std::string_view option) {
  if (path.empty()) return;
  if (!force && output_target(path) != OutputTarget::kAbsent)
    throw ScenarioError({std::string(option), 0, 0}, "",
                        fmt::format("{} exists; pass --force to replace it", path));
  check_output_target(path, force, option);
}

void write_output(const std::string& path, bool force, std::string_view option, const std::string& text) {
  OutputFile file;
  file.open(path, force, option);
  file.write(text.data(), text.size());
  file.commit();
}

std::string per_seed_lines(const std::vector<RunResult>& runs) {
  std::string out;
  for (const auto& run : runs) {
    JsonWriter j;
    j.begin_object();
    j.key("seed").value(run.seed);
    j.key("ok").value(run.ok());
    j.key("trace_hash").value(fmt::format("{:016x}", run.trace_hash));
    if (!run.ok()) j.key("reasons").value(failure_reasons(run));
    j.key("metrics").begin_object();
    for (const auto& [name, metric] : run.metrics) {
      j.key(name).begin_array();
      for (double v : metric.samples) j.value(v);
      j.end_array();
    }
    j.end_object();
    j.end_object();
    out += j.str() + "\n";
  }
  return out;
}

}  // namespace

int sweep_command(const SweepCommand& c) {
  const auto [sweep_first, sweep_last] = parse_seed_range(c.seeds);
  // The flag wins over the environment (a Slurm array task or a Kubernetes Indexed Job).
  const std::optional<ShardSpec> shard =
      !c.shard.empty() ? std::optional(parse_shard(c.shard)) : shard_from_environment(std::getenv);
  const auto [first, last] = shard ? shard_seed_range(sweep_first, sweep_last, *shard)
                                   : std::pair{sweep_first, sweep_last};
  const std::uint64_t memory_limit = memory_limit_bytes(c.memory_limit);
  const auto overrides = parse_overrides(c.sets);
  const Scenario scenario = load_scenario_file(c.scenario, overrides);
  const ProtocolBinding* binding = find_protocol(scenario.protocol);
  check_memory(scenario, *binding, memory_limit);
  check_new_output(c.out, c.force, "--out");
  check_new_output(c.per_seed, c.force, "--per-seed");
  const std::string scenario_hash = c.out.empty() ? "" : scenario_content_hash(c.scenario);
  const unsigned jobs = c.jobs ? c.jobs : usable_cpus();
  if (shard && shard->source != "--shard")
    fmt::print(stderr, "faultline: shard {}/{} (seeds {}..{} of {}..{}) from {}\n", shard->index, shard->count, first,
               last, sweep_first, sweep_last, shard->source);

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

  SweepRecord record;
  record.faultline_version = kFaultlineVersion;
  record.scenario = scenario.name;
  record.path = c.scenario;
  record.protocol = scenario.protocol;
  record.scenario_hash = scenario_hash;
  record.overrides = c.sets;
  record.first_seed = sweep_first;
  record.last_seed = sweep_last;
  if (shard) {
    record.shard_index = shard->index;
    record.shard_count = shard->count;
  }
  record.shard_first = first;
  record.shard_last = first + r.runs.size() - 1;  // all of first..last unless stopped
  record.runs = r.runs.size();
  for (auto s : r.failed_seeds) record.failed.push_back({s, failure_reasons(r.runs[s - first])});
  record.metrics = r.digests;

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
    fmt::print("sweep      {} ({}), seeds {}..{}{}, {} jobs, {:.2f} s wall\n", scenario.name, c.scenario, first, last,
               shard ? fmt::format(" (shard {}/{} of {}..{})", shard->index, shard->count, sweep_first, sweep_last)
                     : "",
               jobs, r.wall_seconds);
    fmt::print("{}", sweep_summary_text(record));
    if (r.stopped) fmt::print("{}\n", interrupted);
  }
  if (r.stopped) {
    // A record of part of the shard would pass for another shard: --out and
    // --per-seed are not written (an old file is kept).
    fmt::print(stderr, "faultline: sweep {}{}\n", interrupted,
               c.out.empty() && c.per_seed.empty() ? "" : "; --out and --per-seed were not written");
    return interrupted_exit_code(interrupt_signal());
  }
  if (!c.per_seed.empty()) write_output(c.per_seed, c.force, "--per-seed", per_seed_lines(r.runs));
  if (!c.out.empty()) write_output(c.out, c.force, "--out", sweep_record_json(record));
  return r.failed_seeds.empty() ? 0 : 1;
}

}  // namespace faultline
