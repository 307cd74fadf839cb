#include "sim/binding/protocol_registry.hpp"

namespace faultline {

const ProtocolBinding* find_protocol(std::string_view name) {
  for (const auto& b : all_protocols())
    if (b.name == name) return &b;
  return nullptr;
}

std::vector<std::string> protocol_names() {
  std::vector<std::string> names;
  for (const auto& b : all_protocols()) names.push_back(b.name);
  return names;
}

const std::vector<std::string>& engine_metric_names() {
  static const std::vector<std::string> names = {"events",           "messages_sent", "messages_delivered",
                                                 "messages_dropped", "bytes_sent",    "virtual_time_ns"};
  return names;
}

}  // namespace faultline
