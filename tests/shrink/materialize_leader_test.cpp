// Step 1 of `faultline shrink` (materializing the nemesis): an isolation the
// nemesis aimed at the leader is written as `isolate: [leader]`, a crash it
// aimed at the leader and its restart as `crash: {nodes: [leader], for: D}`,
// not as the node they hit, and that timeline still fails exactly as the
// nemesis did.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/shrink/shrinker.hpp"

using namespace faultline;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the nemesis's isolations and crashes of the leader are materialized against `leader` and fail as the nemesis did") {
  // raft/leader_churn_quiet: one nemesis isolates the leader, two crash nodes
  // (one of them the leader). Seed 7 breaks leader_completeness with figure8.
  const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/raft/leader_churn_quiet.yaml";
  ShrinkOptions options;
  options.seed = 7;
  options.max_runs = 2;  // the original run and step 1's: the materialized timeline is the output
  const ShrinkResult r =
      shrink_scenario(read_scenario_file(file), file, {parse_override("params.mutant=figure8")}, options);
  REQUIRE(r.stopped_by == "max_runs");
  // Exactly as the nemesis: the same invariant, at the same time, on the same node, with the same message.
  CHECK(r.materialized_violation.invariant == "leader_completeness");
  CHECK(r.materialized_violation.time == r.before_violation.time);
  CHECK(r.materialized_violation.node == r.before_violation.node);
  CHECK(r.materialized_violation.message == r.before_violation.message);

  const Scenario s = load_scenario_text(r.yaml, "materialized.yaml");
  CHECK(s.nemesis.empty());
  std::size_t isolations = 0, of_leader = 0, crashes = 0, crashes_of_leader = 0, undone = 0, restarts = 0;
  for (const auto& f : s.faults) {
    if (f.kind == FaultEvent::Kind::kIsolate) {
      ++isolations;
      of_leader += f.nodes == std::vector<NodeId>{kLeaderTarget} ? 1 : 0;
    }
    if (f.kind == FaultEvent::Kind::kCrash) {
      ++crashes;
      crashes_of_leader += std::count(f.nodes.begin(), f.nodes.end(), kLeaderTarget);
      undone += f.undo_after > 0 ? 1 : 0;
    }
    restarts += f.kind == FaultEvent::Kind::kRestart ? 1 : 0;
  }
  // The only isolating nemesis targets the leader: every isolation is written
  // against it. Of the two crashing nemeses, one targets the leader: its
  // crashes are written against `leader`, each with the `for` its restart
  // came after; the other's name their node and keep their restart.
  CHECK(isolations == 35);  // the trace of seed 7 holds 35 isolations, 50 crashes, 50 restarts
  CHECK(of_leader == isolations);
  CHECK(count_of(r.yaml, "isolate: [leader]") == isolations);
  CHECK(crashes_of_leader == 16);
  CHECK(undone == crashes_of_leader);
  CHECK(count_of(r.yaml, "crash: {nodes: [leader], for: ") == crashes_of_leader);
  CHECK(crashes - crashes_of_leader == 34);
  CHECK(restarts == 34);  // every named crash is restarted before the failure
  // Each crash of the leader took its restart into its `for`: one entry fewer.
  CHECK(r.after.faults == r.before.faults - crashes_of_leader);

  // The YAML written, run with its seed, is that failure.
  RunOptions o;
  o.seed = s.seed;
  const RunResult run = find_protocol(s.protocol)->run(s, o);
  REQUIRE(!run.violations.empty());
  CHECK(run.violations.front().message == r.before_violation.message);
  CHECK(run.violations.front().time == r.before_violation.time);
}
