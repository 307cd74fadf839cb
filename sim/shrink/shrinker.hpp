// Shrinking a failing run (`faultline shrink`): from a scenario and a seed
// whose run breaks a safety invariant, a smaller scenario and a seed (the
// same one when it can) whose run breaks the same invariant.
//
// The order of reductions (docs/shrinking.md):
//   1. materialize: the nemesis's actions in the failing run (recorded as
//      typed faults through RunOptions::nemesis_record) become an explicit
//      fault timeline and the nemesis goes; this candidate must reproduce
//      the failure, or nothing else is tried (the nemesis has its own random
//      stream, Stream::kNemesis, so nothing else the run draws changes); an
//      isolation the nemesis aimed at the leader is written `isolate: [leader]`
//      when that timeline fails exactly as the nemesis did;
//   2. end the run just after the failure (duration = violation time, to
//      the next millisecond; a failure found only at the end of the run, as
//      linearizability is, by bisecting the duration);
//      (a crash or pause it aimed at the leader, with its undo, is written
//      `crash: {nodes: [leader], for: D}`, likewise);
//   3a. named crashes, pauses and isolations (the leader's first) against
//      `leader`: a crash (pause) with `for`, else `isolate: [leader]` (+
//      heal), so they keep hitting whoever leads;
//   3b. every fault of a class at once (crashes, pauses, cuts, operator
//      requests, clock and disk faults, faults against `leader`);
//   3. ddmin over the timeline: a fault and the entry that undoes it (crash
//      and restart, pause and resume, a cut and the heal after it, add_server
//      and remove_server of one server) are one unit;
//   4. drop or bring forward each remaining undo (shorter partitions and downtimes);
//   5. fewer clients (none, then halving), a lower request rate (halving);
//   6. fewer nodes (`nodes: N` scenarios only; faults naming removed nodes go);
//   7. ddmin again with every entry a unit of its own;
//   then 2 to 7 again on what is left (three rounds at most), while the budget lasts;
//   8. when more than a handful of faults are left: 2 to 7 again with every
//      candidate tried on a few seeds (the best's, then the original + 1, ...),
//      so the output's seed may differ from the one given (ShrinkResult::seed);
//   9. still more than a handful: the scenario as given, nemesis and all, on
//      fewer nodes (`nodes: N` scenarios), shrunk again from step 1 when it
//      fails the same way; kept when it ends with fewer faults;
//   10. still more than a handful: sparser runs on other seeds (a subset of
//      the nemeses, fewer nodes, a run ended when they have struck a handful
//      of times on average); a failure with fewer faults is shrunk again
//      from step 1, kept when it ends with fewer faults.
// Every candidate is written as YAML, loaded back and run; it is kept only
// when its first violation names the same invariant. The
// scenario's expectations and expect_failure are left out (the failure kept
// is the invariant), and its --set overrides are written in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

struct ShrinkOptions {
  std::uint64_t seed = 1;
  // Wall time. A run under way when it expires is stopped (RunOptions::deadline)
  // and not kept; the original run and step 1 are never stopped by it.
  std::chrono::steady_clock::duration budget = std::chrono::seconds(60);
  std::uint64_t max_runs = 0;  // 0: no limit (tests bound the work by runs, not by the clock)
  std::stop_token stop;        // SIGINT: stop the run under way, keep the best found
  // The same-seed steps leave more faults than this: the steps run again with
  // every candidate tried on up to `seeds_per_candidate` seeds (the best's
  // seed, then the original seed + 1, + 2, ...) and kept with the first that
  // fails the same way, so the seed of the output may change.
  std::size_t handful = 5;
  std::uint32_t seeds_per_candidate = 8;  // 1: the seed never changes
  // Still more than a handful after that: the scenario, nemesis and all, on
  // 1, 2, ... nodes (`nodes: N` scenarios), on those seeds; the first that
  // fails the same way is shrunk again from step 1 (docs/shrinking.md, step 9).
  bool fewer_nodes_with_nemesis = true;
  // Still more than a handful after that: sparser runs of the scenario (a
  // subset of its nemeses, on 1, 2, ... nodes, ended when those nemeses have
  // struck `handful` times on average) on `research_seeds` seeds each after
  // the original; a failure with fewer faults is shrunk again from step 1
  // (docs/shrinking.md, step 10). 0 seeds: off.
  std::uint32_t research_seeds = 2500;
  // When step 10 may follow, steps 1 to 9 stop at half the budget and at this
  // many runs (0: max_runs); step 10 has the rest.
  std::uint64_t max_runs_before_sparser = 0;
  // Called after every run: what it tried, whether it kept it, the size now.
  std::function<void(std::string_view line)> progress;
};

// How big a scenario (and its failing run) is.
struct ShrinkSize {
  std::size_t faults = 0;   // timeline entries, plus nemesis actions taken before the failure
  std::size_t nemeses = 0;
  NodeId nodes = 0;
  std::uint32_t clients = 0;  // 0: no workload
  double rate_per_s = 0.0;
  Duration duration = 0;
  std::uint64_t events = 0;   // of the failing run
  Time virtual_time = 0;      // when the failing run stopped
};

struct ShrinkResult {
  std::string invariant;  // the checker that fails, before and after
  Violation before_violation, after_violation;
  Violation materialized_violation;  // of step 1: the nemesis replayed as a timeline, nothing else changed
  ShrinkSize before, after;
  std::string yaml;  // the shrunk scenario (its seed written in)
  std::uint64_t original_seed = 0;
  std::uint64_t seed = 0;  // of the output: differs from original_seed when a step needed another seed
  std::uint64_t runs = 0;  // runs made: the original run and every candidate on every seed tried
  double wall_seconds = 0.0;
  std::string stopped_by;  // "" (done), "budget", "max_runs" or "interrupt"
};

// Throws ScenarioError for bad input, and for a run that breaks no invariant
// (nothing to shrink). `file` names the scenario in messages and the header.
ShrinkResult shrink_scenario(std::string_view text, const std::string& file, const std::vector<Override>& overrides,
                             const ShrinkOptions& options);

}  // namespace faultline
