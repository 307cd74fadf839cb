// The catalog's keys and the leader's reconciliation rule
// (protocols/consul/catalog.hpp), table-driven.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocols/consul/catalog.hpp"

using namespace faultline;
using namespace faultline::consul;
using swim::MemberState;

namespace {

struct Row {
  const char* name;
  MemberState state;
  const char* node_now;    // the catalog's node/7 now
  const char* health_now;  // health/7
  bool health_in_flight;
  Mutant mutant;
  bool heard;  // the local gossip has news of the member in this life
  std::vector<catalog::Write> expected;
};

catalog::Write cas(const char* key, const char* expected, const char* value) { return {key, expected, value, false}; }
catalog::Write put(const char* key, const char* value) { return {key, "", value, true}; }

}  // namespace

TEST_CASE("reconciliation writes what gossip says, as compare-and-sets, and nothing when the catalog agrees") {
  const std::vector<Row> rows = {
      {"a new member is registered, passing", MemberState::kAlive, "", "", false, Mutant::kNone, true,
       {cas("node/7", "", "registered"), cas("health/7", "", "passing")}},
      {"a registered passing member: nothing", MemberState::kAlive, "registered", "passing", false, Mutant::kNone, true, {}},
      {"a suspect is still a member: nothing", MemberState::kSuspect, "registered", "passing", false, Mutant::kNone, true, {}},
      {"a failed member goes critical, stays registered", MemberState::kDead, "registered", "passing", false,
       Mutant::kNone, true, {cas("health/7", "passing", "critical")}},
      {"a failed member already critical: nothing", MemberState::kDead, "registered", "critical", false, Mutant::kNone, true,
       {}},
      {"a failed member never registered is registered critical", MemberState::kDead, "", "", false, Mutant::kNone, true,
       {cas("node/7", "", "registered"), cas("health/7", "", "critical")}},
      {"a member back alive goes passing", MemberState::kAlive, "registered", "critical", false, Mutant::kNone, true,
       {cas("health/7", "critical", "passing")}},
      {"a member that left is deregistered", MemberState::kLeft, "registered", "passing", false, Mutant::kNone, true,
       {cas("node/7", "registered", "deregistered"), cas("health/7", "passing", "")}},
      {"a member never heard of: nothing", MemberState::kUnknown, "", "", false, Mutant::kNone, true, {}},
      {"a write in flight is not sent again", MemberState::kDead, "registered", "passing", true, Mutant::kNone, true, {}},
      {"mutant deregister_failed: a failed member is deregistered", MemberState::kDead, "registered", "passing", false,
       Mutant::kDeregisterFailed, true, {cas("node/7", "registered", "deregistered"), cas("health/7", "passing", "")}},
      {"mutant register_twice: plain puts, catalog or not", MemberState::kAlive, "registered", "passing", false,
       Mutant::kRegisterTwice, true, {put("node/7", "registered"), put("health/7", "passing")}},
      {"no news of a member the catalog holds critical (a restarted server's blank view): nothing",
       MemberState::kAlive, "registered", "critical", false, Mutant::kNone, false, {}},
      {"no news of a member that left: it stays deregistered", MemberState::kAlive, "deregistered", "", false,
       Mutant::kNone, false, {}},
      {"no news of a member never registered: registered", MemberState::kAlive, "", "", false, Mutant::kNone, false,
       {cas("node/7", "", "registered"), cas("health/7", "", "passing")}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const std::map<std::string, std::string> store = {{"node/7", row.node_now}, {"health/7", row.health_now}};
    const auto writes = catalog::reconcile_writes(
        7, row.state, row.heard, row.mutant, {}, [&](const std::string& k) { return store.at(k); },
        [&](const std::string& k) { return row.health_in_flight && k == "health/7"; });
    CHECK(writes == row.expected);
  }
}

TEST_CASE("catalog keys name their node, other keys are not the catalog's") {
  CHECK(catalog::parse_key("node/12")->node == 12);
  CHECK(catalog::parse_key("health/0")->kind == "health");
  CHECK(catalog::parse_key("service/3/web")->node == 3);
  CHECK(catalog::parse_key("service/3/web")->kind == "service");
  CHECK(catalog::parse_key("service/3/web")->service == "web");
  CHECK(catalog::service_key(3, "web") == "service/3/web");
  CHECK_FALSE(catalog::parse_key("service/3").has_value());
  CHECK_FALSE(catalog::parse_key("service/3/").has_value());
  CHECK_FALSE(catalog::parse_key("service//web").has_value());
  CHECK_FALSE(catalog::parse_key("check/3").has_value());
  CHECK_FALSE(catalog::parse_key("k1").has_value());
  CHECK_FALSE(catalog::parse_key("node/").has_value());
  CHECK_FALSE(catalog::parse_key("node/1x").has_value());
  CHECK_FALSE(catalog::parse_key("nodes/1").has_value());
}

TEST_CASE("a node that left is deregistered with its services: each service removed first and the node once none is left") {
  const std::vector<std::string> services = {"web", "db"};
  std::map<std::string, std::string> store = {{"node/7", "registered"},
                                              {"health/7", "passing"},
                                              {"service/7/web", "passing"},
                                              {"service/7/db", "critical"}};
  std::set<std::string> in_flight;
  const auto writes = [&](MemberState state, Mutant mutant = Mutant::kNone) {
    return catalog::reconcile_writes(
        7, state, true, mutant, services, [&](const std::string& k) { return store.count(k) ? store.at(k) : ""; },
        [&](const std::string& k) { return in_flight.count(k) > 0; });
  };
  // A failed node keeps its services (and stays registered, critical).
  CHECK(writes(MemberState::kDead) == std::vector<catalog::Write>{cas("health/7", "passing", "critical")});
  // Left: the services first, the node not yet.
  CHECK(writes(MemberState::kLeft) ==
        std::vector<catalog::Write>{cas("service/7/web", "passing", ""), cas("service/7/db", "critical", "")});
  // One removed, the other's write (or an agent's sync of it) still in flight: nothing more yet.
  store["service/7/web"] = "";
  in_flight.insert("service/7/db");
  CHECK(writes(MemberState::kLeft).empty());
  // Both gone: now the node and its health.
  in_flight.clear();
  store["service/7/db"] = "";
  CHECK(writes(MemberState::kLeft) == std::vector<catalog::Write>{cas("node/7", "registered", "deregistered"),
                                                                  cas("health/7", "passing", "")});
  // Mutant keep_services_on_leave: the node goes at once, its services stay.
  store["service/7/web"] = "passing";
  CHECK(writes(MemberState::kLeft, Mutant::kKeepServicesOnLeave) ==
        std::vector<catalog::Write>{cas("node/7", "registered", "deregistered"), cas("health/7", "passing", "")});
}
