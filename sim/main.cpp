// faultline: run YAML failure scenarios against distributed protocols on a
// deterministic simulated network.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>

#include <unistd.h>

#include "sim/cli/commands.hpp"
#include "sim/cli/option_checks.hpp"
#include "sim/io/interrupts.hpp"
#include "sim/io/output_file.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_error.hpp"

namespace {

constexpr const char* kMemoryLimitHelp =
    "Refuse a scenario whose run is estimated to need more memory than this (default 8GiB; e.g. 32GiB, 512MiB)";

std::string protocols_help() {
  std::string out = "Protocols:\n";
  for (const auto& name : faultline::protocol_names())
    out += fmt::format("  {:<11} {}\n", name, faultline::find_protocol(name)->summary);
  return out;
}

constexpr int kExitOutputError = 5;

// After the command: makes sure everything it printed reached standard
// output: a full disk must not pass for success. A command
// that succeeded or found a failing run (0, 1) exits 5 instead, with the
// reason on stderr; a worse code is kept.
int with_stdout_checked(int code) {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0 && !std::ferror(stdout);
  const int flush_error = errno;
  const bool closed = std::fclose(stdout) == 0;
  if (flushed && closed) return code;
  const int reason = !flushed && flush_error != 0 ? flush_error : errno;
  fmt::print(stderr, "error: cannot write to standard output: {}\n",
             reason != 0 ? std::strerror(reason) : "a write failed (the system gave no reason)");
  return code <= 1 ? kExitOutputError : code;
}

}  // namespace

