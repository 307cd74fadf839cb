#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/io/output_file.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/run/huge_page_heap.hpp"
#include "sim/run/memory_estimate.hpp"
#include "sim/run/result_report.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/view/view_outputs.hpp"

namespace faultline {

TraceLevel parse_trace_level(const std::string& text) {
  if (text == "faults") return TraceLevel::kFaults;
  if (text == "protocol") return TraceLevel::kProtocol;
  if (text == "messages") return TraceLevel::kMessages;
  if (text == "all") return TraceLevel::kAll;
  throw ScenarioError({"--trace-level", 0, 0}, "--trace-level",
                      fmt::format("expected faults, protocol, messages or all, got '{}'", text));
}

std::vector<Override> parse_overrides(const std::vector<std::string>& sets) {
  std::vector<Override> out;
  for (const auto& s : sets) out.push_back(parse_override(s));
  return out;
}

int run_command(const RunCommand& c) {
  // Everything that can be wrong with the input is found here, before the
  // run starts or any file is created.
  const TraceLevel level = parse_trace_level(c.trace_level);
  const std::uint64_t memory_limit = memory_limit_bytes(c.memory_limit);
  const auto overrides = parse_overrides(c.sets);
  const Scenario scenario = load_scenario_file(c.scenario, overrides);
  const ProtocolBinding* binding = find_protocol(scenario.protocol);
  const MemoryEstimate estimate = check_memory(scenario, *binding, memory_limit);
  back_heap_with_huge_pages(estimate.bytes, estimate.bytes_for("nodes"));
  if (!c.history_path.empty() && !scenario.workload)
    throw ScenarioError({"--history", 0, 0}, "--history",
                        fmt::format("{} has no workload, so there is no client history to write", c.scenario));

  // What is at the output paths is checked before the run too, so a refusal
  // (a device, a symlink, a directory) costs nothing; they are written only
  // when the run ends (sim/io/output_file.hpp).
  bool replaces_trace = false, replaces_history = false;
  if (!c.trace_path.empty()) {
    check_output_target(c.trace_path, c.force, "--trace");
    replaces_trace = output_target(c.trace_path) == OutputTarget::kRegular;
  }
  if (!c.history_path.empty()) {
    check_output_target(c.history_path, c.force, "--history");
    replaces_history = output_target(c.history_path) == OutputTarget::kRegular;
  }
  const view::ViewOutputs views{c.html_path, c.chrome_trace_path, c.force};
  view::check_view_outputs(views);
  // The views are made from the trace file: the user's, or one that lives
  // only as long as this run.
  std::optional<TemporaryTraceDir> view_trace_dir;
  if (views.any() && c.trace_path.empty()) view_trace_dir.emplace();

  RunOptions options;
  options.seed = c.seed_given ? c.seed : scenario.seed;
  options.trace_path = view_trace_dir ? view_trace_dir->trace_path() : c.trace_path;
  options.trace_level = level;
  options.history_path = c.history_path;
  options.force_output = c.force;
  const RunResult result = binding->run(scenario, options);
  if (replaces_trace) fmt::print(stderr, "note: --trace replaced the existing file '{}'\n", c.trace_path);
  if (replaces_history) fmt::print(stderr, "note: --history replaced the existing file '{}'\n", c.history_path);

  const std::string reproduce = reproduce_command(c.scenario, options.seed, overrides);
  if (views.any()) {
    auto lines = view::read_trace_file(options.trace_path);
    view::add_run_violations(lines, result.violations);
    const std::string title = fmt::format("{} · {} · seed {} · {}", result.scenario, result.protocol, options.seed,
                                          result.ok() ? "ok" : "FAILED");
    view::write_view_outputs(lines, title, views);
  }
  if (c.json) {
    fmt::print("{}\n", result_json(result, reproduce));
    if (!result.ok()) fmt::print(stderr, "run failed; reproduce with:\n  {}\n", reproduce);
  } else {
    fmt::print("{}", result_summary(result, reproduce));
  }
  return result.ok() ? 0 : result.failed_liveness_only() ? kLivenessExitCode : 1;
}

std::uint64_t memory_limit_bytes(const std::string& text) {
  return text.empty() ? kDefaultMemoryLimit : parse_memory_limit(text);
}

int validate_command(const std::vector<std::string>& files, const std::vector<std::string>& sets,
                     const std::string& memory_limit) {
  const std::uint64_t limit = memory_limit_bytes(memory_limit);
  const auto overrides = parse_overrides(sets);
  int status = 0;
  for (const auto& f : files) {
    try {
      const Scenario s = load_scenario_file(f, overrides);
      check_memory(s, *find_protocol(s.protocol), limit);
      fmt::print("{}: ok ({}, {} nodes, {} faults, {} nemeses, {} expectations)\n", f, s.protocol, s.node_count(),
                 s.faults.size(), s.nemesis.size(), s.expectations.size());
    } catch (const ScenarioError& e) {
      fmt::print(stderr, "{}\n", e.what());
      status = 2;
    }
  }
  return status;
}

}  // namespace faultline
