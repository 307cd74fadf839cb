// One function per protocol binding; protocol_registry.cpp lists them.
#pragma once

#include "sim/protocol_registry.hpp"

namespace faultline {

ProtocolBinding heartbeat_binding();
ProtocolBinding pingpong_binding();
ProtocolBinding primary_backup_binding();
ProtocolBinding gossip_binding();
ProtocolBinding swim_binding();
ProtocolBinding raft_binding();
ProtocolBinding paxos_binding();
ProtocolBinding multipaxos_binding();

// Metrics of the key-value client workload, for every protocol that has one.
const std::vector<std::string>& kv_workload_metric_names();

}  // namespace faultline
