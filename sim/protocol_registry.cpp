#include "sim/protocol_registry.hpp"

#include <memory>

#include "sim/bindings/bindings.hpp"

namespace faultline {

namespace {

// Built on first use (no static-initialisation order games); read-only after.
const std::vector<ProtocolBinding>& bindings() {
  static const std::vector<ProtocolBinding> all = [] {
    std::vector<ProtocolBinding> v;
    v.push_back(heartbeat_binding());
    v.push_back(pingpong_binding());
    v.push_back(primary_backup_binding());
    v.push_back(gossip_binding());
    v.push_back(swim_binding());
    v.push_back(raft_binding());
    v.push_back(libraft_binding());
    v.push_back(paxos_binding());
    v.push_back(multipaxos_binding());
    v.push_back(consul_binding());
    return v;
  }();
  return all;
}

}  // namespace

const ProtocolBinding* find_protocol(std::string_view name) {
  for (const auto& b : bindings())
    if (b.name == name) return &b;
  return nullptr;
}

std::vector<std::string> protocol_names() {
  std::vector<std::string> names;
  for (const auto& b : bindings()) names.push_back(b.name);
  return names;
}

const std::vector<std::string>& engine_metric_names() {
  static const std::vector<std::string> names = {"events",           "messages_sent", "messages_delivered",
                                                 "messages_dropped", "bytes_sent",    "virtual_time_ns"};
  return names;
}

}  // namespace faultline
