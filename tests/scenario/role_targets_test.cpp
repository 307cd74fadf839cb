// Role targets: a protocol may declare named node groups for a scenario
// (ProtocolBinding::roles, e.g. servers and agents), and faults and the
// nemesis may name a role where they take node names. The readers replace a
// role by its members; a role with no members, or a name that is neither a
// node nor a role, is a ScenarioError naming the file, line and key.
// No shipped protocol declares roles yet, so these tests drive the readers
// with roles of their own, as the loader does (NodeNames::set_roles).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>

#include "sim/faults/nemesis.hpp"
#include "sim/scenario/scenario_readers.hpp"

using namespace faultline;

namespace {

// Nodes n0..n9: servers n0..n2, agents n3..n9, observers none.
const NodeRoles kRoles = {{"servers", {0, 1, 2}}, {"agents", {3, 4, 5, 6, 7, 8, 9}}, {"observers", {}}};

std::vector<FaultEvent> faults_of(const std::string& yaml, const NodeRoles* roles = &kRoles) {
  YamlSection top(YAML::Load(yaml), "", "roles.yaml");
  const std::vector<std::string> no_names;
  NodeNames names(no_names, true, 10);
  names.set_roles(roles);
  return read_faults(top, names, 60 * kSecond, false, false, false);
}

std::vector<NemesisSpec> nemesis_of(const std::string& yaml, const NodeRoles& roles = kRoles) {
  YamlSection top(YAML::Load(yaml), "", "roles.yaml");
  return read_nemesis(top, 10, 60 * kSecond, roles);
}

// "file:line key: message" of the error reading `yaml`, or "no error".
template <class F>
std::string error_of(F&& read) {
  try {
    read();
  } catch (const ScenarioError& e) {
    return fmt::format("{}:{} {}: {}", e.where().file, e.where().line, e.key(), e.message());
  }
  return "no error";
}

}  // namespace

TEST_CASE("a role in a fault's node list reads as its members") {
  const auto f = faults_of(
      "faults:\n"
      "  - {at: 1s, crash: servers}\n"
      "  - {at: 2s, restart: [servers]}\n"
      "  - {at: 3s, partition: [[servers], [agents]]}\n"
      "  - {at: 4s, heal: all}\n"
      "  - {at: 5s, one_way: {from: agents, to: [servers]}}\n"
      "  - {at: 6s, pause: [agents, n0]}\n"
      "  - {at: 7s, isolate: servers}\n"
      "  - {at: 8s, drift: {nodes: agents, factor: 1.5}}\n");
  REQUIRE(f.size() == 8);
  const std::vector<NodeId> servers = {0, 1, 2}, agents = {3, 4, 5, 6, 7, 8, 9};
  CHECK(f[0].kind == FaultEvent::Kind::kCrash);
  CHECK(f[0].nodes == servers);
  CHECK(f[1].nodes == servers);
  REQUIRE(f[2].groups.size() == 2);
  CHECK(f[2].groups[0] == servers);
  CHECK(f[2].groups[1] == agents);
  CHECK(f[4].from == agents);
  CHECK(f[4].to == servers);
  CHECK(f[5].nodes == std::vector<NodeId>{3, 4, 5, 6, 7, 8, 9, 0});
  CHECK(f[6].nodes == servers);
  CHECK(f[7].nodes == agents);
}

TEST_CASE("a fault aimed at a role with no members names the file, line and key") {
  CHECK(error_of([] { faults_of("faults:\n  - {at: 1s, crash: servers}\n  - {at: 2s, crash: observers}\n"); }) ==
        "roles.yaml:3 faults.1.crash: role 'observers' has no members in this scenario "
        "(roles and their sizes: agents (7), observers (0), servers (3))");
  CHECK(error_of([] { faults_of("faults:\n  - {at: 1s, partition: [[servers], [observers]]}\n"); }).starts_with(
      "roles.yaml:2 faults.0.partition: role 'observers' has no members"));
}

