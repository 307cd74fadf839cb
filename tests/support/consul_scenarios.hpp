// Test support: Consul scenarios built in code, shared by the Consul test
// files (the shipped ones are under scenarios/consul/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"

namespace faultline::test {

// Overrides of agent_crash.yaml: without its crash, agents running two
// services, and agent n9 leaving the pool gracefully at 20 s.
inline const std::vector<std::string> kTwoServicesAndALeave = {"faults=[]", "expect=[]",
                                                               "params.agents.services=[web, db]",
                                                               "params.swim.leave=[{node: n9, at: 20s}]"};

// A consul scenario of 3 servers and 20 agents for 120 s, probing every
// second, with the periodic reconciliation (300 s) beyond the run, so only
// what the leader does on events and on gaining leadership reaches the
// catalog. `swim_extra`: more of the swim map; `faults`: the timeline's
// entries; MUTANT stands for the mutant's name.
inline std::string three_servers_twenty_agents(std::string_view swim_extra, std::string_view faults) {
  return std::string(R"(protocol: consul
params:
  servers: {count: 3}
  agents: {count: 20}
  swim: {probe_interval: 1s, suspicion_periods: 5)") +
         std::string(swim_extra) + R"(}
  reconcile_interval: 300s
  mutant: MUTANT
nodes: 23
duration: 120s
network:
  latency: {dist: uniform, min: 1ms, max: 5ms}
faults:)" + std::string(faults);
}

// Both leaders lost while agent n10 dies: the leader crashes at 15 s (for
// 25 s), the server that succeeds it at 16 s (for 24 s), so the one server
// left can elect nobody while its gossip learns of n10's death; once the
// two restart (40 s), it leads (its log holds the second leader's entries),
// and only the reconciliation it does when it gains leadership gets n10
// into the catalog before the periodic one (300 s, beyond the run). n10
// joins at 5 s, so the catalog has it passing whatever the first leader did.
// The mutant no_reconcile_on_leadership leaves it passing (catalog_healthy_but_dead).
inline Scenario leaders_lost_while_detected(const std::string& mutant) {
  std::string text = three_servers_twenty_agents(", join: [{node: n10, at: 5s, seed: n3}]", R"(
  - {at: 15s, crash: {nodes: leader, for: 25s}}
  - {at: 16s, crash: {nodes: leader, for: 24s}}
  - {at: 20s, crash: n10}
)");
  text.replace(text.find("MUTANT"), 6, mutant);
  return load_scenario_text(text, "leaders_lost.yaml");
}

}  // namespace faultline::test
