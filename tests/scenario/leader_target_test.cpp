// Fault targets relative to the leader: `leader` in isolate, crash, pause,
// partition groups and one_way sides, partition: {leader_side: K}, and
// crash / pause with `for` (the node hit comes back). The loader keeps them
// as kLeaderTarget / leader_side; the simulation resolves them when the fault
// applies (tests/raft/raft_partition_test.cpp runs them).
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/scenario_loader.hpp"

using namespace faultline;

namespace {

Scenario load(const std::string& faults, const std::string& protocol = "raft", const std::string& nodes = "5") {
  return load_scenario_text("protocol: " + protocol + "\nnodes: " + nodes + "\nfaults:\n" + faults, "t.yaml", {});
}

std::string error_of(const std::string& faults, const std::string& protocol = "raft", const std::string& nodes = "5") {
  try {
    load(faults, protocol, nodes);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("leader targets load as markers resolved at run time") {
  const Scenario s = load(
      "  - {at: 1s, isolate: leader}\n"
      "  - {at: 2s, partition: [[leader, n0], [n1, n2]]}\n"
      "  - {at: 3s, one_way: {from: [leader], to: all}}\n"
      "  - {at: 4s, partition: {leader_side: 2}}\n"
      "  - {at: 5s, heal: all}\n");
  REQUIRE(s.faults.size() == 5);
  CHECK(s.faults[0].nodes == std::vector<NodeId>{kLeaderTarget});
  CHECK(s.faults[1].groups[0] == std::vector<NodeId>{kLeaderTarget, 0});
  CHECK(s.faults[1].groups[1] == std::vector<NodeId>{1, 2});
  CHECK(s.faults[2].from == std::vector<NodeId>{kLeaderTarget});
  CHECK(s.faults[2].to.size() == 5);
  CHECK(s.faults[3].leader_side == 2);
  CHECK(s.faults[3].groups.empty());
  CHECK(s.faults[0].leader_side == 0);
}

TEST_CASE("leader targets are refused where they cannot mean anything, naming the line") {
  CHECK(error_of("  - {at: 1s, isolate: leader}\n", "heartbeat").find("t.yaml:4:") == 0);
  CHECK(error_of("  - {at: 1s, isolate: leader}\n", "heartbeat").find("this protocol has none") != std::string::npos);
  CHECK(error_of("  - {at: 1s, partition: {leader_side: 2}}\n", "pingpong").find("has none") != std::string::npos);
  CHECK(error_of("  - {at: 1s, one_way: {from: leader, to: [leader, n1]}}\n").find("both sides") != std::string::npos);
  CHECK(error_of("  - {at: 1s, partition: [[leader], [leader]]}\n").find("two groups") != std::string::npos);
  CHECK(error_of("  - {at: 1s, partition: {leader_side: 0}}\n").find("leader_side") != std::string::npos);
  CHECK(error_of("  - {at: 1s, partition: {leader_side: 5}}\n").find("leader_side") != std::string::npos);
  CHECK(error_of("  - {at: 1s, partition: {leader_sid: 2}}\n").find("leader_side") != std::string::npos);
  CHECK(error_of("  - {at: 1s, isolate: [leader, leader]}\n").find("listed twice") != std::string::npos);
  // A restart or resume cannot name the node a `leader` fault hit.
  CHECK(error_of("  - {at: 1s, crash: leader}\n  - {at: 2s, restart: leader}\n").find("t.yaml:5:") == 0);
  CHECK(error_of("  - {at: 1s, crash: leader}\n  - {at: 2s, restart: leader}\n")
            .find("faults.1.restart: 'restart: leader' cannot say which node") != std::string::npos);
  CHECK(error_of("  - {at: 1s, pause: leader}\n  - {at: 2s, resume: [n1, leader]}\n")
            .find("pause: {nodes: leader, for: 2s}") != std::string::npos);
  CHECK(error_of("  - {at: 1s, crash: {nodes: leader, for: 1s}}\n", "heartbeat").find("faults.0.crash.nodes:") !=
        std::string::npos);
  // A node called `leader` would be ambiguous.
  CHECK(error_of("  - {at: 1s, isolate: leader}\n", "raft", "[a, leader, c]").find("rename the node") !=
        std::string::npos);
  CHECK(error_of("  - {at: 1s, crash: leader}\n", "raft", "[a, leader, c]").find("rename the node") != std::string::npos);
  CHECK(load("  - {at: 1s, crash: a}\n  - {at: 2s, restart: a}\n", "raft", "[a, leader, c]").faults[0].nodes ==
        std::vector<NodeId>{0});
}

TEST_CASE("crash and pause of the leader, with a `for` that brings back the node they hit") {
  const Scenario s = load(
      "  - {at: 1s, crash: {nodes: leader, for: 800ms}}\n"
      "  - {at: 2s, pause: {nodes: [leader, n3], for: 1ms}}\n"
      "  - {at: 3s, crash: leader}\n"
      "  - {at: 4s, crash: {nodes: n1, for: 2s}}\n"
      "  - {at: 7s, crash: n1}\n");  // n1 is back at 6 s, so it can crash again
  REQUIRE(s.faults.size() == 5);
  CHECK(s.faults[0].kind == FaultEvent::Kind::kCrash);
  CHECK(s.faults[0].nodes == std::vector<NodeId>{kLeaderTarget});
  CHECK(s.faults[0].undo_after == 800 * kMillisecond);
  CHECK(s.faults[1].kind == FaultEvent::Kind::kPause);
  CHECK(s.faults[1].nodes == std::vector<NodeId>{kLeaderTarget, 3});
  CHECK(s.faults[1].undo_after == kMillisecond);
  CHECK(s.faults[2].undo_after == 0);
  CHECK(s.faults[3].nodes == std::vector<NodeId>{1});
  CHECK(s.faults[3].undo_after == 2 * kSecond);
}

TEST_CASE("a crash or pause with `for` is checked with its undo, naming the file, line and key") {
  // n1's restart at 6 s (the `for`) finds it running: restarted at 5 s by name.
  const std::string twice = error_of("  - {at: 4s, crash: {nodes: n1, for: 2s}}\n  - {at: 5s, restart: n1}\n");
  CHECK(twice.find("t.yaml:4:") == 0);
  CHECK(twice.find("faults.0.crash: crash n1 at 4s for 2s: the restart at 6s finds it running") != std::string::npos);
  // Crashing n1 again while the `for` keeps it down is the ordinary error.
  CHECK(error_of("  - {at: 4s, crash: {nodes: n1, for: 2s}}\n  - {at: 5s, crash: n1}\n")
            .find("crash n1 at 5s: it has already crashed") != std::string::npos);
  // The undo comes after the entries written for its instant.
  CHECK(error_of("  - {at: 4s, crash: {nodes: n1, for: 2s}}\n  - {at: 6s, restart: n1}\n")
            .find("crash n1 at 4s for 2s: the restart at 6s finds it running") != std::string::npos);
  CHECK(error_of("  - {at: 4s, pause: {nodes: n1, for: 2s}}\n  - {at: 6s, crash: n1}\n")
            .find("pause n1 at 4s for 2s: the resume at 6s finds it crashed") != std::string::npos);
  CHECK(error_of("  - {at: 4s, pause: {nodes: n1, for: 2s}}\n  - {at: 6001ms, crash: n1}\n").empty());
  CHECK(error_of("  - {at: 1s, crash: {nodes: leader}}\n").find("faults.0.crash.for: missing") != std::string::npos);
  CHECK(error_of("  - {at: 1s, crash: {nodes: leader, for: 0s}}\n").find("faults.0.crash.for") != std::string::npos);
  CHECK(error_of("  - {at: 1s, crash: {for: 1s}}\n").find("faults.0.crash.nodes: missing") != std::string::npos);
  CHECK(error_of("  - {at: 1s, pause: {nodes: n1, for: 1s, fo: 2s}}\n").find("faults.0.pause.fo") != std::string::npos);
  CHECK(error_of("  - {at: 1s, restart: {nodes: n1, for: 1s}}\n").find("faults.0.restart") != std::string::npos);
  // A `for` past the end of the run is not undone, and not an error.
  CHECK(load("  - {at: 1s, crash: {nodes: n1, for: 1h}}\n").faults[0].undo_after == 3600 * kSecond);
}
