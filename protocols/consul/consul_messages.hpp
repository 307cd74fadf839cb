// What travels between the nodes of a Consul-shaped cluster: the inner
// protocols' messages, each wrapped so the receiver hands it to the same
// inner protocol, and the agents' anti-entropy RPC.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "protocols/consul/consul_params.hpp"
#include "protocols/gossip/swim_node.hpp"
#include "protocols/host/trace_field.hpp"
#include "protocols/raft/raft_messages.hpp"

namespace faultline::consul {

// Anti-entropy (Consul's agent/local state sync): an agent registers one of
// its services (an index into Params::services) with the state of its
// check, one service per request (Consul's syncService). `sequence` numbers the agent's requests
// (its session with the catalog: a retry carries the same number).
// `origin`: kNoNode when the agent sent it; the agent's id when a server
// forwarded it to the leader (Consul's RPC forwarding), and then on the
// leader's answer, which the forwarding server relays to it.
struct SyncRequest {
  std::uint64_t sequence = 0;
  std::uint16_t service = 0;
  bool passing = true;
  NodeId origin = kNoNode;
};

struct SyncReply {
  enum class Status : std::uint8_t {
    kOk,         // the catalog holds the agent's state
    kNotLeader,  // ask leader_hint (kNoNode: another server)
    kRetry,      // the catalog changed under the write; sync again later
    kNotRegistered,  // the catalog holds no registered node for the agent (not yet, or deregistered,
                     // or a reconciliation of it under way): sync at the next round
  };
  std::uint64_t sequence = 0;
  Status status = Status::kOk;
  NodeId leader_hint = kNoNode;
  NodeId origin = kNoNode;
};

// An agent's read of one member's health from the catalog, in a mode
// (consul_params.hpp); `sequence` as the sync's, `origin` as above.
struct ReadRequest {
  std::uint64_t sequence = 0;
  ReadMode mode = ReadMode::kConsistent;
  NodeId member = 0;
  NodeId origin = kNoNode;
};

struct ReadReply {
  std::uint64_t sequence = 0;
  SyncReply::Status status = SyncReply::Status::kOk;  // kOk or kNotLeader
  NodeId leader_hint = kNoNode;
  std::uint64_t index = 0;  // the serving server's last applied log index
  bool passing = false;     // the member's health as read
  NodeId origin = kNoNode;
};

using Message = std::variant<raft::Message, swim::Message, SyncRequest, SyncReply, ReadRequest, ReadReply>;

inline std::string_view read_mode_name(ReadMode m) {
  switch (m) {
    case ReadMode::kConsistent: return "consistent";
    case ReadMode::kDefault: return "default";
    case ReadMode::kStale: return "stale";
  }
  return "?";
}

inline std::string_view message_type_name(const Message& m) {
  switch (m.index()) {
    case 0: return raft::message_type_name(std::get<0>(m));
    case 1: return swim::message_type_name(std::get<1>(m));
    case 2: return "sync";
    case 3: return "sync_reply";
    case 4: return "read";
    default: return "read_reply";
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
    field(TraceField{"service", q->service});
    field(TraceField{"passing", q->passing ? 1 : 0});
    if (q->origin != kNoNode) field(TraceField{"origin", node_field(q->origin)});
    return;
  }
  if (const auto* a = std::get_if<SyncReply>(&m)) {
    field(TraceField{"seq", a->sequence});
    field(TraceField{"status", static_cast<int>(a->status)});
    field(TraceField{"leader", node_field(a->leader_hint)});
    if (a->origin != kNoNode) field(TraceField{"origin", node_field(a->origin)});
    return;
  }
  if (const auto* q = std::get_if<ReadRequest>(&m)) {
    field(TraceField{"seq", q->sequence});
    field(TraceField{"mode", read_mode_name(q->mode)});
    field(TraceField{"member", q->member});
    if (q->origin != kNoNode) field(TraceField{"origin", node_field(q->origin)});
    return;
  }
  const auto& a = std::get<ReadReply>(m);
  field(TraceField{"seq", a.sequence});
  field(TraceField{"status", static_cast<int>(a.status)});
  field(TraceField{"leader", node_field(a.leader_hint)});
  field(TraceField{"index", a.index});
  field(TraceField{"passing", a.passing ? 1 : 0});
  if (a.origin != kNoNode) field(TraceField{"origin", node_field(a.origin)});
}

}  // namespace faultline::consul