TEST_CASE("a fault aimed at an unknown role names the file, line and key, and the roles there are") {
  CHECK(error_of([] { faults_of("faults:\n  - {at: 1s, crash: servrs}\n"); }) ==
        "roles.yaml:2 faults.0.crash: no node or role named 'servrs' (nodes are n0..n9, roles are agents, "
        "observers, servers); did you mean 'servers'?");
  // Without roles, the message is today's.
  CHECK(error_of([] { faults_of("faults:\n  - {at: 1s, crash: servers}\n", nullptr); }) ==
        "roles.yaml:2 faults.0.crash: no node named 'servers' (nodes are n0..n9)");
}

TEST_CASE("role members are checked like names: listed twice, overlapping groups, the timeline") {
  CHECK(error_of([] { faults_of("faults:\n  - {at: 1s, crash: [n1, servers]}\n"); }) ==
        "roles.yaml:2 faults.0.crash: node 'n1' is listed twice (role 'servers' includes it)");
  CHECK(error_of([] { faults_of("faults:\n  - {at: 1s, partition: [[servers], [n2, n3]]}\n"); }).ends_with(
      "groups overlap: a node is in two groups"));
  CHECK(error_of([] { faults_of("faults:\n  - {at: 1s, crash: servers}\n  - {at: 2s, crash: n0}\n"); }) ==
        "roles.yaml:3 faults.1.crash: crash n0 at 2s: it has already crashed");
}

TEST_CASE("a nemesis may target a role: its members only, a minority of them down by default") {
  const auto specs = nemesis_of("nemesis:\n  - {kind: crash, every: 1s, recover: 3s, target: agents}\n");
  REQUIRE(specs.size() == 1);
  CHECK(specs[0].target_role == "agents");
  CHECK(specs[0].target_nodes == std::vector<NodeId>{3, 4, 5, 6, 7, 8, 9});
  Nemesis nemesis(specs, 10, 60 * kSecond, 7);
  std::vector<NodeStatus> status(10, NodeStatus::kRunning);
  std::vector<NemesisAction> actions;
  std::vector<NemesisWakeup> pending = nemesis.first_wakeups(), next;
  std::set<NodeId> victims;
  std::size_t most_down = 0;
  for (int step = 0; step < 200 && !pending.empty(); ++step) {
    std::sort(pending.begin(), pending.end(), [](auto& a, auto& b) { return a.at > b.at; });
    const NemesisWakeup w = pending.back();
    pending.pop_back();
    actions.clear();
    next.clear();
    nemesis.fire(w.token, w.at, status, kNoNode, actions, next);
    for (const auto& a : actions) {
      if (a.kind == NemesisAction::Kind::kCrash) {
        victims.insert(a.node);
        status[a.node] = NodeStatus::kCrashed;
      } else if (a.kind == NemesisAction::Kind::kRestart) {
        status[a.node] = NodeStatus::kRunning;
      }
    }
    most_down = std::max<std::size_t>(most_down, std::count(status.begin(), status.end(), NodeStatus::kCrashed));
    pending.insert(pending.end(), next.begin(), next.end());
  }
  CHECK(victims.size() >= 5);  // random members of the role
  CHECK(*victims.begin() >= 3);  // never a server
  CHECK(most_down == 3);         // (7 - 1) / 2 agents at most
}

TEST_CASE("a nemesis aimed at an unknown or empty role, or a partition nemesis at a role, is an error") {
  CHECK(error_of([] { nemesis_of("nemesis:\n  - {kind: crash, every: 1s, recover: 1s, target: agent}\n"); }) ==
        "roles.yaml:2 nemesis.0.target: unknown target 'agent' (did you mean 'agents'?); expected one of random, "
        "leader, agents, observers, servers");
  CHECK(error_of([] { nemesis_of("nemesis:\n  - {kind: pause, every: 1s, recover: 1s, target: observers}\n"); })
            .starts_with("roles.yaml:2 nemesis.0.target: role 'observers' has no members"));
  CHECK(error_of([] { nemesis_of("nemesis:\n  - {kind: partition, every: 1s, recover: 1s, target: agents}\n"); }) ==
        "roles.yaml:2 nemesis.0.target: a partition nemesis picks a random minority of all nodes");
  // Without roles, `target` is random or leader, as before.
  CHECK(error_of([] { nemesis_of("nemesis:\n  - {kind: crash, every: 1s, recover: 1s, target: agents}\n", {}); })
            .starts_with("roles.yaml:2 nemesis.0.target: unknown target 'agents'"));
}
