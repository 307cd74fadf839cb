// `faultline compare`: the same scenario (workload, network, fault schedule)
// and the same seeds, once per protocol, side by side.
//
// Each protocol's runs are a sweep of the scenario with `protocol` replaced;
// the nemesis and the workload draw from streams derived from the seed alone,
// so protocol A's seed 7 and protocol B's seed 7 face the same fault times
// and the same client requests (a leader-targeted fault follows whichever
// node leads in that protocol's run).
#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/run/memory_estimate.hpp"
#include "sim/io/interrupts.hpp"
#include "sim/json/json_writer.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/run/expectations.hpp"
#include "sim/run/result_report.hpp"
#include "sim/run/sweep.hpp"
#include "sim/run/usable_cpus.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

std::vector<Override> parse_overrides(const std::vector<std::string>& sets);

namespace {

enum class Stat { kP50, kMax, kMean };

struct Row {
  const char* label;
  const char* metric;
  Stat stat;
};

// What the table shows. Per-run figures (a run's p99, its longest gap) are
// summarised over seeds; per-event series (time to a new leader after each
// loss) over every event of every seed.
constexpr Row kRows[] = {
    {"commit latency p50 (median of runs)", "commit_latency_p50_ns", Stat::kP50},
    {"commit latency p99 (median of runs)", "commit_latency_p99_ns", Stat::kP50},
    {"commit latency max", "commit_latency_max_ns", Stat::kMax},
    {"throughput, ops/s (mean)", "throughput_ops_per_s", Stat::kMean},
    {"messages per commit (mean)", "messages_per_commit", Stat::kMean},
    {"bytes per commit (mean)", "bytes_per_commit", Stat::kMean},
    {"leader changes per run (mean)", "leader_changes", Stat::kMean},
    {"time to new leader p50", "time_to_leader_ns", Stat::kP50},
    {"time to new leader max", "time_to_leader_ns", Stat::kMax},
    {"no commits after leader loss p50", "unavailable_ns", Stat::kP50},
    {"no commits after leader loss max", "unavailable_ns", Stat::kMax},
    {"longest time without commits p50", "commit_gap_max_ns", Stat::kP50},
    {"longest time without commits max", "commit_gap_max_ns", Stat::kMax},
};

std::optional<double> value_of(const SweepResult& r, const Row& row) {
  auto it = r.metrics.find(row.metric);
  if (it == r.metrics.end() || it->second.count == 0) return std::nullopt;
  switch (row.stat) {
    case Stat::kP50: return it->second.p50;
    case Stat::kMax: return it->second.max;
    case Stat::kMean: return it->second.mean;
  }
  return std::nullopt;
}

std::string shown(const Row& row, std::optional<double> v) {
  if (!v) return "-";
  if (std::string_view(row.metric).ends_with("_ns")) return format_metric_value(row.metric, *v);
  return fmt::format("{:.1f}", *v);
}

std::vector<std::string> split_protocols(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) out.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int compare_command(const CompareCommand& c) {
  const auto [first, last] = parse_seed_range(c.seeds);
  const std::uint64_t memory_limit = memory_limit_bytes(c.memory_limit);
  std::vector<std::string> protocols = split_protocols(c.protocols);
  if (protocols.size() < 2)
    throw ScenarioError({"--protocols", 0, 0}, "--protocols",
                        fmt::format("expected at least two protocols, comma-separated (raft,multipaxos), got '{}'",
                                    c.protocols));
  // Load and validate every variant before running any, so a mistake costs nothing.
  std::vector<Scenario> scenarios;
  std::vector<std::vector<Override>> overrides;
  for (const auto& p : protocols) {
    const ProtocolBinding* b = find_protocol(p);
    if (!b || !b->has_clients) {
      std::string known;
      for (const auto& name : protocol_names())
        if (find_protocol(name)->has_clients) known += (known.empty() ? "" : ", ") + name;
      throw ScenarioError({"--protocols", 0, 0}, "--protocols",
                          fmt::format("'{}' is not a protocol with clients to compare; these are: {}", p, known));
    }
    auto o = parse_overrides(c.sets);
    o.push_back(parse_override("protocol=" + p));
    try {
      scenarios.push_back(load_scenario_file(c.scenario, o));
      check_memory(scenarios.back(), *b, memory_limit);
    } catch (const ScenarioError& e) {
      // Say which protocol the scenario did not fit: it may be fine for the others.
      throw ScenarioError(e.where(), e.key(), fmt::format("(running it as {}) {}", p, e.message()));
    }
    overrides.push_back(std::move(o));
  }
  const unsigned jobs = c.jobs ? c.jobs : usable_cpus();
  const bool terminal = isatty(STDERR_FILENO);
  const bool show_progress = c.progress || (!c.quiet && terminal);

  std::vector<SweepResult> results;
  {
    GracefulInterrupts graceful;  // the first SIGINT/SIGTERM stops handing out seeds
    for (std::size_t i = 0; i < protocols.size() && !interrupt_token().stop_requested(); ++i) {
      SweepProgress progress;
      if (show_progress)
        progress = [&, i](std::size_t done, std::size_t total, std::size_t failed) {
          fmt::print(stderr, "{}compare: {} {}/{} seeds, {} failed   {}", terminal ? "\r" : "", protocols[i], done,
                     total, failed, terminal && done < total ? "" : "\n");
        };
      results.push_back(
          run_sweep(scenarios[i], *find_protocol(protocols[i]), first, last, jobs, progress, interrupt_token()));
    }
  }
  // Interrupted: the table shows the protocols that started, the last one
  // over the seeds that ran.
  const bool stopped = results.size() < protocols.size() || results.back().stopped;
  std::string interrupted;
  if (stopped) {
    if (show_progress && terminal) fmt::print(stderr, "\n");
    std::string not_run;
    for (std::size_t i = results.size(); i < protocols.size(); ++i) not_run += (not_run.empty() ? "" : ", ") + protocols[i];
    interrupted = results.empty()
                      ? fmt::format("interrupted by {} before any run", signal_name(interrupt_signal()))
                      : fmt::format("interrupted by {} during {} after {} of {} seeds", signal_name(interrupt_signal()),
                                    protocols[results.size() - 1], results.back().runs.size(), last - first + 1);
    if (!not_run.empty()) interrupted += "; not run: " + not_run;
    protocols.resize(results.size());
  }
  const auto exit_code = [&](bool all_ok) {
    if (!stopped) return all_ok ? 0 : 1;
    fmt::print(stderr, "faultline: compare {}\n", interrupted);
    return interrupted_exit_code(interrupt_signal());
  };

  bool all_ok = true;
  for (const auto& r : results) all_ok = all_ok && r.failed_seeds.empty();

  if (c.json) {
    JsonWriter j;
    j.begin_object();
    j.key("scenario").value(scenarios[0].name);
    j.key("path").value(c.scenario);
    j.key("first_seed").value(first);
    j.key("last_seed").value(last);
    j.key("jobs").value(static_cast<std::uint64_t>(jobs));
    j.key("protocols").begin_object();
    for (std::size_t i = 0; i < protocols.size(); ++i) {
      const SweepResult& r = results[i];
      j.key(protocols[i]).begin_object();
      j.key("runs").value(static_cast<std::uint64_t>(r.runs.size()));
      j.key("failed_seeds").begin_array();
      for (auto s : r.failed_seeds) j.value(s);
      j.end_array();
      j.key("reproduce").begin_array();
      for (auto s : r.failed_seeds) j.value(reproduce_command(c.scenario, s, overrides[i]));
      j.end_array();
      j.key("table").begin_object();
      for (const Row& row : kRows) {
        j.key(row.label);
        if (auto v = value_of(r, row)) j.value(*v);
        else j.null();
      }
      j.end_object();
      j.key("wall_seconds").value(r.wall_seconds);
      j.end_object();
    }
    j.end_object();
    if (stopped) j.key("interrupted").value(signal_name(interrupt_signal()));
    j.end_object();
    fmt::print("{}\n", j.str());
    return exit_code(all_ok);
  }

  double wall = 0;
  for (const auto& r : results) wall += r.wall_seconds;
  fmt::print("compare    {} ({}), seeds {}..{}, {} jobs, {:.2f} s wall\n\n", scenarios[0].name, c.scenario, first, last,
             jobs, wall);
  fmt::print("{:<38}", "");
  for (const auto& p : protocols) fmt::print(" {:>12}", p);
  fmt::print("\n");
  for (const Row& row : kRows) {
    fmt::print("{:<38}", row.label);
    for (const auto& r : results) fmt::print(" {:>12}", shown(row, value_of(r, row)));
    fmt::print("\n");
  }
  fmt::print("{:<38}", "failed seeds");
  for (const auto& r : results) fmt::print(" {:>12}", fmt::format("{}/{}", r.failed_seeds.size(), r.runs.size()));
  fmt::print("\n");
  constexpr std::size_t kShownFailures = 5;
  for (std::size_t i = 0; i < protocols.size(); ++i) {
    const auto& failed = results[i].failed_seeds;
    if (failed.size() > kShownFailures)
      fmt::print("{}: {} failed seeds; the first {} (--json lists all):\n", protocols[i], failed.size(), kShownFailures);
    for (std::size_t k = 0; k < std::min(failed.size(), kShownFailures); ++k) {
      const auto s = failed[k];
      fmt::print("FAILED {} seed {}:{}\n  reproduce: {}\n", protocols[i], s, failure_reasons(results[i].runs[s - first]),
                 reproduce_command(c.scenario, s, overrides[i]));
    }
  }
  if (stopped) fmt::print("{}\n", interrupted);
  return exit_code(all_ok);
}

}  // namespace faultline
