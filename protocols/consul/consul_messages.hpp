// What travels between the nodes of a Consul-shaped cluster: the inner
// protocols' messages, each wrapped so the receiver hands it to the same
// inner protocol, and the agents' anti-entropy RPC.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "protocols/gossip/swim_node.hpp"
#include "protocols/host/trace_field.hpp"
#include "protocols/raft/raft_messages.hpp"

namespace faultline::consul {

// Anti-entropy (Consul's agent/local state sync): an agent tells a server
// the state of its service check. `sequence` numbers the agent's requests
// (its session with the catalog: a retry carries the same number).
struct SyncRequest {
  std::uint64_t sequence = 0;
  bool passing = true;
};

struct SyncReply {
  enum class Status : std::uint8_t {
    kOk,         // the catalog holds the agent's state
    kNotLeader,  // ask leader_hint (kNoNode: another server)
    kRetry,      // the catalog changed under the write; sync again later
  };
  std::uint64_t sequence = 0;
  Status status = Status::kOk;
  NodeId leader_hint = kNoNode;
};

using Message = std::variant<raft::Message, swim::Message, SyncRequest, SyncReply>;

inline std::string_view message_type_name(const Message& m) {
  switch (m.index()) {
    case 0: return raft::message_type_name(std::get<0>(m));
    case 1: return swim::message_type_name(std::get<1>(m));
    case 2: return "sync";
    default: return "sync_reply";
  }
}

inline std::uint32_t message_bytes(const Message& m) {
  switch (m.index()) {
    case 0: return raft::message_bytes(std::get<0>(m));
    case 1: return swim::message_bytes(std::get<1>(m));
    default: return 24;
  }
}

template <class F>
void message_fields(const Message& m, F&& field) {
  if (const auto* r = std::get_if<raft::Message>(&m)) return raft::message_fields(*r, field);
  if (const auto* s = std::get_if<swim::Message>(&m)) return swim::message_fields(*s, field);
  if (const auto* q = std::get_if<SyncRequest>(&m)) {
    field(TraceField{"seq", q->sequence});
    field(TraceField{"passing", q->passing ? 1 : 0});
    return;
  }
  const auto& a = std::get<SyncReply>(m);
  field(TraceField{"seq", a.sequence});
  field(TraceField{"status", static_cast<int>(a.status)});
  field(TraceField{"leader", node_field(a.leader_hint)});
}

}  // namespace faultline::consul