static int faultline_main(int argc, char** argv) {
  using namespace faultline;
  CLI::App app{
      "faultline: a deterministic discrete-event simulator for distributed protocols.\n"
      "A scenario (YAML) names a protocol, a network, faults and expectations; a seed fixes\n"
      "every random choice, so the same scenario and seed always give the same run."};
  app.require_subcommand(1);
  app.footer(protocols_help() +
             "\nExamples:\n"
             "  faultline run scenarios/heartbeat/crash_detection.yaml\n"
             "  faultline run scenarios/heartbeat/crash_detection.yaml --seed 7 --set network.loss=0.05 --json\n"
             "  faultline sweep scenarios/heartbeat/nemesis.yaml --seeds 1..200 --jobs 2\n"
             "  faultline sweep scenarios/raft/leader_crash.yaml --seeds 1..1000 --shard 0/4 --out s0.json\n"
             "  faultline merge s0.json s1.json s2.json s3.json -o all.json\n"
             "  faultline swarm scenarios/raft/nemesis.yaml --seeds 1..500 --until-failure\n"
             "  faultline compare scenarios/compare/leader_crash.yaml --protocols raft,multipaxos --seeds 1..20\n"
             "  faultline shrink scenarios/raft/churn.yaml --seed 1 --set params.mutant=vote_not_persisted -o small.yaml\n"
             "  faultline validate scenarios/*/*.yaml\n"
             "  faultline run scenarios/raft/nemesis.yaml --set params.mutant=no_election_restriction --html out/run.html\n"
             "  faultline view out/raft.jsonl -o out/raft.html --chrome-trace out/raft.perfetto.json\n"
             "  faultline bench engine --json\n"
             "\nExit codes (docs/exit-codes.md):\n"
             "  0    every expectation held and no invariant broke\n"
             "  1    a run failed (the reproduce command is printed)\n"
             "  2    bad input: the file, line and key are named\n"
             "  3    internal error: a bug in faultline or a protocol (please report it)\n"
             "  4    out of memory during a run\n"
             "  5    an output could not be written (--trace, --history, standard output); the\n"
             "       path and the reason are named, no partial file is left, an old file is kept\n"
             "  6    a run failed liveness only: no invariant broke, progress stopped after the\n"
             "       faults healed (swarm mode's liveness phase)\n"
             "  130  interrupted by SIGINT, 143 by SIGTERM (a sweep or compare prints the\n"
             "       seeds that completed first; a second signal abandons the runs in progress)\n"
             "--trace and --history replace a regular file (a note on stderr says so) and refuse\n"
             "anything else (a symlink, a device, a FIFO) unless --force; --html, --chrome-trace and\n"
             "view's outputs never replace an existing file unless --force (docs/viewer.md).\n"
             "Scenario format: docs/scenario-format.md. Trace format: docs/trace-format.md.");

  RunCommand run;
  auto* run_cmd = app.add_subcommand("run", "Run one scenario with one seed and print a summary (or --json).");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (YAML)")->required();
  run_cmd->add_option("--seed", run.seed, "Master seed (default: the scenario's `seed`, else 1)")
      ->check(whole_number(0, UINT64_MAX, "a seed"));
  run_cmd->add_option("--set", run.sets, "Override a scenario key: --set network.loss=0.05 (repeatable)");
  run_cmd->add_option("--trace", run.trace_path, "Write the trace (JSON Lines) to this file");
  run_cmd->add_option("--trace-level", run.trace_level, "What the trace file keeps: faults, protocol, messages, all")
      ->capture_default_str();
  run_cmd->add_option("--history", run.history_path,
                      "Write the client history (CSV: client, op, key, invoked_ns, completed_ns) to this file");
  run_cmd->add_flag("--json", run.json, "Print exactly one JSON object instead of the summary");
  run_cmd->add_option("--memory-limit", run.memory_limit, kMemoryLimitHelp);
  run_cmd->add_option("--html", run.html_path, "Write the run's space-time viewer (one offline HTML file) here");
  run_cmd->add_option("--chrome-trace", run.chrome_trace_path,
                      "Write the run as Chrome Trace Event JSON (for ui.perfetto.dev) here");
  run_cmd->add_flag("--force", run.force,
                    "Write --trace/--history even where PATH is not a regular file: through a symlink to its "
                    "target, into a device or FIFO (never replacing it); let --html/--chrome-trace replace a file");
  run_cmd->footer(
      "A run estimated at up to 64 MiB, or one whose memory is mostly a client workload's history, takes its\n"
      "heap in 2 MiB pages where the system offers them (far fewer page faults; peak memory rounds up: a\n"
      "page or two for a small run, about 15% for an hour of Raft). FAULTLINE_HUGE_PAGES=off in the\n"
      "environment turns that off; the run itself is the same either way.");

  SweepCommand sweep;
  auto* sweep_cmd = app.add_subcommand("sweep", "Run a scenario over many seeds in parallel and aggregate metrics.");
  sweep_cmd->add_option("scenario", sweep.scenario, "Scenario file (YAML)")->required();
  sweep_cmd->add_option("--seeds", sweep.seeds, "Seed range A..B (inclusive)")->capture_default_str();
  sweep_cmd->add_option("--jobs,-j", sweep.jobs, "Parallel runs (default: one per CPU this process may use)");
  sweep_cmd->add_option("--set", sweep.sets, "Override a scenario key (repeatable)");
  sweep_cmd->add_flag("--json", sweep.json, "Print one JSON object: runs, failed_seeds, metrics, seeds");
  sweep_cmd->add_flag("--quiet,-q", sweep.quiet, "No progress line on the terminal");
  sweep_cmd->add_option("--memory-limit", sweep.memory_limit, kMemoryLimitHelp);
  sweep_cmd->add_flag("--progress", sweep.progress, "Progress lines on stderr even when it is not a terminal");
  sweep_cmd->add_option("--shard", sweep.shard,
                        "Run only shard K of N (K from 0): a fixed block of the seeds; default from a Slurm array "
                        "task or JOB_COMPLETION_INDEX/FAULTLINE_SHARD_COUNT (docs/cluster.md)");
  sweep_cmd->add_option("--out", sweep.out, "Write the result record for `faultline merge` (JSON) to this file");
  sweep_cmd->add_option("--per-seed", sweep.per_seed, "Write one JSON line per seed (ok, trace hash, metrics)");
  sweep_cmd->add_flag("--force", sweep.force, "Replace an existing --out/--per-seed file");

  MergeCommand merge;
  auto* merge_cmd = app.add_subcommand(
      "merge", "Combine the --out records of a sharded sweep; print the one-machine sweep's summary.");
  merge_cmd->add_option("shards", merge.shards, "Shard result files (sweep --shard K/N --out FILE)")->required();
  merge_cmd->add_option("-o,--out", merge.out, "Write the merged record (the same bytes as a one-machine sweep --out)");
  merge_cmd->add_flag("--force", merge.force, "Replace an existing -o file");

  SwarmCommand swarm;
  auto* swarm_cmd = app.add_subcommand(
      "swarm", "Swarm testing: every seed also draws the faults, timeouts, network and load (docs/swarm.md).");
  swarm_cmd->add_option("scenario", swarm.scenario, "Scenario file (YAML)")->required();
  swarm_cmd->add_option("--seeds", swarm.seeds, "Seed range A..B (inclusive)")->capture_default_str();
  swarm_cmd->add_option("--jobs,-j", swarm.jobs, "Parallel runs (default: one per core)");
  swarm_cmd->add_option("--set", swarm.sets, "Override a scenario key (repeatable), before the draws");
  swarm_cmd->add_flag("--until-failure", swarm.until_failure, "Stop at the first failing seed");
  swarm_cmd->add_flag("--safety-only", swarm.safety_only,
                      "With --until-failure: stop at the first seed that breaks an invariant, run on past liveness failures");
  swarm_cmd->add_flag("--quiet,-q", swarm.quiet, "No progress line on the terminal");
  swarm_cmd->add_option("--memory-limit", swarm.memory_limit, kMemoryLimitHelp);
  swarm_cmd->add_flag("--progress", swarm.progress, "Progress lines on stderr even when it is not a terminal");

  CompareCommand compare;
  auto* compare_cmd = app.add_subcommand(
      "compare", "Run one scenario on several protocols with the same seeds, workload and faults; print a table.");
  compare_cmd->add_option("scenario", compare.scenario, "Scenario file (YAML); its `protocol` is replaced")->required();
  compare_cmd->add_option("--protocols", compare.protocols, "Comma-separated protocols with clients")
      ->capture_default_str();
  compare_cmd->add_option("--seeds", compare.seeds, "Seed range A..B (inclusive), the same for every protocol")
      ->capture_default_str();
  compare_cmd->add_option("--jobs,-j", compare.jobs, "Parallel runs (default: one per core)");
  compare_cmd->add_option("--set", compare.sets, "Override a scenario key for every protocol (repeatable)");
  compare_cmd->add_flag("--json", compare.json, "Print one JSON object: per protocol, failed seeds and the table");
  compare_cmd->add_flag("--quiet,-q", compare.quiet, "No progress line on the terminal");
  compare_cmd->add_option("--memory-limit", compare.memory_limit, kMemoryLimitHelp);
  compare_cmd->add_flag("--progress", compare.progress, "Progress lines on stderr even when it is not a terminal");

  ShrinkCommand shrink;
  auto* shrink_cmd = app.add_subcommand(
      "shrink", "From a seed that breaks an invariant, write a smaller scenario that breaks it the same way.");
  shrink_cmd->add_option("scenario", shrink.scenario, "Scenario file (YAML)")->required();
  shrink_cmd->add_option("--seed", shrink.seed, "The failing seed (default: the scenario's `seed`, else 1)")
      ->check(whole_number(0, UINT64_MAX, "a seed"));
  shrink_cmd->add_option("--set", shrink.sets, "Override a scenario key (repeatable); written into the output");
  shrink_cmd->add_option("-o,--output", shrink.output, "Where to write the shrunk scenario (default: SCENARIO-seedN-shrunk.yaml)");
  shrink_cmd->add_option("--budget", shrink.budget, "Wall-clock time to spend; then the best found so far is written")
      ->capture_default_str();
  shrink_cmd->add_option("--max-runs", shrink.max_runs, "Stop after this many runs (0: no limit)")
      ->check(whole_number(0, UINT64_MAX, "a number of runs"));
  shrink_cmd->add_option("--seeds-per-candidate", shrink.seeds_per_candidate,
                         "When the same seed leaves more than 5 faults, try each candidate on up to this many seeds "
                         "(1: never change the seed)")
      ->capture_default_str()
      ->check(whole_number(1, 1000, "a number of seeds"));
  shrink_cmd->add_flag("--force", shrink.force, "Replace the output file if it exists");
  shrink_cmd->add_flag("--quiet,-q", shrink.quiet, "No progress lines on stderr");

  std::vector<std::string> validate_files, validate_sets;
  std::string validate_memory_limit;
  auto* validate_cmd = app.add_subcommand("validate", "Check scenario files without running them.");
  validate_cmd->add_option("scenarios", validate_files, "Scenario files")->required();
  validate_cmd->add_option("--set", validate_sets, "Override a scenario key (repeatable)");
  validate_cmd->add_option("--memory-limit", validate_memory_limit, kMemoryLimitHelp);

  ViewCommand view;
  auto* view_cmd = app.add_subcommand("view", "Make the space-time viewer (HTML) or a Chrome trace of a trace file.");
  view_cmd->add_option("trace", view.trace, "Trace file (JSON Lines, from run --trace)")->required();
  view_cmd->add_option("-o,--output", view.html_path, "Write the viewer page (one offline HTML file) here");
  view_cmd->add_option("--chrome-trace", view.chrome_trace_path, "Write Chrome Trace Event JSON (for ui.perfetto.dev)");
  view_cmd->add_flag("--force", view.force, "Replace output files that exist");

  BenchCommand bench;
  auto* bench_cmd = app.add_subcommand("bench", "Measure the engine: hold model and network ping-pong.");
  bench_cmd->add_option("what", bench.what, "What to measure: engine")->capture_default_str();
  bench_cmd->add_flag("--json", bench.json, "Print one JSON object");
  bench_cmd->add_option("--events", bench.hold_events, "Events per hold measurement")
      ->capture_default_str()
      ->check(whole_number(1, kMaxBenchEvents, "a number of events"));
  bench_cmd->add_option("--seed", bench.seed, "Seed")->capture_default_str()->check(whole_number(0, UINT64_MAX, "a seed"));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  // Before any thread starts: SIGINT and SIGTERM are handled by one thread.
  watch_interrupts();
  try {
    if (run_cmd->parsed()) {
      run.seed_given = run_cmd->count("--seed") > 0;
      return run_command(run);
    }
    if (sweep_cmd->parsed()) return sweep_command(sweep);
    if (merge_cmd->parsed()) return merge_command(merge);
    if (compare_cmd->parsed()) return compare_command(compare);
    if (shrink_cmd->parsed()) {
      shrink.seed_given = shrink_cmd->count("--seed") > 0;
      return shrink_command(shrink);
    }
    if (swarm_cmd->parsed()) return swarm_command(swarm);
    if (validate_cmd->parsed()) return validate_command(validate_files, validate_sets, validate_memory_limit);
    if (bench_cmd->parsed()) return bench_command(bench);
    if (view_cmd->parsed()) return view_command(view);
  } catch (const OutputError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kExitOutputError;
  } catch (const ScenarioError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    // Not bad input: the scenario passed the memory estimate (--memory-limit)
    // and the machine still ran out, or the estimate is wrong for it.
    fmt::print(stderr,
               "error: out of memory: the run needed more memory than this machine could give it (the scenario "
               "passed the memory estimate; try fewer nodes, keys or clients, fewer --jobs, or a machine with more "
               "memory)\n");
    return 4;
  } catch (const std::logic_error& e) {
    // A bug in a protocol or in faultline itself: say so loudly.
    fmt::print(stderr, "internal error (a bug, please report it with the command line): {}\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 2;
}

int main(int argc, char** argv) {
  // Not a terminal: buffer the whole report (up to 1 MiB), so that a failed
  // write happens in with_stdout_checked's flush, where its reason (errno) is
  // known. A longer output that fails earlier still exits 5.
  static char stdout_buffer[1 << 20];
  if (!isatty(fileno(stdout))) std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
  return with_stdout_checked(faultline_main(argc, argv));
}
