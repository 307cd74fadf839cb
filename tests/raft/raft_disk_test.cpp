// Raft on a disk that takes time, and on timers that are not exact: the
// scenario scenarios/raft/slow_disk.yaml against the same run on an
// instant disk, seed by seed; and identical election timeouts, which never
// elect a leader on perfect timers and always do with a little jitter (the
// Raft paper, section 9.3 and Figure 16).
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/support/run_binary.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {


std::vector<double> series(const RunResult& r, const std::string& metric) {
  const auto it = r.metrics.find(metric);
  return it == r.metrics.end() ? std::vector<double>{} : it->second.samples;
}

double median(std::vector<double> v) {
  REQUIRE(!v.empty());
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Five servers, election timeouts of exactly 150 ms, no clients, 30 s.
Scenario identical_timeouts(bool jitter) {
  std::string text =
      "protocol: raft\n"
      "params: {election_timeout: 150ms..150ms, heartbeat_interval: 50ms}\n"
      "nodes: 5\n"
      "duration: 30s\n"
      "network: {latency: {dist: uniform, min: 1ms, max: 5ms}}\n";
  if (jitter) text += "timers: {jitter: {dist: uniform, min: 0ms, max: 1ms}}\n";
  return load_scenario_text(text, "identical_timeouts.yaml");
}

}  // namespace

TEST_CASE("identical election timeouts never elect on exact timers, and elect on every seed with timer jitter") {
  const SweepResult exact = sweep_seeds(identical_timeouts(false), 20);
  const SweepResult jittery = sweep_seeds(identical_timeouts(true), 20);
  REQUIRE(exact.runs.size() == 20);
  REQUIRE(jittery.runs.size() == 20);
  double most_elections = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    CAPTURE(exact.runs[i].seed);
    // Every server times out at the same instant, votes for itself, and
    // times out again together: a split vote every 150 ms for 30 s.
    CHECK(scalar(exact.runs[i], "leader_changes") == 0);
    CHECK(scalar(exact.runs[i], "elections") >= 60);
    // Up to 1 ms late per timer breaks the tie sooner or later (after 1 to
    // 10.5 s on these seeds: like the paper's "longer than 10 seconds").
    CHECK(scalar(jittery.runs[i], "leader_changes") >= 1);
    CHECK(jittery.runs[i].violations.empty());
    most_elections = std::max(most_elections, scalar(jittery.runs[i], "elections"));
  }
  MESSAGE("with 0-1 ms of timer jitter, at most " << most_elections << " elections in 30 s over seeds 1..20");
}

TEST_CASE("a disk that takes time slows commits and elections, seed by seed") {
  const SweepResult disk = sweep_seeds(raft_scenario("slow_disk.yaml"), 20);
  const SweepResult instant = sweep_seeds(raft_scenario("slow_disk.yaml", {"disk.sync=0ms"}), 20);
  REQUIRE(disk.runs.size() == 20);
  REQUIRE(instant.runs.size() == 20);
  CHECK(disk.failed_seeds.empty());
  std::vector<double> elect_disk, elect_instant;
  for (std::size_t i = 0; i < 20; ++i) {
    CAPTURE(disk.runs[i].seed);
    CHECK(disk.runs[i].violations.empty());
    // A commit waits for the leader's sync and then a follower's, each at
    // least 5 ms: the median commit can never be under 10 ms, and is at least
    // that much slower than on an instant disk.
    const double p50 = scalar(disk.runs[i], "commit_latency_p50_ns"), p50_instant = scalar(instant.runs[i], "commit_latency_p50_ns");
    CHECK(p50 >= 10 * kMillisecond);
    CHECK(p50 >= p50_instant + 10 * kMillisecond);
    // While every disk is 10x slower (syncs of 50 to 100 ms) requests time out.
    CHECK(scalar(disk.runs[i], "commit_latency_p99_ns") > 100 * kMillisecond);
    for (double t : series(disk.runs[i], "time_to_leader_ns")) elect_disk.push_back(t);
    for (double t : series(instant.runs[i], "time_to_leader_ns")) elect_instant.push_back(t);
  }
  // An election waits for the candidate's sync and then the voters': the
  // median over all leader losses is later with the disk.
  CHECK(median(elect_disk) >= median(elect_instant) + 10 * kMillisecond);
  MESSAGE("median time to a new leader over seeds 1..20: " << median(elect_disk) / 1e6 << " ms on the disk, "
                                                           << median(elect_instant) / 1e6 << " ms on an instant disk");
}

// A crash loses the syncs still under way, their writes and the output they
// held back; the crash checks hold a restarted server to what its latest
// completed sync covered (protocols/raft/binding/synced_states.hpp). Held to
// its state in memory instead, correct Raft failed swarm on this scenario
// (crashes of any server, not only the leader) on 161 of seeds
// 300001..301000: term_monotonic for a candidate that crashed before its new
// term reached its disk (its RequestVotes never left), applied_entry_lost
// for a follower that applied committed entries before its own copy was
// synced. The two mutants those checks exist for are caught as often as
// before: vote_not_persisted on 160 and ack_before_sync on 96 of seeds
// 1..200.
TEST_CASE("on a disk whose syncs take time, a crash is judged by what the server's storage held, and the mutants are still caught" *
          doctest::test_suite("long")) {
  const auto swarm = [](const std::string& seeds, const std::string& sets) {
    return faultline::test::run_binary("swarm scenarios/raft/slow_disk.yaml --seeds " + seeds +
                                       " --jobs 2 --safety-only" + sets);
  };
  // 300005 and 300021: term_monotonic before; 300049: applied_entry_lost.
  const auto correct = swarm("300001..300100", "");
  CHECK(correct.code == 0);
  CHECK(correct.out.find("runs       100, 0 failed: 0 safety, 0 liveness") != std::string::npos);
  const auto vote = swarm("1..20", " --set params.mutant=vote_not_persisted");
  CHECK(vote.code == 1);
  CHECK(vote.out.find("term_monotonic violated") != std::string::npos);
  const auto ack = swarm("1..20", " --set params.mutant=ack_before_sync");
  CHECK(ack.code == 1);
  CHECK(ack.out.find("applied_entry_lost violated") != std::string::npos);
}
