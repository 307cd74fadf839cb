// Fault targets relative to the leader: `leader` in isolate, partition groups
// and one_way sides, and partition: {leader_side: K}. The loader keeps them
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
  // Only isolate, partition and one_way take it: a crash needs a node its restart can name.
  CHECK(error_of("  - {at: 1s, crash: leader}\n").find("no node named 'leader'") != std::string::npos);
  // A node called `leader` would be ambiguous.
  CHECK(error_of("  - {at: 1s, isolate: leader}\n", "raft", "[a, leader, c]").find("rename the node") !=
        std::string::npos);
  CHECK(load("  - {at: 1s, crash: leader}\n  - {at: 2s, restart: leader}\n", "raft", "[a, leader, c]").faults[0].nodes ==
        std::vector<NodeId>{1});
}
