// The protocols faultline can run, by scenario name ("heartbeat", "raft", ...).
//
// A binding connects one sans-IO protocol under protocols/ to the simulator:
// it validates the scenario's `params` and runs a Simulation of that protocol.
// Bindings live in sim/bindings/, one file per protocol.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/host/swarm_range.hpp"
#include "sim/run/run_options.hpp"
#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

struct ProtocolBinding {
  std::string name;
  std::string summary;  // one line for --help
  bool has_clients = false;
  bool has_membership = false;  // faults may add or remove servers and transfer leadership
  bool has_leader = false;  // faults may target `leader` (its observer offers current_leader())
  std::vector<std::string> stop_conditions;  // names usable in `stop.when`
  std::vector<std::string> metrics;          // names usable in `expect[].metric`
  std::vector<SwarmRange> swarm_ranges;      // the params `faultline swarm` draws (declared by the protocol)
  // Checks scenario.params (and anything else protocol-specific); throws ScenarioError.
  std::function<void(const Scenario&)> validate;
  std::function<RunResult(const Scenario&, const RunOptions&)> run;
};

const ProtocolBinding* find_protocol(std::string_view name);
std::vector<std::string> protocol_names();

// Metrics every run reports, whatever the protocol.
const std::vector<std::string>& engine_metric_names();

}  // namespace faultline
