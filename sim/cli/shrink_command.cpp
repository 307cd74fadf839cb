// `faultline shrink`: a failing seed to a smaller scenario that fails the same
// way (sim/shrink/shrinker.hpp), written atomically, with a one-screen report.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/io/interrupts.hpp"
#include "sim/io/output_file.hpp"
#include "sim/run/result_report.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/yaml_section.hpp"
#include "sim/shrink/shrinker.hpp"

namespace faultline {

std::vector<Override> parse_overrides(const std::vector<std::string>& sets);

namespace {

std::string seconds(Time t) { return fmt::format("{:.3f}s", static_cast<double>(t) / 1e9); }

std::string default_output(const std::string& scenario, std::uint64_t seed) {
  return fmt::format("{}-seed{}-shrunk.yaml", std::filesystem::path(scenario).stem().string(), seed);
}

}  // namespace

int shrink_command(const ShrinkCommand& c) {
  // All the input is checked before the first run.
  const auto budget = parse_duration(c.budget);
  if (!budget || *budget <= 0)
    throw ScenarioError({"--budget", 0, 0}, "",
                        fmt::format("expected a wall-clock time above zero, e.g. 60s or 5m, got '{}'", c.budget));
  const auto overrides = parse_overrides(c.sets);
  const std::string text = read_scenario_file(c.scenario);
  const Scenario scenario = load_scenario_text(text, c.scenario, overrides);
  const std::uint64_t seed = c.seed_given ? c.seed : scenario.seed;
  const std::string output = c.output.empty() ? default_output(c.scenario, seed) : c.output;
  if (output_target(output) != OutputTarget::kAbsent && !c.force)
    throw ScenarioError({"-o", 0, 0}, "",
                        fmt::format("'{}' exists; shrink does not replace a file without --force", output));
  check_output_target(output, c.force, "-o");

  ShrinkOptions options;
  options.seed = seed;
  options.budget = std::chrono::nanoseconds(*budget);
  options.max_runs = c.max_runs;
  options.seeds_per_candidate = c.seeds_per_candidate;
  const bool terminal = isatty(STDERR_FILENO);
  if (!c.quiet)
    options.progress = [terminal](std::string_view line) {
      fmt::print(stderr, "{}{}{}", terminal ? "\r\033[K" : "", line, terminal ? "" : "\n");
    };
  ShrinkResult r;
  {
    GracefulInterrupts graceful;  // the first SIGINT/SIGTERM stops between runs; the best so far is written
    options.stop = interrupt_token();
    r = shrink_scenario(text, c.scenario, overrides, options);
  }
  if (!c.quiet && terminal) fmt::print(stderr, "\n");

  const std::string original = reproduce_command(c.scenario, seed, overrides);
  const std::string replay = fmt::format("faultline run {} --seed {}", output, r.seed);
  const std::string seed_note =
      r.seed == seed ? "" : fmt::format(" (not {}: no smaller scenario was found that fails with the original seed)", seed);
  std::string header = fmt::format(
      "Shrunk by faultline shrink from:\n  {}\nwhich breaks {} ({} at {}).\nThis scenario breaks it too with seed {}{}; "
      "replay with:\n  {}",
      original, r.invariant, r.before_violation.node.empty() ? "across nodes" : r.before_violation.node,
      seconds(r.before_violation.time), r.seed, seed_note, replay);
  std::string yaml;
  for (std::size_t start = 0; start < header.size();) {
    const auto end = std::min(header.find('\n', start), header.size());
    yaml += "# " + header.substr(start, end - start) + "\n";
    start = end + 1;
  }
  yaml += r.yaml;
  OutputFile out;
  out.open(output, c.force, "-o");
  out.write(yaml.data(), yaml.size());
  out.commit();

  const auto& b = r.before;
  const auto& a = r.after;
  fmt::print("shrunk     {}\n", original);
  fmt::print("fails with {} (before: {} at {}; after: {} at {})\n", r.invariant,
             r.before_violation.node.empty() ? "-" : r.before_violation.node, seconds(r.before_violation.time),
             r.after_violation.node.empty() ? "-" : r.after_violation.node, seconds(r.after_violation.time));
  fmt::print("{:<14} {:>12} {:>12}\n", "", "before", "after");
  fmt::print("{:<14} {:>12} {:>12}{}\n", "seed", seed, r.seed, r.seed == seed ? "" : "  (changed: the original seed fails only with more faults)");
  fmt::print("{:<14} {:>12} {:>12}\n", "faults", b.faults, a.faults);
  fmt::print("{:<14} {:>12} {:>12}\n", "nemeses", b.nemeses, a.nemeses);
  fmt::print("{:<14} {:>12} {:>12}\n", "nodes", b.nodes, a.nodes);
  fmt::print("{:<14} {:>12} {:>12}\n", "clients", b.clients, a.clients);
  fmt::print("{:<14} {:>12} {:>12}\n", "rate (req/s)", b.rate_per_s, a.rate_per_s);
  fmt::print("{:<14} {:>12} {:>12}\n", "duration", seconds(b.duration), seconds(a.duration));
  fmt::print("{:<14} {:>12} {:>12}\n", "events", b.events, a.events);
  fmt::print("{:<14} {:>12} {:>12}\n", "virtual time", seconds(b.virtual_time), seconds(a.virtual_time));
  fmt::print("runs tried {}, {:.1f} s wall{}\n", r.runs, r.wall_seconds,
             r.stopped_by.empty() ? "" : fmt::format(" (stopped by {}: the best found so far)", r.stopped_by == "interrupt" ? signal_name(interrupt_signal()) : r.stopped_by == "budget" ? "the --budget" : "--max-runs"));
  fmt::print("wrote      {}\n", output);
  fmt::print("replay     {}\n", replay);
  if (r.stopped_by == "interrupt") return interrupted_exit_code(interrupt_signal());
  return 0;
}

}  // namespace faultline
