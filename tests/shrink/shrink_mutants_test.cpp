// `faultline shrink` on the project's own mutants: for every Raft and Paxos
// mutant, its first failing seed (docs/protocols.md) shrinks to a scenario of
// at most a handful of faults that, loaded from the YAML written and run with
// the seed written in it (the original one, or another when the same seed
// needed more faults), breaks the same invariant, and is no larger than the input.
#include <doctest/doctest.h>

#include <chrono>

#include <fmt/format.h>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/shrink/shrinker.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;

namespace {

struct Shrunk {
  ShrinkResult result;
  Scenario scenario;  // loaded back from result.yaml
  RunResult run;      // of that scenario with the seed
};

Shrunk shrink_shipped(const std::string& path, std::uint64_t seed, const std::vector<std::string>& sets,
                      std::uint64_t max_runs) {
  const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/" + path;
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(parse_override(s));
  ShrinkOptions options;
  options.seed = seed;
  options.budget = std::chrono::hours(1);  // bounded by runs, not by the clock
  options.max_runs = max_runs;
  Shrunk out{shrink_scenario(read_scenario_file(file), file, overrides, options), {}, {}};
  out.scenario = load_scenario_text(out.result.yaml, "shrunk.yaml");
  RunOptions o;
  o.seed = out.scenario.seed;  // the seed the YAML carries
  out.run = find_protocol(out.scenario.protocol)->run(out.scenario, o);
  return out;
}

}  // namespace

TEST_CASE("every Raft and Paxos mutant's first failing seed shrinks to a handful of faults that still fail" *
          doctest::test_suite("long")) {
  struct Case {
    const char* scenario;
    std::uint64_t seed;
    std::vector<std::string> sets;
    const char* invariant;
    std::size_t max_faults = 5;  // a handful
    bool runs_out = false;       // stopped by max_runs with this many faults, not done
    std::uint64_t max_runs = 400;
  };
  // Fifteen end with a handful of faults (the runs are deterministic, so
  // these figures are exact). multipaxos accept_below_promise reaches 2
  // (seed 5) within 200 runs (6 at 100). paxos acceptor_not_persisted reaches 4
  // only through step 9: the scenario, nemesis and all, on 3 nodes
  // (`proposers` lowered with them), shrunk again (3,810 runs, 2 s CPU); on
  // 5 nodes it stops at 7. Two do not:
  // - figure8 stops at 17 faults (77 before) at 2,000 runs, in step 9 (3 nodes
  //   fail on seed 21 but shrink to 17 too): its crashes of the leader are
  //   written `crash: {nodes: [leader], for: D}` and its isolations
  //   `isolate: [leader]`, so they keep hitting whoever leads as other
  //   entries go; the 17 left are 1-minimal on seed 18 and the next seven.
  //   (22 with crashes naming their node; 68 with isolations too.)
  // - config_before_term_commit (346 -> 276, stopped by 400 runs) needs a
  //   schedule so rare that removing almost any unit loses the failure on
  //   the same seed (docs/shrinking.md).
  const Case cases[] = {
      {"raft/nemesis.yaml", 1, {"params.mutant=no_election_restriction"}, "leader_completeness"},
      {"raft/churn.yaml", 1, {"params.mutant=vote_not_persisted"}, "term_monotonic"},
      {"raft/churn.yaml", 1, {"params.mutant=ack_before_sync"}, "applied_entry_lost"},
      {"raft/churn.yaml", 6, {"params.mutant=up_to_date_index_only"}, "leader_completeness"},
      {"raft/leader_churn_quiet.yaml", 18, {"params.mutant=figure8"}, "leader_completeness", 17, true, 2000},
      {"raft/nemesis.yaml", 1, {"params.mutant=commit_without_quorum"}, ""},
      {"raft/churn.yaml", 1, {"params.mutant=skip_consistency_check"}, "state_machine_safety"},
      {"raft/membership_churn.yaml", 44, {"params.mutant=config_before_term_commit"}, "leader_completeness", 276, true},
      {"raft/nemesis.yaml", 2, {"params.read_index=true", "params.mutant=read_without_confirmation"}, "linearizability"},
      {"raft/loss_5pct.yaml", 1, {"params.mutant=truncate_without_conflict"}, "committed_entry_kept"},
      {"paxos/crashes_and_loss.yaml", 58, {"params.mutant=accept_below_promise"}, "agreement"},
      {"paxos/crashes_and_loss.yaml", 1, {"params.mutant=ignore_accepted_values"}, "agreement"},
      {"paxos/crashes_and_loss.yaml", 6, {"params.mutant=acceptor_not_persisted"}, "agreement", 5, false, 4000},
      {"multipaxos/churn.yaml", 2, {"params.mutant=accept_below_promise"}, "", 5, true, 200},
      {"multipaxos/churn.yaml", 1, {"params.mutant=acceptor_not_persisted"}, ""},
      {"multipaxos/churn.yaml", 1, {"params.mutant=noop_fill_without_collect"}, "agreement"},
      {"multipaxos/churn.yaml", 1, {"params.mutant=forget_on_promise"}, "chosen_value_kept"},
  };
  for (const auto& c : cases) {
    const std::string scenario = c.scenario;
    CAPTURE(scenario);
    CAPTURE(c.seed);
    CAPTURE(c.sets.back());
    const Shrunk s = shrink_shipped(c.scenario, c.seed, c.sets, c.max_runs);
    const ShrinkResult& r = s.result;
    MESSAGE(fmt::format("{} {}: faults {} -> {}, seed {} -> {}, events {} -> {}, virtual {:.3f}s -> {:.3f}s, runs {}, {:.1f}s wall{}",
                        c.scenario, c.sets.back(), r.before.faults, r.after.faults, r.original_seed, r.seed,
                        r.before.events, r.after.events, r.before.virtual_time / 1e9, r.after.virtual_time / 1e9, r.runs,
                        r.wall_seconds, r.stopped_by.empty() ? "" : " stopped by " + r.stopped_by));
    if (*c.invariant) CHECK(r.invariant == c.invariant);
    // The nemesis replayed as a timeline fails exactly as the nemesis did.
    CHECK(r.materialized_violation.invariant == r.before_violation.invariant);
    CHECK(r.materialized_violation.time == r.before_violation.time);
    CHECK(r.materialized_violation.node == r.before_violation.node);
    CHECK(r.materialized_violation.message == r.before_violation.message);
    // The YAML written fails the same way, and is what the report says.
    CHECK(s.scenario.seed == r.seed);
    CHECK(r.original_seed == c.seed);
    REQUIRE(!s.run.violations.empty());
    CHECK(s.run.violations.front().invariant == r.invariant);
    CHECK(s.run.violations.front().message == r.after_violation.message);
    CHECK(s.run.events == r.after.events);
    CHECK(s.scenario.nemesis.empty());
    CHECK(s.scenario.faults.size() == r.after.faults);
    CHECK(s.scenario.node_count() == r.after.nodes);
    CHECK(s.scenario.duration == r.after.duration);
    // A handful of faults, and nothing larger than the input.
    CHECK(r.after.faults <= c.max_faults);
    CHECK(r.stopped_by == (c.runs_out ? "max_runs" : ""));
    CHECK(r.after.faults <= r.before.faults);
    CHECK(r.after.nodes <= r.before.nodes);
    CHECK(r.after.clients <= r.before.clients);
    CHECK(r.after.rate_per_s <= r.before.rate_per_s);
    CHECK(r.after.duration <= r.before.duration);
    CHECK(r.after.virtual_time <= r.after.duration);
  }
}

