// SWIM through the simulator: detection of a crash, no false deaths on a
// reliable network, refutation by a paused member, joins, leaves, rejoin
// after restart, and the no-refutation mutant caught by the checker.
#include <doctest/doctest.h>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/run_binary.hpp"

using namespace faultline;
using faultline::test::json_field;
using faultline::test::read_lines;
using faultline::test::select;
using faultline::test::temp_path;

namespace {

RunResult run(const std::string& text, std::uint64_t seed, const std::string& trace = "") {
  RunOptions o;
  o.seed = seed;
  o.trace_path = trace;
  return find_protocol("swim")->run(load_scenario_text(text, "swim.yaml"), o);
}

const std::vector<double>& samples(const RunResult& r, const std::string& name) { return r.metrics.at(name).samples; }

}  // namespace

TEST_CASE("a crashed member is suspected, declared dead, and every member learns it") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const RunResult r = run("protocol: swim\nnodes: 60\nduration: 40s\nfaults:\n  - {at: 10s, crash: n7}\n", seed);
    REQUIRE(samples(r, "detect_dead_ns").size() == 1);
    CHECK(samples(r, "detect_first_suspect_ns")[0] < 5e9);
    // Dead only after the suspicion timeout (5 periods), and not much later.
    CHECK(samples(r, "detect_dead_ns")[0] >= 5e9);
    CHECK(samples(r, "detect_dead_ns")[0] < 11e9);
    CHECK(samples(r, "detect_all_aware_ns").size() == 1);
    CHECK(r.violations.empty());
  }
}

TEST_CASE("on a reliable network no running member is ever declared dead") {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const RunResult r = run("protocol: swim\nnodes: 50\nduration: 120s\nnetwork:\n  latency: {dist: exponential, mean: 20ms}\n", seed);
    CHECK(samples(r, "false_positives")[0] == 0);
    CHECK(r.violations.empty());
  }
}

TEST_CASE("the no-refutation mutant is caught: suspicion turns into false deaths") {
  // Latency of 300-480 ms makes some acks arrive after the probe's verdict
  // (0.9 of a period), so live members are suspected now and then, though
  // nothing is lost. A correct member refutes within the (generous) 20-period
  // suspicion timeout; the mutant does not, and is declared dead.
  const std::string text =
      "protocol: swim\nparams: {indirect_probes: 0, suspicion_periods: 20, no_refute: NR}\nnodes: 20\nduration: 60s\n"
      "network:\n  latency: {dist: uniform, min: 300ms, max: 480ms}\n";
  auto with = [&](const char* nr, std::uint64_t seed) {
    std::string t = text;
    t.replace(t.find("NR"), 2, nr);
    return run(t, seed);
  };
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const RunResult correct = with("false", seed);
    CHECK(correct.violations.empty());
    CHECK(samples(correct, "refutations")[0] > 10);
    const RunResult mutant = with("true", seed);
    if (!mutant.violations.empty() && mutant.violations[0].invariant == "no_false_dead") ++caught;
  }
  CHECK(caught == 3);
}

TEST_CASE("a paused member refutes its suspicion and is not declared dead") {
  const RunResult r = run("protocol: swim\nnodes: 30\nduration: 30s\nfaults:\n  - {at: 5s, pause: n3}\n  - {at: 8s, resume: n3}\n", 2);
  CHECK(samples(r, "false_positives")[0] == 0);
  CHECK(samples(r, "refutations")[0] >= 1);
}

TEST_CASE("a restarted member rejoins with a higher incarnation — a leaver is marked left, not dead") {
  const std::string trace = temp_path("swim.jsonl");
  const RunResult r = run("protocol: swim\nparams: {leave: [{node: n9, at: 12s}]}\nnodes: 30\nduration: 45s\n"
                          "faults:\n  - {at: 5s, crash: n5}\n  - {at: 20s, restart: n5}\n",
                          3, trace);
  const auto lines = read_lines(trace);
  std::filesystem::remove(trace);
  CHECK(!select(lines, "dead", {{"member", "5"}}).empty());
  CHECK(!select(lines, "alive", {{"member", "5"}, {"incarnation", "1"}}).empty());  // back, above the dead incarnation 0
  CHECK(select(lines, "left", {{"member", "9"}}).size() >= 25);
  CHECK(select(lines, "dead", {{"member", "9"}}).empty());
  CHECK(samples(r, "false_positives")[0] == 0);
}

TEST_CASE("joiners become known to every member") {
  const RunResult r = run("protocol: swim\nparams: {join: [{node: n20, at: 3s, seed: n0}, {node: n21, at: 3s, seed: n1}]}\n"
                          "nodes: 22\nduration: 40s\n",
                          4);
  CHECK(samples(r, "join_all_aware_ns").size() == 2);
  CHECK(samples(r, "false_positives")[0] == 0);
}

TEST_CASE("membership views stay compact: entries only for members something happened to") {
  const RunResult r = run("protocol: swim\nnodes: 2000\nduration: 20s\nfaults:\n  - {at: 2s, crash: [n1, n2, n3]}\n", 1);
  CHECK(samples(r, "view_entries_per_node")[0] <= 3.5);
}

// A suspicion raised while a member was down can time out after it
// restarted at a higher incarnation, before its news reaches the suspecter:
// swarm's seed 301974 of join_storm.yaml (crashes of any member, a reliable
// network) had n3 declare n40 dead at incarnation 0 at 11.2 s, 1.6 s after
// n40 restarted (at incarnation 1, refuting at 2). That death is true (the
// life at incarnation 0 ended in a crash) and no longer fails
// no_false_dead; a death at an incarnation of the member's current life
// still does (the no-refutation mutant above).
// Swarm, seed 16 of swim/join_storm.yaml (1..150 had no other failure): a
// reliable network (2.8% duplicates, crashes) had n58 declare n23 dead at
// 33.8 s. n58 probed n23 at 29.5 s while n23 was down; n23 restarted at
// incarnation 1 and pinged n58 before the probe's verdict, and the verdict
// suspected n23 at 1, the life it had just heard from. n23's refutation (at
// 2) came too late for the timeout. A failed probe now suspects the
// incarnation it was sent to (tests/gossip/swim_memberlist_test.cpp).
TEST_CASE("a member back at a higher incarnation during a probe of its old one is not declared dead") {
  const auto r = faultline::test::run_binary("swarm scenarios/swim/join_storm.yaml --seeds 16..16 --jobs 1 --safety-only");
  CHECK(r.code == 0);
  CHECK(r.out.find("runs       1, 0 failed: 0 safety, 0 liveness") != std::string::npos);
}

TEST_CASE("the death of a member's earlier life is no false death") {
  const auto r = faultline::test::run_binary("swarm scenarios/swim/join_storm.yaml --seeds 301974..301974 --jobs 1 --safety-only");
  CHECK(r.code == 0);
  CHECK(r.out.find("runs       1, 0 failed: 0 safety, 0 liveness") != std::string::npos);
  CHECK(r.out.find("no_false_dead") == std::string::npos);
}
