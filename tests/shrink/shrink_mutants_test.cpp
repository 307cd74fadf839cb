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
                      std::uint64_t max_runs, std::uint64_t max_runs_before_sparser = 0) {
  const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/" + path;
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(parse_override(s));
  ShrinkOptions options;
  options.seed = seed;
  options.budget = std::chrono::hours(1);  // bounded by runs, not by the clock
  options.max_runs = max_runs;
  options.max_runs_before_sparser = max_runs_before_sparser;
  Shrunk out{shrink_scenario(read_scenario_file(file), file, overrides, options), {}, {}};
  out.scenario = load_scenario_text(out.result.yaml, "shrunk.yaml");
  RunOptions o;
  o.seed = out.scenario.seed;  // the seed the YAML carries
  out.run = find_protocol(out.scenario.protocol)->run(out.scenario, o);
  return out;
}

struct Case {
  const char* scenario;
  std::uint64_t seed;
  std::vector<std::string> sets;
  const char* invariant;
  std::size_t max_faults = 5;  // a handful
  bool runs_out = false;       // stopped by max_runs with this many faults, not done
  std::uint64_t max_runs = 400;
  std::uint64_t max_runs_before_sparser = 0;  // steps 1 to 9's share (0: all of max_runs)
};

void check_shrinks(const Case& c) {
  const std::string scenario = c.scenario;
  CAPTURE(scenario);
  CAPTURE(c.seed);
  CAPTURE(c.sets.back());
  const Shrunk s = shrink_shipped(c.scenario, c.seed, c.sets, c.max_runs, c.max_runs_before_sparser);
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

}  // namespace

TEST_CASE("every Raft and Paxos mutant's first failing seed shrinks to a handful of faults that still fail" *
          doctest::test_suite("long")) {
  // All end with a handful of faults (the runs are deterministic, so
  // these figures are exact). multipaxos accept_below_promise reaches 4 in
  // 111 runs (before 5 Dec, when a new Multi-Paxos leader sent one Accept's
  // worth of open slots per heartbeat, its failure came at 15 s, not 27 s,
  // and the shrink ran out of its 200 runs at 2). paxos acceptor_not_persisted reaches 4
  // only through step 9: the scenario, nemesis and all, on 3 nodes
  // (`proposers` lowered with them), shrunk again (3,810 runs, 2 s CPU); on
  // 5 nodes it stops at 7. up_to_date_index_only reaches 5 on seed 10 in
  // 1,045 runs. figure8 reaches 4 only through step 10 (sparser runs on
  // other seeds): steps 1 to 9 stop at 17 faults on 3 nodes after 13,990
  // runs; the scenario on 3 nodes with no nemesis, ended at 2.25 s, fails
  // with fewer on 2 of 2,500 seeds, seed 2362 with 5 faults, which shrinks
  // to 4: 16,581 runs in all, about 30 s. config_before_term_commit has a
  // test of its own below.
  const Case cases[] = {
      {"raft/nemesis.yaml", 1, {"params.mutant=no_election_restriction"}, "leader_completeness"},
      {"raft/churn.yaml", 1, {"params.mutant=vote_not_persisted"}, "term_monotonic"},
      {"raft/churn.yaml", 1, {"params.mutant=ack_before_sync"}, "applied_entry_lost"},
      {"raft/churn.yaml", 8, {"params.mutant=up_to_date_index_only"}, "leader_completeness", 5, false, 1200},
      {"raft/leader_churn_quiet.yaml", 7, {"params.mutant=figure8"}, "leader_completeness", 5, false, 17000},
      {"raft/nemesis.yaml", 1, {"params.mutant=commit_without_quorum"}, ""},
      {"raft/churn.yaml", 1, {"params.mutant=skip_consistency_check"}, "state_machine_safety"},
      {"raft/nemesis.yaml", 1, {"params.read_index=true", "params.mutant=read_without_confirmation"}, "linearizability"},
      {"raft/loss_5pct.yaml", 1, {"params.mutant=truncate_without_conflict"}, "committed_entry_kept"},
      {"paxos/crashes_and_loss.yaml", 58, {"params.mutant=accept_below_promise"}, "agreement"},
      {"paxos/crashes_and_loss.yaml", 1, {"params.mutant=ignore_accepted_values"}, "agreement"},
      {"paxos/crashes_and_loss.yaml", 6, {"params.mutant=acceptor_not_persisted"}, "agreement", 5, false, 4000},
      {"multipaxos/churn.yaml", 2, {"params.mutant=accept_below_promise"}, "", 5, false, 200},
      {"multipaxos/churn.yaml", 1, {"params.mutant=acceptor_not_persisted"}, ""},
      {"multipaxos/churn.yaml", 1, {"params.mutant=noop_fill_without_collect"}, "agreement"},
      {"multipaxos/churn.yaml", 1, {"params.mutant=forget_on_promise"}, "chosen_value_kept"},
  };
  for (const auto& c : cases) check_shrinks(c);
}

// Apart, so that ctest runs it beside the table above: its 38,000 runs take
// about as long as the figure8 row.
TEST_CASE("config_before_term_commit shrinks to a handful of faults through sparser runs on other seeds" *
          doctest::test_suite("long")) {
  // Seed 265, the first that fails (8 of 1,200), has 348 faults; steps 1 to 9
  // get 400 runs (almost any removal loses the failure on the same seed).
  // (Seed 252, with 384 faults, before 5 Dec 2026, when a removed server
  // never stood for election: the same 37,993 runs reach the same seed 2306.)
  // Step 10's sparser runs find seed 2306, where the first two operator
  // requests and the leader's isolations fail by 1.41 s, and its shrink keeps
  // 5: isolate the leader, add n4, remove n0, isolate the new leader, heal.
  // 37,993 runs in all, most of them 1-5 s runs.
  check_shrinks({"raft/membership_churn.yaml", 265, {"params.mutant=config_before_term_commit"}, "leader_completeness", 5,
                 false, 60000, 400});
}

