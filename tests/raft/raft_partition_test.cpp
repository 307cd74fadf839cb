// Raft under partitions, through the library: the scenarios under
// scenarios/raft/ that cut the cluster, run over seed ranges, with the
// behaviour each must show checked per seed rather than only "it passed".
#include <doctest/doctest.h>

#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {



std::size_t samples(const RunResult& r, const std::string& metric) {
  const auto it = r.metrics.find(metric);
  return it == r.metrics.end() ? 0 : it->second.samples.size();
}

}  // namespace

TEST_CASE("PreVote keeps a returning follower from deposing a healthy leader, seed by seed") {
  const SweepResult without = sweep_seeds(raft_scenario("disruptive_rejoin.yaml"), 10);
  const SweepResult with = sweep_seeds(raft_scenario("disruptive_rejoin_prevote.yaml"), 10);
  REQUIRE(without.runs.size() == 10);
  REQUIRE(with.runs.size() == 10);
  CHECK(without.failed_seeds.empty());
  CHECK(with.failed_seeds.empty());
  double total_without = 0, total_with = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    CAPTURE(without.runs[i].seed);
    const double a = scalar(without.runs[i], "leader_changes"), b = scalar(with.runs[i], "leader_changes");
    CHECK(a >= 2);  // the first election, then the one the returning follower forced
    CHECK(b == 1);  // the first election only
    CHECK(b < a);
    total_without += a;
    total_with += b;
  }
  MESSAGE("leader changes over seeds 1..10: " << total_without << " without PreVote, " << total_with << " with");
}

TEST_CASE("a leader on the minority side commits nothing, and steps down after the heal") {
  const SweepResult r = sweep_seeds(raft_scenario("majority_partition.yaml"), 10);
  CHECK(r.failed_seeds.empty());
  for (const auto& run : r.runs) {
    CAPTURE(run.seed);
    CHECK(run.violations.empty());
    CHECK(scalar(run, "cut_off_commits") == 0);
    CHECK(scalar(run, "entries_truncated") > 0);             // it did append requests it could not commit
    CHECK(samples(run, "time_to_leader_ns") >= 1);           // the majority elected a new leader
    CHECK(samples(run, "stepdown_after_heal_ns") == 1);      // and the old one stepped down once back
    CHECK(scalar(run, "leader_changes") >= 2);
  }
  // The metric is not vacuous: a leader that commits without a majority is
  // counted on every seed (and broken Raft is stopped by leader_completeness).
  const SweepResult broken =
      sweep_seeds(raft_scenario("majority_partition.yaml", {"params.mutant=commit_without_quorum"}), 5);
  for (const auto& run : broken.runs) {
    CAPTURE(run.seed);
    CHECK(scalar(run, "cut_off_commits") > 0);
  }
}

TEST_CASE("a restarted follower catches up on what it missed, applying the same entries") {
  const SweepResult r = sweep_seeds(raft_scenario("follower_crash.yaml"), 1);
  REQUIRE(r.runs.size() == 1);
  const RunResult& run = r.runs[0];
  CHECK(run.ok());
  CHECK(run.violations.empty());  // state_machine_safety compared every index it applied again
  REQUIRE(samples(run, "catchup_entries") == 1);
  CHECK(run.metrics.at("catchup_entries").samples[0] >= 300);
  REQUIRE(samples(run, "catchup_ns") == 1);
}

TEST_CASE("a leader-targeted fault with no leader yet is skipped") {
  // At 0 s nobody has been elected: the isolation does nothing, so the first
  // leader keeps leading and nothing is truncated.
  const SweepResult r = sweep_seeds(raft_scenario("old_leader_rejoins.yaml", {"faults.0.at=0s"}), 1);
  REQUIRE(r.runs.size() == 1);
  CHECK(r.runs[0].violations.empty());
  CHECK(scalar(r.runs[0], "leader_changes") == 1);
  CHECK(scalar(r.runs[0], "entries_truncated") == 0);
}

TEST_CASE("a follower behind the leader's snapshot catches up through InstallSnapshot") {
  // Snapshots every 100 entries: by the time n4 restarts, the leader has
  // compacted what n4 missed, so only a snapshot can bring it up to date.
  const SweepResult r = sweep_seeds(raft_scenario("follower_crash.yaml", {"params.snapshot_threshold=100"}), 3);
  for (const RunResult& run : r.runs) {
    CAPTURE(run.seed);
    CHECK(run.violations.empty());
    CHECK(scalar(run, "snapshots_taken") >= 10);
    CHECK(scalar(run, "snapshots_installed") >= 1);
    REQUIRE(samples(run, "catchup_ns") == 1);
    CHECK(run.metrics.at("catchup_ns").samples[0] < 300e6);
  }
  // Without compaction the same catch-up goes entry by entry.
  const SweepResult plain = sweep_seeds(raft_scenario("follower_crash.yaml", {"params.snapshot_threshold=0"}), 1);
  CHECK(scalar(plain.runs[0], "snapshots_installed") == 0);
}
