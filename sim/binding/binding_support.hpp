// What several protocols' bindings share: parameter readers and metric
// names. For bindings (protocols/*/binding/); the simulator core does not
// use it.
#pragma once

#include <string>
#include <vector>

#include "sim/binding/protocol_binding.hpp"
#include "sim/scenario/yaml_section.hpp"

namespace faultline {

// The leader-based protocols' shared timing keys (raft, multipaxos), so a
// compare scenario sets them once: election_timeout (a range) and
// heartbeat_interval (shorter than the timeout). Absent keys keep the values passed in.
void read_leader_timing(YamlSection& params, Duration& timeout_min, Duration& timeout_max, Duration& heartbeat);

// Metrics of the key-value client workload, for every protocol that has one.
const std::vector<std::string>& kv_workload_metric_names();

}  // namespace faultline
