// libraft (canonical/raft 0.15, unmodified) under the simulator: the same
// seed gives the same run, whatever the environment and the jobs; a
// scenario asking for what only faultline's Raft has is refused by name; a
// correct run keeps every invariant; and the Figure 8 bug of 0.15 (a leader
// commits an entry of an earlier term by counting replicas) and its stale
// acknowledgement bug (a follower's leftover entries counted as replicas)
// are found by seed, while faultline's Raft passes the same seeds.
#include <doctest/doctest.h>

#include <cstdlib>

#include "tests/support/loader_errors.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

// A scenario of scenarios/raft/ on libraft; `expect` dropped, since most of
// its metrics come from faultline Raft's observer.
Scenario on_libraft(const std::string& file, std::vector<std::string> sets = {}) {
  sets.push_back("protocol=libraft");
  sets.push_back("expect=[]");
  return raft_scenario(file, sets);
}

RunResult run_once(const Scenario& s, std::uint64_t seed) {
  RunOptions o;
  o.seed = seed;
  return find_protocol(s.protocol)->run(s, o);
}

// The run's first violation is `invariant` on `node`, its message holding `text`.
void check_first_violation(const RunResult& r, const std::string& invariant, const std::string& node,
                           const std::string& text) {
  REQUIRE(!r.violations.empty());
  CHECK(r.violations[0].invariant == invariant);
  if (!node.empty()) CHECK(r.violations[0].node == node);
  CHECK(r.violations[0].message.find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("libraft: the same seed gives the same trace hash, in one process, at any jobs, with LIBRAFT_TRACE set") {
  const Scenario s = on_libraft("leader_crash.yaml");
  const RunResult first = run_once(s, 5);
  const RunResult again = run_once(s, 5);
  CHECK(first.trace_hash == again.trace_hash);
  CHECK(first.trace_hash != run_once(s, 6).trace_hash);
  CHECK(scalar(first, "ops_ok") > 1000);
  // The library reads LIBRAFT_TRACE at raft_init and would then trace to
  // stderr through a process-wide tracer; the adapter replaces it.
  ::setenv("LIBRAFT_TRACE", "1", 1);
  const RunResult traced = run_once(s, 5);
  ::unsetenv("LIBRAFT_TRACE");
  CHECK(traced.trace_hash == first.trace_hash);
  const SweepResult one = run_sweep(s, *find_protocol("libraft"), 1, 4, 1, nullptr);
  const SweepResult two = run_sweep(s, *find_protocol("libraft"), 1, 4, 2, nullptr);
  REQUIRE(one.runs.size() == 4);
  REQUIRE(two.runs.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(one.runs[i].trace_hash == two.runs[i].trace_hash);
}

TEST_CASE("libraft: a parameter only faultline's Raft has is an error naming the key") {
  const std::string text =
      "name: x\nprotocol: libraft\nnodes: 3\nduration: 1s\nparams: {election_timeout: 150ms..300ms, read_index: true}\n";
  const std::string e = error_of(text);
  CHECK(e.find("read_index") != std::string::npos);
  CHECK(e.find("libraft") != std::string::npos);
  CHECK(error_of(text, {"params.read_index=false"}).find("read_index") != std::string::npos);  // present at all
  CHECK(error_of("name: x\nprotocol: libraft\nnodes: 3\nduration: 1s\nparams: {mutant: figure8}\n").find("mutant") !=
        std::string::npos);
  CHECK(error_of("name: x\nprotocol: libraft\nnodes: 3\nduration: 1s\nparams: {probe_after_refusal: true}\n")
            .find("probe_after_refusal") != std::string::npos);
  // libraft's leader already heartbeats only idle followers: the option is refused, not ignored.
  CHECK(error_of("name: x\nprotocol: libraft\nnodes: 3\nduration: 1s\nparams: {idle_heartbeats: true}\n")
            .find("idle_heartbeats: not supported by protocol libraft") != std::string::npos);
  // libraft draws its timeout in [T, 2T]: a wider range cannot be honoured.
  CHECK(error_of("name: x\nprotocol: libraft\nnodes: 3\nduration: 1s\nparams: {election_timeout: 100ms..300ms}\n")
            .find("election_timeout") != std::string::npos);
  CHECK(error_of("name: x\nprotocol: libraft\nnodes: 3\nduration: 1s\nparams: {election_timeout: 150ms..300ms, pre_vote: true}\n") ==
        "no error");
}

TEST_CASE("libraft keeps every invariant and a linearizable history through leader crashes") {
  const SweepResult r = sweep_seeds(on_libraft("leader_crash.yaml"), 6);
  std::string invariant;
  CHECK(first_violation(r, invariant) == 0);
  CHECK(r.failed_seeds.empty());
  CHECK(r.metrics.at("leader_changes").min >= 3);
  CHECK(r.metrics.at("ops_ok").min > 1000);
  CHECK(r.metrics.at("unavailable_nodes").max == 0);
}

TEST_CASE("figure8: libraft 0.15 commits an earlier term's entry by counting replicas, and faultline's Raft does not") {
  // Seed 3 is the first of seeds 1..200 that fails: n1, leader of term 24,
  // commits entries of terms 14 and 17 (indexes up to 27) that a majority
  // holds, before any entry of its own term is committed (Raft paper,
  // Figure 8; section 5.4.2 forbids it). At 6.16 s n3, whose log has term
  // 21 at index 24, wins term 27 without that committed entry: the shared
  // observer's leader_completeness catches it there, before n3 overwrites
  // and applies it (state_machine_safety, 6.41 s, caught it before the
  // observer checked leader completeness).
  const Scenario libraft = shipped_scenario("libraft/figure8.yaml");
  check_first_violation(run_once(libraft, 3), "leader_completeness", "n3",
                        "leader of term 27 without the entry committed at index 24 (term 14");
  for (std::uint64_t seed = 1; seed < 3; ++seed) CHECK(run_once(libraft, seed).violations.empty());
  // The same scenario and seeds on faultline's Raft keep every invariant.
  const Scenario raft = shipped_scenario("libraft/figure8.yaml", {"protocol=raft"});
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    const RunResult r = run_once(raft, seed);
    CHECK(r.violations.empty());
    CHECK(scalar(r, "leader_changes") >= 20);
  }
}

TEST_CASE("membership_churn: libraft 0.15 counts a follower's stale entries as replicas of the leader's, and loses a commit") {
  // A follower answers an AppendEntries with no new entry with its own last
  // stored index, past the request's prev_log_index; the entries there are
  // left over from an earlier term. The leader, which has since appended an
  // entry of its own term, takes that index (clamped to its own last index)
  // as the follower's match index and commits its new entry on that
  // "replica" (src/recv_append_entries.c: last_log_index = r->last_stored;
  // src/replication.c, replicationUpdate). Seed 20: n3, leader of term 102
  // of voters n2, n3, n4, appends index 136; n4, with term-100 entries up to
  // 138, answers the heartbeat of prev 135 with 138; n3 commits and applies
  // 136 (term 102), held by no follower. n4 then wins term 105 without it.
  const Scenario libraft = shipped_scenario("libraft/membership_churn.yaml");
  check_first_violation(run_once(libraft, 20), "leader_completeness", "n4",
                        "leader of term 105 without the entry committed at index 136 (term 102");
  // Seed 10 is the first of 1..20 that fails (10, 13, 20 do), the same way.
  check_first_violation(run_once(libraft, 10), "leader_completeness", "", "without the entry committed at index");
  for (std::uint64_t seed = 1; seed <= 3; ++seed) CHECK(run_once(libraft, seed).violations.empty());
  // faultline's Raft counts a follower only up to what it appended for the
  // leader (prev_log_index + entries): the same file and seeds pass.
  const Scenario raft = shipped_scenario("libraft/membership_churn.yaml", {"protocol=raft"});
  for (const std::uint64_t seed : {10, 20}) {
    CAPTURE(seed);
    CHECK(run_once(raft, seed).violations.empty());
  }
}
