// The protocols faultline can run, found by scenario name. The list itself
// is outside the simulator core, in protocols/all_protocols.cpp (the one file
// that names every protocol); the core reaches it only through these
// functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/binding/protocol_binding.hpp"

namespace faultline {

// Every protocol's binding, in --help order. Defined in protocols/all_protocols.cpp.
const std::vector<ProtocolBinding>& all_protocols();

const ProtocolBinding* find_protocol(std::string_view name);
std::vector<std::string> protocol_names();

// Metrics every run reports, whatever the protocol.
const std::vector<std::string>& engine_metric_names();

}  // namespace faultline