TEST_CASE("shrink refuses a run that breaks no invariant") {
  const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/raft/nemesis.yaml";
  ShrinkOptions options;
  options.seed = 1;
  CHECK_THROWS_WITH_AS(shrink_scenario(read_scenario_file(file), file, {}, options),
                       doctest::Contains("breaks no invariant, so there is nothing to shrink"), ScenarioError);
}

TEST_CASE("shrink stops at --max-runs with the best scenario found so far, which still fails") {
  const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/raft/churn.yaml";
  ShrinkOptions options;
  options.seed = 1;
  options.max_runs = 6;
  const ShrinkResult r =
      shrink_scenario(read_scenario_file(file), file, {parse_override("params.mutant=vote_not_persisted")}, options);
  CHECK(r.stopped_by == "max_runs");
  CHECK(r.runs == 6);  // the original, step 1 and four candidates
  CHECK(r.after.faults <= r.before.faults);
  const Scenario s = load_scenario_text(r.yaml, "shrunk.yaml");
  RunOptions o;
  o.seed = 1;
  const RunResult run = find_protocol(s.protocol)->run(s, o);
  REQUIRE(!run.violations.empty());
  CHECK(run.violations.front().invariant == "term_monotonic");
}

TEST_CASE("shrink stops at its --budget with the best found so far (here step 1's timeline), which still fails") {
  const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/raft/churn.yaml";
  ShrinkOptions options;
  options.seed = 1;
  options.budget = std::chrono::nanoseconds(1);  // spent before the first candidate; the original run and step 1 are always made
  const ShrinkResult r =
      shrink_scenario(read_scenario_file(file), file, {parse_override("params.mutant=vote_not_persisted")}, options);
  CHECK(r.stopped_by == "budget");
  CHECK(r.runs == 2);
  CHECK(r.seed == 1);
  CHECK(r.after.faults == r.before.faults);
  CHECK(r.after_violation.message == r.before_violation.message);
  const Scenario s = load_scenario_text(r.yaml, "shrunk.yaml");
  CHECK(s.nemesis.empty());
  RunOptions o;
  o.seed = s.seed;
  const RunResult run = find_protocol(s.protocol)->run(s, o);
  REQUIRE(!run.violations.empty());
  CHECK(run.violations.front().message == r.before_violation.message);
}
