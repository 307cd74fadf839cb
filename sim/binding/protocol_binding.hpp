// ProtocolBinding: what the simulator knows of one protocol it can run, by
// scenario name ("heartbeat", "raft", ...).
//
// A binding connects one sans-IO protocol under protocols/ to the simulator:
// it validates the scenario's `params` and runs a Simulation of that
// protocol. Each protocol's binding lives next to it, in
// protocols/<protocol>/binding/ (the binding, the protocol struct and the
// observer); protocols/all_protocols.cpp lists them all, and
// sim/binding/protocol_registry.hpp finds them by name. The simulator core
// includes this header, never a binding.
#pragma once

#include <functional>
#include <string>
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
  // The liveness expectation `faultline swarm` adds to a run without a client
  // load to its end, as a YAML flow mapping (e.g. "{name: every node
  // informed, metric: time_to_full_ns, count_min: 1, liveness: true}");
  // empty: none.
  std::string swarm_liveness;
  // What a run costs in memory, for the estimate that refuses a run too large
  // to fit (sim/run/memory_estimate.cpp): bytes per node (its engine record,
  // timers, random stream, share of the message pool and event queue, and the
  // protocol's own state) and per ordered pair of nodes (all-to-all state).
  // Peak RSS less an empty run's, over the node count, measured on this code;
  // each binding says beside its figures what it measured.
  std::uint64_t memory_per_node = 4096;
  std::uint64_t memory_per_pair = 0;
  // Named node groups for a scenario (e.g. "servers" -> {n0, n1, n2},
  // "agents" -> the rest), which faults and the nemesis may target by name
  // (docs/scenario-format.md, "Roles"). Called by the loader once nodes,
  // params, duration, network and workload are read, before the faults; may
  // throw ScenarioError (a bad param). Role names must not be a node's name,
  // `all`, `leader` or `random`. Unset: the protocol declares no roles.
  std::function<NodeRoles(const Scenario&)> roles;
  // Integer params that count nodes and may be at most the node count
  // (paxos's `proposers`): `faultline shrink`, trying fewer nodes, lowers
  // them to the new count, so the candidate is one the loader accepts.
  std::vector<std::string> node_count_params;
  // Checks scenario.params (and anything else protocol-specific); throws ScenarioError.
  std::function<void(const Scenario&)> validate;
  std::function<RunResult(const Scenario&, const RunOptions&)> run;
};

}  // namespace faultline
