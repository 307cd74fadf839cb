// `faultline shrink` on the project's own mutants: for every Raft and Paxos
// mutant, its first failing seed (docs/protocols.md) shrinks to a scenario of
// at most a handful of faults that, loaded from the YAML written and run with
// the same seed, breaks the same invariant, and is no larger than the input.
#include <doctest/doctest.h>

#include <chrono>

#include "sim/protocol_registry.hpp"
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
  o.seed = seed;
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
    // At most this many faults after shrinking; 0: no more than before (see below).
    std::size_t max_faults = 5;
    std::uint64_t max_runs = 300;
  };
  // Three failures need a schedule rare enough (2 of 100 seeds, 7 of 600, 11
  // of 50) that removing almost any fault loses it: ddmin keeps most of the
  // timeline, and their runs are the longest, so they get fewer runs here.
  // Two need more than five: a ddmin-minimal timeline of three acceptor
  // crashes with restarts and a lone crash (paxos acceptor_not_persisted, 7),
  // and two restarts of one node and an isolation (multipaxos
  // accept_below_promise, 6); no one entry of either can go.
  const Case cases[] = {
      {"raft/nemesis.yaml", 1, {"params.mutant=no_election_restriction"}, "leader_completeness"},
      {"raft/churn.yaml", 1, {"params.mutant=vote_not_persisted"}, "term_monotonic"},
      {"raft/churn.yaml", 1, {"params.mutant=ack_before_sync"}, "applied_entry_lost"},
      {"raft/churn.yaml", 6, {"params.mutant=up_to_date_index_only"}, "leader_completeness"},
      {"raft/leader_churn_quiet.yaml", 18, {"params.mutant=figure8"}, "leader_completeness", 0, 100},
      {"raft/nemesis.yaml", 1, {"params.mutant=commit_without_quorum"}, ""},
      {"raft/churn.yaml", 1, {"params.mutant=skip_consistency_check"}, "state_machine_safety"},
      {"raft/membership_churn.yaml", 44, {"params.mutant=config_before_term_commit"}, "leader_completeness", 0, 20},
      {"raft/nemesis.yaml", 2, {"params.read_index=true", "params.mutant=read_without_confirmation"}, "linearizability", 0, 20},
      {"raft/loss_5pct.yaml", 1, {"params.mutant=truncate_without_conflict"}, "committed_entry_kept"},
      {"paxos/crashes_and_loss.yaml", 58, {"params.mutant=accept_below_promise"}, "agreement"},
      {"paxos/crashes_and_loss.yaml", 1, {"params.mutant=ignore_accepted_values"}, "agreement"},
      {"paxos/crashes_and_loss.yaml", 6, {"params.mutant=acceptor_not_persisted"}, "agreement", 7},
      {"multipaxos/churn.yaml", 2, {"params.mutant=accept_below_promise"}, "", 6},
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
    if (*c.invariant) CHECK(r.invariant == c.invariant);
    // The nemesis replayed as a timeline fails exactly as the nemesis did.
    CHECK(r.materialized_violation.invariant == r.before_violation.invariant);
    CHECK(r.materialized_violation.time == r.before_violation.time);
    CHECK(r.materialized_violation.node == r.before_violation.node);
    CHECK(r.materialized_violation.message == r.before_violation.message);
    // The YAML written fails the same way, and is what the report says.
    REQUIRE(!s.run.violations.empty());
    CHECK(s.run.violations.front().invariant == r.invariant);
    CHECK(s.run.events == r.after.events);
    CHECK(s.scenario.nemesis.empty());
    CHECK(s.scenario.faults.size() == r.after.faults);
    CHECK(s.scenario.node_count() == r.after.nodes);
    CHECK(s.scenario.duration == r.after.duration);
    // A handful of faults, and nothing larger than the input.
    if (c.max_faults > 0) {
      CHECK(r.after.faults <= c.max_faults);
      CHECK(r.stopped_by == "");  // it ran to the end
    }
    CHECK(r.after.faults <= r.before.faults);
    CHECK(r.after.nodes <= r.before.nodes);
    CHECK(r.after.clients <= r.before.clients);
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
  CHECK(r.runs == 7);  // six, and the check of the output
  CHECK(r.after.faults <= r.before.faults);
  const Scenario s = load_scenario_text(r.yaml, "shrunk.yaml");
  RunOptions o;
  o.seed = 1;
  const RunResult run = find_protocol(s.protocol)->run(s, o);
  REQUIRE(!run.violations.empty());
  CHECK(run.violations.front().invariant == "term_monotonic");
}
