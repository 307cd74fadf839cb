// One function per protocol binding; protocol_registry.cpp lists them.
#pragma once

#include "protocols/gossip/swim_params.hpp"
#include "protocols/raft/raft_params.hpp"
#include "sim/protocol_registry.hpp"
#include "sim/scenario/yaml_section.hpp"

namespace faultline {

ProtocolBinding heartbeat_binding();
ProtocolBinding pingpong_binding();
ProtocolBinding primary_backup_binding();
ProtocolBinding gossip_binding();
ProtocolBinding swim_binding();
ProtocolBinding raft_binding();
ProtocolBinding libraft_binding();
ProtocolBinding paxos_binding();
ProtocolBinding multipaxos_binding();
ProtocolBinding consul_binding();

// A section of Raft or SWIM parameters, as `raft` and `swim` read their
// `params` (for protocols that run them inside, as `consul` does).
raft::Params read_raft_params(YamlSection& params, NodeId nodes);
swim::SwimParams read_swim_params(YamlSection& params, const Scenario& s);

// The leader-based protocols' shared timing keys (raft, multipaxos), so a
// compare scenario sets them once: election_timeout (a range) and
// heartbeat_interval (shorter than the timeout). Absent keys keep the values passed in.
void read_leader_timing(YamlSection& params, Duration& timeout_min, Duration& timeout_max, Duration& heartbeat);

// Metrics of the key-value client workload, for every protocol that has one.
const std::vector<std::string>& kv_workload_metric_names();

}  // namespace faultline
