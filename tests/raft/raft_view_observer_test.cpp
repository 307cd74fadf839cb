// The Raft observer judges from typed state (raft::RaftStateView) alone:
// run with its protocol-event hook silenced, so that no event kind or trace
// field reaches it (as if every one had been renamed), it reports the same
// violations, at the same time, for every mutant, and the same metrics
// except the four the metrics-only path counts.
#include <doctest/doctest.h>

#include <set>
#include <utility>
#include <vector>

#include "tests/support/same_verdicts.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

TEST_CASE("Raft mutants are caught the same with the observer deaf to protocol events") {
  struct Case {
    const char* mutant;
    const char* scenario;
    std::uint64_t seeds;
  };
  // raft_test.cpp's mutants, each on the scenario that catches it.
  const Case cases[] = {
      {"no_election_restriction", "nemesis.yaml", 5},  {"vote_not_persisted", "churn.yaml", 5},
      {"ack_before_sync", "churn.yaml", 20},          {"up_to_date_index_only", "churn.yaml", 40},
      {"figure8", "leader_churn_quiet.yaml", 100},     {"skip_consistency_check", "churn.yaml", 5},
      {"commit_without_quorum", "nemesis.yaml", 5},   {"truncate_without_conflict", "loss_5pct.yaml", 5},
  };
  for (const auto& c : cases) {
    const std::string mutant = c.mutant;
    CAPTURE(mutant);
    const Scenario s = raft_scenario(c.scenario, {std::string("params.mutant=") + c.mutant});
    // The first seed the observer catches the mutant on, hearing events...
    std::uint64_t seed = 1;
    RunResult heard;
    for (; seed <= c.seeds; ++seed) {
      heard = run_seed("raft", s, seed, true);
      if (!heard.violations.empty()) break;
    }
    REQUIRE_MESSAGE(!heard.violations.empty(), c.mutant << " not caught in seeds 1.." << c.seeds);
    CAPTURE(seed);
    // ... is caught the same without them.
    check_same_verdicts(heard, run_seed("raft", s, seed, false));
  }
}

TEST_CASE("without protocol events a correct Raft run gets the same verdicts and every typed metric") {
  // The nemesis (elections, crashes, partitions) and churn with frequent
  // snapshots (compaction right after applying, InstallSnapshot, restarts
  // from a snapshot).
  for (const auto& [file, sets] : std::vector<std::pair<const char*, std::vector<std::string>>>{
           {"nemesis.yaml", {}}, {"churn.yaml", {"params.snapshot_threshold=50"}}}) {
    const std::string scenario = file;
    CAPTURE(scenario);
    const Scenario s = raft_scenario(file, sets);
    const RunResult heard = run_seed("raft", s, 1, true);
    const RunResult deaf = run_seed("raft", s, 1, false);
    CHECK(heard.violations.empty());
    check_same_verdicts(heard, deaf);
    const std::set<std::string> from_events = {"config_changes", "transfer_ns", "snapshots_taken",
                                               "snapshots_installed", "entries_truncated"};
    for (const auto& [name, metric] : heard.metrics) {
      CAPTURE(name);
      REQUIRE(deaf.metrics.count(name) == 1);
      if (from_events.count(name)) continue;
      CHECK(deaf.metrics.at(name).samples == metric.samples);
    }
    CHECK(heard.metrics.at("elections").samples.at(0) > 0);
    CHECK(heard.metrics.at("leader_changes").samples.at(0) > 0);
  }
  // The metrics-only path is what counts snapshots: silenced, it counts none.
  const Scenario s = raft_scenario("churn.yaml", {"params.snapshot_threshold=50"});
  CHECK(run_seed("raft", s, 1, true).metrics.at("snapshots_taken").samples.at(0) > 0);
  CHECK(run_seed("raft", s, 1, false).metrics.at("snapshots_taken").samples.at(0) == 0);
}
